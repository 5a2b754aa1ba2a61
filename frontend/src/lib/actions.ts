/**
 * Edits, deletes and reactions sent on a socket, waiting for the server's answer.
 *
 * No echo names these frames: an edit or a delete is done when the event about that message
 * arrives (the sending socket gets it like every other), and a refusal names the frame's
 * client_id. A reaction that changes nothing is answered by nothing, so a reaction is confirmed
 * by its event when there is one, and otherwise only ever refused.
 */
import type {
  DeleteMessageFrame,
  EditMessageFrame,
  ErrorEvent,
  MessageDeletedEvent,
  MessageEditedEvent,
  ReactFrame,
  ReactionEvent,
} from './protocol';

export type ActionFrame = EditMessageFrame | DeleteMessageFrame | ReactFrame;

/** The server refused an action, or it could not be sent (`code` then says why: `offline`, `connection_lost`). */
export class ActionRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRefused';
  }
}

export const OFFLINE = new ActionRefused('offline', 'You are offline: try again when the connection is back.');
const CONNECTION_LOST = 'The connection was lost before the server answered: try again.';

interface Waiting {
  frame: ActionFrame;
  resolve(): void;
  reject(reason: ActionRefused): void;
}

/** Reactions never answered (they changed nothing) are forgotten past this many. */
const WAITING_LIMIT = 200;

export class PendingActions {
  private readonly waiting = new Map<string, Waiting>();

  /** `frame` went out with `clientId`: the promise settles with the server's answer. */
  add(clientId: string, frame: ActionFrame): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.set(clientId, { frame, resolve, reject });
      if (this.waiting.size > WAITING_LIMIT) this.waiting.delete(this.waiting.keys().next().value as string);
    });
  }

  /** An event about a message: the edits (or deletes) of it that were waiting are done. */
  applied(event: MessageEditedEvent | MessageDeletedEvent | ReactionEvent): void {
    for (const [clientId, waiting] of this.waiting) {
      if (answers(event, waiting.frame)) this.settle(clientId)?.resolve();
    }
  }

  /** Returns whether the refusal was of an action (and so is handled). */
  refused(event: ErrorEvent): boolean {
    const waiting = event.client_id === null ? null : this.settle(event.client_id);
    waiting?.reject(new ActionRefused(event.code, event.message));
    return waiting !== null;
  }

  /**
   * The socket is gone: an edit or a delete may or may not have arrived, so say it needs trying
   * again (both are safe to repeat). A reaction is forgotten: it may have changed nothing, and
   * the next socket's history shows what it did.
   */
  dropped(): void {
    for (const [clientId, waiting] of this.waiting) {
      this.waiting.delete(clientId);
      if (waiting.frame.type !== 'react') waiting.reject(new ActionRefused('connection_lost', CONNECTION_LOST));
    }
  }

  private settle(clientId: string): Waiting | null {
    const waiting = this.waiting.get(clientId) ?? null;
    this.waiting.delete(clientId);
    return waiting;
  }
}

/** Whether `event` is the server doing what `frame` asked. */
function answers(event: MessageEditedEvent | MessageDeletedEvent | ReactionEvent, frame: ActionFrame): boolean {
  if (event.id !== frame.id) return false;
  // Room and private messages are numbered apart: a private frame names the other person.
  const sameKind = (event.room === null) === (frame.type !== 'react' && frame.with !== undefined);
  switch (event.type) {
    case 'message_edited':
      return sameKind && frame.type === 'edit_message';
    case 'message_deleted':
      return sameKind && frame.type === 'delete_message';
    case 'reaction':
      return frame.type === 'react' && frame.emoji === event.emoji && frame.added === event.added;
  }
}

/**
 * The one place where server events reach the features. `RoomEventHandlers` has a member for every
 * server event type, so leaving one out of this object does not compile; the socket client's own
 * switch (`RoomSocket.dispatch`) is exhaustive the same way, with a `never` default.
 */
import { EDIT_TOO_LATE, type ConversationActions, type TimelineActions, type TypingActions } from '@/features/chat';
import type { PresenceActions } from '@/features/presence';
import type { PrivateMessage, ReadEvent } from '@/lib/protocol';
import type { OutboxEntry, RoomEventHandlers } from '@/lib/socket';

export interface SendingTargets {
  /** The server stored a private message this tab sent (`clientId` names the send). */
  delivered(clientId: string | null, to: string): void;
  /** The server refused `entry` (null: a refusal that names no send of ours). */
  refused(entry: OutboxEntry | null, message: string): void;
}

export interface SessionEventTargets {
  me: string | null;
  timeline: TimelineActions;
  presence: PresenceActions;
  typing: TypingActions;
  conversations: ConversationActions;
  reads: { read(event: ReadEvent): void };
  sending: SendingTargets;
  /** A private message came in, live. */
  notices: { privateMessage(message: PrivateMessage): void };
}

export function routeEvents(targets: SessionEventTargets): RoomEventHandlers {
  const { me, timeline, presence, typing, conversations, reads, sending, notices } = targets;
  return {
    user_list: (event) => presence.reset(event.users),
    history: (event, { resumed }) => timeline.history(event.messages, { hasMore: event.has_more, resumed, changed: event.changed }),
    user_join: (event) => presence.join(event.user),
    user_leave: (event) => presence.leave(event.user),
    chat_message: (event) => {
      typing.stopped(event.user);
      timeline.roomMessage(event);
    },
    private_message: (event) => {
      if (me !== null) conversations.live(event, me);
      notices.privateMessage(event);
    },
    private_message_delivered: (event) => {
      const { id, target: to, message: text, timestamp } = event;
      const message = { id, user: me ?? '', to, message: text, timestamp, edited_at: null, deleted: false };
      if (me !== null) conversations.live(message, me);
      sending.delivered(event.client_id, event.target);
    },
    error: (event, { entry }) => sending.refused(entry, describeSocketError(event.code, event.message)),
    pong: () => {
      // The socket client keeps the connection alive with these; nothing to show.
    },
    authenticated: () => {
      // The socket client renews its credential with these; nothing to show.
    },
    typing: (event) => {
      // My own other tab types in this room too: that is not news to me.
      if (event.user !== me) typing.typing(event.user);
    },
    read: (event) => reads.read(event),
    // Room and private messages are numbered apart: the event's room says which one it is about.
    message_edited: (event) =>
      event.room === null ? conversations.edited(event) : timeline.edited({ ...event, room: event.room }),
    message_deleted: (event) =>
      event.room === null ? conversations.deleted(event) : timeline.deleted({ ...event, room: event.room }),
    reaction: (event) => timeline.reaction(event),
  };
}

const SOCKET_ERRORS: Record<string, string> = {
  not_authenticated: 'Log in to write in this room.',
  rate_limited: 'You are sending too fast; slow down.',
  edit_window_closed: EDIT_TOO_LATE,
  too_many_reactions: 'This message has as many different reactions as it can take.',
  message_not_found: 'This message is no longer there.',
};

export function describeSocketError(code: string, message: string): string {
  return SOCKET_ERRORS[code] ?? message;
}

/**
 * The one place where server events reach the features. `RoomEventHandlers` has a member for every
 * server event type, so leaving one out of this object does not compile; the socket client's own
 * switch (`RoomSocket.dispatch`) is exhaustive the same way, with a `never` default.
 */
import type { ConversationActions, TimelineActions, TypingActions } from '@/features/chat';
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
    history: (event, { resumed }) => timeline.history(event.messages, { hasMore: event.has_more, resumed }),
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
      const message = { id: event.id, user: me ?? '', to: event.target, message: event.message, timestamp: event.timestamp };
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
  };
}

const SOCKET_ERRORS: Record<string, string> = {
  not_authenticated: 'Log in to write in this room.',
  rate_limited: 'You are sending too fast; slow down.',
};

export function describeSocketError(code: string, message: string): string {
  return SOCKET_ERRORS[code] ?? message;
}

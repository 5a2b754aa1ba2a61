/**
 * The one place where server events reach the features. `RoomEventHandlers` has a member for every
 * server event type, so leaving one out of this object does not compile; the socket client's own
 * switch (`RoomSocket.dispatch`) is exhaustive the same way, with a `never` default.
 */
import type { ConversationActions, TimelineActions } from '@/features/chat';
import type { PresenceActions } from '@/features/presence';
import type { PrivateMessage } from '@/lib/protocol';
import type { OutboxEntry, RoomEventHandlers } from '@/lib/socket';

export interface ComposerErrorActions {
  /** Show `message` next to the box that sent `entry` (the room's box when unknown). */
  show(entry: OutboxEntry | null, message: string): void;
}

export interface RoomEventTargets {
  me: string | null;
  timeline: TimelineActions;
  presence: PresenceActions;
  conversations: ConversationActions;
  errors: ComposerErrorActions;
}

export function routeRoomEvents({ me, timeline, presence, conversations, errors }: RoomEventTargets): RoomEventHandlers {
  const privateSeen = (message: PrivateMessage, direction: 'in' | 'out') => {
    timeline.privateMessage(message, direction);
    if (me !== null) conversations.live(message, me);
  };
  return {
    user_list: (event) => presence.reset(event.users),
    history: (event, { resumed }) => timeline.history(event.messages, { hasMore: event.has_more, resumed }),
    user_join: (event) => presence.join(event.user),
    user_leave: (event) => presence.leave(event.user),
    chat_message: (event) => timeline.roomMessage(event),
    private_message: (event) => privateSeen(event, 'in'),
    private_message_delivered: (event) =>
      privateSeen(
        { id: event.id, user: me ?? '', to: event.target, message: event.message, timestamp: event.timestamp },
        'out',
      ),
    error: (event, { entry }) => errors.show(entry, describeSocketError(event.code, event.message)),
    pong: () => {
      // The socket client keeps the connection alive with these; nothing to show.
    },
    authenticated: () => {
      // The socket client renews its credential with these; nothing to show.
    },
  };
}

const SOCKET_ERRORS: Record<string, string> = {
  not_authenticated: 'Log in to write in this room.',
  rate_limited: 'You are sending too fast; slow down.',
};

export function describeSocketError(code: string, message: string): string {
  return SOCKET_ERRORS[code] ?? message;
}

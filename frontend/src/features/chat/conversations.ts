/** Private conversations: one per other person, messages oldest first, each once. */
import type { Conversation, PrivateMessage } from '@/lib/protocol';

export interface ConversationState {
  peer: string;
  messages: readonly PrivateMessage[];
  /** The newest page was fetched over REST. */
  loaded: boolean;
  hasOlder: boolean;
  loading: boolean;
  error: string | null;
  unread: number;
}

export interface ConversationsState {
  byPeer: Readonly<Record<string, ConversationState>>;
  /** Most recent conversation first. */
  order: readonly string[];
}

export const EMPTY_CONVERSATIONS: ConversationsState = { byPeer: {}, order: [] };

export type ConversationsAction =
  | { type: 'list_loaded'; conversations: readonly Conversation[] }
  | { type: 'page_loading'; peer: string }
  | { type: 'page_loaded'; peer: string; messages: readonly PrivateMessage[]; hasMore: boolean }
  | { type: 'page_failed'; peer: string; error: string }
  | { type: 'live'; peer: string; message: PrivateMessage; unread: boolean }
  | { type: 'read'; peer: string };

function blank(peer: string): ConversationState {
  return { peer, messages: [], loaded: false, hasOlder: false, loading: false, error: null, unread: 0 };
}

function mergeMessages(
  messages: readonly PrivateMessage[],
  added: readonly PrivateMessage[],
): readonly PrivateMessage[] {
  // The usual live case: one message newer than all the others, so no repeat of any (see mergeItems).
  const [only, ...more] = added;
  const last = messages.at(-1);
  if (only !== undefined && more.length === 0 && (last === undefined || last.id < only.id)) {
    return [...messages, only];
  }
  const known = new Set(messages.map((message) => message.id));
  const fresh = added.filter((message) => !known.has(message.id) && known.add(message.id));
  if (fresh.length === 0) return messages;
  return [...messages, ...fresh].sort((a, b) => a.id - b.id);
}

function update(
  state: ConversationsState,
  peer: string,
  change: (conversation: ConversationState) => ConversationState,
  moveToFront = false,
): ConversationsState {
  const conversation = change(state.byPeer[peer] ?? blank(peer));
  const order =
    moveToFront || !state.order.includes(peer) ? [peer, ...state.order.filter((name) => name !== peer)] : state.order;
  return { byPeer: { ...state.byPeer, [peer]: conversation }, order };
}

export function conversationsReducer(state: ConversationsState, action: ConversationsAction): ConversationsState {
  switch (action.type) {
    case 'list_loaded': {
      let next = state;
      for (const { user, last_message } of [...action.conversations].reverse()) {
        next = update(next, user, (c) => ({ ...c, messages: mergeMessages(c.messages, [last_message]) }), true);
      }
      return next;
    }
    case 'page_loading':
      return update(state, action.peer, (c) => ({ ...c, loading: true, error: null }));
    case 'page_loaded':
      return update(state, action.peer, (c) => ({
        ...c,
        messages: mergeMessages(c.messages, action.messages),
        loaded: true,
        // The newest page tells whether older ones exist; an older page, whether still older ones do.
        hasOlder: action.hasMore,
        loading: false,
      }));
    case 'page_failed':
      return update(state, action.peer, (c) => ({ ...c, loading: false, error: action.error }));
    case 'live':
      return update(
        state,
        action.peer,
        (c) => ({
          ...c,
          messages: mergeMessages(c.messages, [action.message]),
          unread: action.unread ? c.unread + 1 : c.unread,
        }),
        true,
      );
    case 'read':
      return update(state, action.peer, (c) => ({ ...c, unread: 0 }));
  }
}

/** The largest private message id known: where a reconnect's catch-up starts (0: none yet). */
export function newestPrivateId(state: ConversationsState): number {
  let newest = 0;
  for (const conversation of Object.values(state.byPeer)) {
    newest = Math.max(newest, conversation.messages.at(-1)?.id ?? 0);
  }
  return newest;
}

/**
 * Private conversations: one per other person, messages oldest first, each once, and how far
 * each one is read. The unread count is the server's (`GET /api/dms/`) plus what arrives live,
 * and is counted here exactly wherever the messages after the read marker are all loaded.
 */
import type { Conversation, MessageEditedEvent, PrivateMessage } from '@/lib/protocol';
import { tombstone, updateById, withCurrentStates, withEdit } from './messageChanges';

export interface ConversationState {
  peer: string;
  messages: readonly PrivateMessage[];
  /** The newest page was fetched over REST. */
  loaded: boolean;
  hasOlder: boolean;
  loading: boolean;
  error: string | null;
  /** Messages from `peer` after `lastReadId`. */
  unread: number;
  /** The read marker: the last message id read (0: none). */
  lastReadId: number;
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
  | { type: 'live'; peer: string; message: PrivateMessage }
  /** The marker moved (here, in another tab): read up to `id`. */
  | { type: 'read'; peer: string; id: number }
  | { type: 'edited'; event: Pick<MessageEditedEvent, 'id' | 'message' | 'edited_at'> }
  | { type: 'deleted'; id: number }
  /** The current state of messages that may be held (a reconnect's changes). */
  | { type: 'changed'; messages: readonly PrivateMessage[] };

function blank(peer: string): ConversationState {
  return { peer, messages: [], loaded: false, hasOlder: false, loading: false, error: null, unread: 0, lastReadId: 0 };
}

function mergeMessages(
  messages: readonly PrivateMessage[],
  added: readonly PrivateMessage[],
): readonly PrivateMessage[] {
  // The usual live case: one message newer than all the others, so no repeat of any.
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

/** Every message after `marker` is loaded, so they can be counted here. */
function covers(conversation: ConversationState, marker: number): boolean {
  const oldest = conversation.messages[0]?.id;
  return conversation.loaded && (!conversation.hasOlder || (oldest !== undefined && oldest <= marker));
}

function countUnread(conversation: ConversationState, marker: number): number {
  return conversation.messages.filter((message) => message.user === conversation.peer && message.id > marker).length;
}

/**
 * Whether the unread count after a marker at `id` is known here; when not, the list has to
 * be fetched again (the marker moved into messages this tab never loaded).
 */
export function readIsExact(conversation: ConversationState | undefined, id: number): boolean {
  if (conversation === undefined) return false;
  const newest = conversation.messages.findLast((message) => message.user === conversation.peer)?.id ?? 0;
  return id >= newest || covers(conversation, id);
}

function withRead(conversation: ConversationState, id: number): ConversationState {
  const lastReadId = Math.max(conversation.lastReadId, id);
  const next = { ...conversation, lastReadId };
  if (readIsExact(next, lastReadId)) return { ...next, unread: countUnread(next, lastReadId) };
  return next;
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

function listed(conversation: ConversationState, item: Conversation): ConversationState {
  const messages = mergeMessages(conversation.messages, [item.last_message]);
  const serverMarker = item.last_read_id ?? 0;
  const next = { ...conversation, messages, lastReadId: Math.max(conversation.lastReadId, serverMarker) };
  // Our own marker may be on its way still: then the server's count is from before it.
  if (next.lastReadId > serverMarker) return withRead(next, next.lastReadId);
  return { ...next, unread: item.unread_count };
}

export function conversationsReducer(state: ConversationsState, action: ConversationsAction): ConversationsState {
  switch (action.type) {
    case 'list_loaded': {
      let next = state;
      for (const item of [...action.conversations].reverse()) {
        next = update(next, item.user, (c) => listed(c, item), true);
      }
      return next;
    }
    case 'page_loading':
      return update(state, action.peer, (c) => ({ ...c, loading: true, error: null }));
    case 'page_loaded':
      return update(state, action.peer, (c) => {
        const next = {
          ...c,
          messages: mergeMessages(c.messages, action.messages),
          loaded: true,
          // The newest page tells whether older ones exist; an older page, whether still older ones do.
          hasOlder: action.hasMore,
          loading: false,
        };
        return covers(next, next.lastReadId) ? { ...next, unread: countUnread(next, next.lastReadId) } : next;
      });
    case 'page_failed':
      return update(state, action.peer, (c) => ({ ...c, loading: false, error: action.error }));
    case 'live':
      return update(
        state,
        action.peer,
        (c) => {
          const messages = mergeMessages(c.messages, [action.message]);
          const counts = messages !== c.messages && action.message.user === c.peer && action.message.id > c.lastReadId;
          return { ...c, messages, unread: counts ? c.unread + 1 : c.unread };
        },
        true,
      );
    case 'read':
      return update(state, action.peer, (c) => withRead(c, action.id));
    case 'edited':
      return everywhere(state, (messages) => updateById(messages, action.event.id, (held) => withEdit(held, action.event)));
    case 'deleted':
      return everywhere(state, (messages) => updateById(messages, action.id, tombstone));
    case 'changed':
      return everywhere(state, (messages) => withCurrentStates(messages, action.messages));
  }
}

/** A change to held messages, wherever they are: an event about a private message names no conversation. */
function everywhere(
  state: ConversationsState,
  change: (messages: readonly PrivateMessage[]) => readonly PrivateMessage[],
): ConversationsState {
  let byPeer = state.byPeer;
  for (const [peer, conversation] of Object.entries(state.byPeer)) {
    const messages = change(conversation.messages);
    if (messages !== conversation.messages) byPeer = { ...byPeer, [peer]: { ...conversation, messages } };
  }
  return byPeer === state.byPeer ? state : { ...state, byPeer };
}

/** The largest private message id known: where a reconnect's catch-up starts (0: none yet). */
export function newestPrivateId(state: ConversationsState): number {
  let newest = 0;
  for (const conversation of Object.values(state.byPeer)) {
    newest = Math.max(newest, conversation.messages.at(-1)?.id ?? 0);
  }
  return newest;
}

/**
 * A room's timeline: its messages in order, each once. Private messages never enter it: they live
 * in their conversations, live and after a reload alike.
 */
import type { MessageEditedEvent, MessageState, PrivateMessage, Reaction, ReactionEvent, RoomMessage } from '@/lib/protocol';
import { tombstone, updateById, withCurrentStates, withEdit, withReaction } from './messageChanges';

/** One message as a list shows it, room or private (which never has reactions). */
export interface TimelineItem extends MessageState {
  key: string;
  reactions: readonly Reaction[];
}

export interface TimelineState {
  /** The room these messages belong to (null before any). */
  room: string | null;
  items: readonly TimelineItem[];
  /** Older room messages exist on the server (page them with `before=`). */
  hasOlder: boolean;
  /** The first history arrived. */
  loaded: boolean;
  loadingOlder: boolean;
  olderError: string | null;
}

export const EMPTY_TIMELINE: TimelineState = {
  room: null,
  items: [],
  hasOlder: false,
  loaded: false,
  loadingOlder: false,
  olderError: null,
};

export type TimelineAction = { room: string } & (
  /** `changed`: the current state of messages held already. */
  | { type: 'history'; messages: readonly RoomMessage[]; changed: readonly RoomMessage[]; hasMore: boolean; resumed: boolean }
  | { type: 'older_loading' }
  | { type: 'older_loaded'; messages: readonly RoomMessage[]; hasMore: boolean }
  | { type: 'older_failed'; error: string }
  | { type: 'room_message'; message: RoomMessage }
  | { type: 'edited'; event: Pick<MessageEditedEvent, 'id' | 'message' | 'edited_at'> }
  | { type: 'deleted'; id: number }
  | { type: 'reaction'; event: Pick<ReactionEvent, 'id' | 'emoji' | 'user' | 'added'> }
);

function item(key: string, message: MessageState, reactions: readonly Reaction[]): TimelineItem {
  const { id, user, message: text, timestamp, edited_at, deleted } = message;
  return { key, id, user, message: text, timestamp, edited_at, deleted, reactions };
}

export function roomItem(message: RoomMessage): TimelineItem {
  return item(`room:${message.id}`, message, message.reactions);
}

export function privateItem(message: PrivateMessage): TimelineItem {
  return item(`private:${message.id}`, message, []);
}

/** Add items, dropping any whose key is already there; ids give the order (they follow commits). */
export function mergeItems(items: readonly TimelineItem[], added: readonly TimelineItem[]): readonly TimelineItem[] {
  // A live message is newer than everything shown, so it cannot repeat any of it: append it
  // without rebuilding the key set and re-sorting the whole timeline for every message.
  const [only, ...more] = added;
  const last = items.at(-1);
  if (only !== undefined && more.length === 0 && (last === undefined || last.id < only.id)) {
    return [...items, only];
  }
  const known = new Set(items.map((item) => item.key));
  const fresh = added.filter((item) => !known.has(item.key) && known.add(item.key));
  if (fresh.length === 0) return items;
  return [...items, ...fresh].sort((a, b) => a.id - b.id);
}

export function timelineReducer(state: TimelineState, action: TimelineAction): TimelineState {
  if (action.room !== state.room) {
    // Another room starts with its history; anything else late from a room left behind is dropped.
    if (action.type !== 'history') return state;
    state = { ...EMPTY_TIMELINE, room: action.room };
  }
  switch (action.type) {
    case 'history':
      return {
        ...state,
        items: withCurrentStates(mergeItems(state.items, action.messages.map(roomItem)), action.changed.map(roomItem)),
        // After a resume `has_more` is about newer messages; the older side has not changed.
        hasOlder: action.resumed ? state.hasOlder : action.hasMore,
        loaded: true,
      };
    case 'older_loading':
      return { ...state, loadingOlder: true, olderError: null };
    case 'older_loaded':
      return {
        ...state,
        items: mergeItems(state.items, action.messages.map(roomItem)),
        hasOlder: action.hasMore,
        loadingOlder: false,
      };
    case 'older_failed':
      return { ...state, loadingOlder: false, olderError: action.error };
    case 'room_message':
      return { ...state, items: mergeItems(state.items, [roomItem(action.message)]) };
    case 'edited':
      return withItem(state, action.event.id, (held) => withEdit(held, action.event));
    case 'deleted':
      return withItem(state, action.id, tombstone);
    case 'reaction':
      return withItem(state, action.event.id, (held) => {
        const reactions = held.deleted ? held.reactions : withReaction(held.reactions, action.event);
        return reactions === held.reactions ? held : { ...held, reactions };
      });
  }
}

function withItem(state: TimelineState, id: number, change: (held: TimelineItem) => TimelineItem): TimelineState {
  const items = updateById(state.items, id, change);
  return items === state.items ? state : { ...state, items };
}

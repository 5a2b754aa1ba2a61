/**
 * A room's timeline: its messages in order, each once. Private messages never enter it: they live
 * in their conversations, live and after a reload alike.
 */
import type { PrivateMessage, RoomMessage } from '@/lib/protocol';

/** One message as a list shows it, room or private. */
export interface TimelineItem {
  key: string;
  id: number;
  user: string;
  text: string;
  timestamp: string;
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
  | { type: 'history'; messages: readonly RoomMessage[]; hasMore: boolean; resumed: boolean }
  | { type: 'older_loading' }
  | { type: 'older_loaded'; messages: readonly RoomMessage[]; hasMore: boolean }
  | { type: 'older_failed'; error: string }
  | { type: 'room_message'; message: RoomMessage }
);

export function roomItem(message: RoomMessage): TimelineItem {
  return { key: `room:${message.id}`, id: message.id, user: message.user, text: message.message, timestamp: message.timestamp };
}

export function privateItem(message: PrivateMessage): TimelineItem {
  return { key: `private:${message.id}`, id: message.id, user: message.user, text: message.message, timestamp: message.timestamp };
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
        items: mergeItems(state.items, action.messages.map(roomItem)),
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
  }
}

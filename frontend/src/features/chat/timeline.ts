/** The room timeline: room messages and the private messages seen live, in time order, each once. */
import type { PrivateMessage, RoomMessage } from '@/lib/protocol';

export type TimelineItem =
  | { kind: 'room'; key: string; id: number; user: string; text: string; timestamp: string }
  | {
      kind: 'private';
      key: string;
      id: number;
      /** in: sent to me; out: sent by me. */
      direction: 'in' | 'out';
      /** The other person. */
      peer: string;
      user: string;
      text: string;
      timestamp: string;
    };

export interface TimelineState {
  items: readonly TimelineItem[];
  /** Older room messages exist on the server (page them with `before=`). */
  hasOlder: boolean;
  /** The first history arrived. */
  loaded: boolean;
  loadingOlder: boolean;
  olderError: string | null;
}

export const EMPTY_TIMELINE: TimelineState = {
  items: [],
  hasOlder: false,
  loaded: false,
  loadingOlder: false,
  olderError: null,
};

export type TimelineAction =
  | { type: 'history'; messages: readonly RoomMessage[]; hasMore: boolean; resumed: boolean }
  | { type: 'older_loading' }
  | { type: 'older_loaded'; messages: readonly RoomMessage[]; hasMore: boolean }
  | { type: 'older_failed'; error: string }
  | { type: 'room_message'; message: RoomMessage }
  | { type: 'private_message'; message: PrivateMessage; direction: 'in' | 'out' };

export function roomItem(message: RoomMessage): TimelineItem {
  return {
    kind: 'room',
    key: `room:${message.id}`,
    id: message.id,
    user: message.user,
    text: message.message,
    timestamp: message.timestamp,
  };
}

export function privateItem(message: PrivateMessage, direction: 'in' | 'out'): TimelineItem {
  return {
    kind: 'private',
    key: `private:${message.id}`,
    id: message.id,
    direction,
    peer: direction === 'in' ? message.user : message.to,
    user: message.user,
    text: message.message,
    timestamp: message.timestamp,
  };
}

/** Timestamps share one fixed ISO shape, so comparing the strings compares the times. */
function compare(a: TimelineItem, b: TimelineItem): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === 'room' ? -1 : 1;
  return a.id - b.id;
}

/** Add items, dropping any whose key is already there, and keep the order. */
export function mergeItems(items: readonly TimelineItem[], added: readonly TimelineItem[]): readonly TimelineItem[] {
  // A live message sorts after everything shown, so it cannot repeat any of it: append it
  // without rebuilding the key set and re-sorting the whole timeline for every message.
  const [only, ...more] = added;
  const last = items.at(-1);
  if (only !== undefined && more.length === 0 && (last === undefined || compare(last, only) < 0)) {
    return [...items, only];
  }
  const known = new Set(items.map((item) => item.key));
  const fresh = added.filter((item) => !known.has(item.key) && known.add(item.key));
  if (fresh.length === 0) return items;
  return [...items, ...fresh].sort(compare);
}

export function timelineReducer(state: TimelineState, action: TimelineAction): TimelineState {
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
    case 'private_message':
      return { ...state, items: mergeItems(state.items, [privateItem(action.message, action.direction)]) };
  }
}

export function oldestRoomMessageId(items: readonly TimelineItem[]): number | null {
  const room = items.find((item) => item.kind === 'room');
  return room ? room.id : null;
}

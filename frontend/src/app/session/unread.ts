/**
 * Unread counts for the sidebar and the page title. Rooms other than the open one are counted by
 * the server (`GET /api/rooms/`, fetched again on focus and reconnect: their sockets are not
 * open); the open room is counted here from its timeline, exactly wherever the timeline reaches
 * back to the read marker.
 *
 * A room counts only once the person has read in it (it has a read marker). Every room is open to
 * everyone, and the server counts every message of a room never read: a newcomer would otherwise
 * see the whole history of every room as unread.
 */

export interface RoomReadState {
  name: string;
  unread_count: number;
  last_read_id: number | null;
}

export interface OpenTimeline {
  room: string;
  items: readonly { id: number; user: string }[];
  hasOlder: boolean;
  loaded: boolean;
}

export interface RoomUnreadInputs {
  rooms: readonly RoomReadState[];
  /** Read markers known here, newer than the list maybe (marked here, or in another tab). */
  markers: Readonly<Record<string, number>>;
  open: OpenTimeline | null;
  me: string;
}

export function roomUnreadCounts({ rooms, markers, open, me }: RoomUnreadInputs): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const room of rooms) {
    const local = markers[room.name] ?? 0;
    // Read here since the list was fetched: the server's count is from before, and the next
    // list says how many are left. Until then: none, which is what reading up to here means.
    const stale = local > (room.last_read_id ?? 0);
    counts[room.name] = stale || room.last_read_id === null ? 0 : room.unread_count;
  }
  if (open?.loaded) {
    const listed = rooms.find((room) => room.name === open.room);
    const marker = Math.max(markers[open.room] ?? 0, listed?.last_read_id ?? 0);
    if (marker === 0) return { ...counts, [open.room]: 0 };
    const counted = open.items.filter((item) => item.user !== me && item.id > marker).length;
    const oldest = open.items[0]?.id;
    const covered = !open.hasOlder || (oldest !== undefined && oldest <= marker);
    counts[open.room] = covered ? counted : Math.max(counted, counts[open.room] ?? 0);
  }
  return counts;
}

export function sumCounts(...groups: Readonly<Record<string, number>>[]): number {
  let total = 0;
  for (const group of groups) for (const count of Object.values(group)) total += count;
  return total;
}

/** "(3) Chat": what a tab in the background says. */
export function pageTitle(total: number, name = 'Chat'): string {
  return total > 0 ? `(${total}) ${name}` : name;
}

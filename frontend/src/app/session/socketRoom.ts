/**
 * Which room's socket is open. The protocol has sockets per room only, and a private message
 * reaches every socket of its recipient, in any room: so a private conversation travels on the
 * socket of the room last opened, which stays open while the person reads or writes privately
 * (they stay "online" there, as they would in the room itself).
 */

export type Place = { page: 'room'; room: string } | { page: 'conversation'; peer: string } | { page: 'other' };

export interface SocketRoomInputs {
  place: Place;
  loggedIn: boolean;
  /** The room last opened in this tab (and not lost since). */
  lastRoom: string | null;
  /** The room last opened in an earlier visit (localStorage). */
  storedRoom: string | null;
  /** The first room of the list, when it is known. */
  firstRoom: string | null;
}

/**
 * The room on screen; elsewhere, for someone logged in, the room last opened in this tab; on a
 * private conversation opened first thing (a reload, a link), the one of the last visit, or else
 * the first room there is. Null: no socket.
 */
export function socketRoomFor({ place, loggedIn, lastRoom, storedRoom, firstRoom }: SocketRoomInputs): string | null {
  if (place.page === 'room') return place.room;
  if (!loggedIn) return null;
  if (lastRoom !== null) return lastRoom;
  if (place.page === 'conversation') return storedRoom ?? firstRoom;
  return null;
}

const storageKey = (user: string) => `chat.lastRoom.${user}`;

export function readStoredRoom(user: string | null): string | null {
  if (user === null) return null;
  try {
    return localStorage.getItem(storageKey(user));
  } catch {
    return null;
  }
}

export function storeRoom(user: string | null, room: string | null): void {
  if (user === null) return;
  try {
    if (room === null) localStorage.removeItem(storageKey(user));
    else localStorage.setItem(storageKey(user), room);
  } catch {
    // Private mode, full storage: the next visit starts without it.
  }
}

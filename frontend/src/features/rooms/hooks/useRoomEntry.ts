import { useEffect, useState } from 'react';
import { api } from '@/lib/client';
import { ApiError, describeError } from '@/lib/http';

export type RoomEntry =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready' }
  | { status: 'failed'; error: string; code: string | null };

/**
 * Make sure `room` can be opened before its socket connects: logged in, `POST /api/rooms/`
 * creates it when new ("If the room doesn't exist yet, it will be created for you"); anonymous,
 * `GET /api/rooms/{name}/` checks it exists. Null: no room, nothing to check.
 */
export function useRoomEntry(room: string | null, loggedIn: boolean): RoomEntry {
  const [entry, setEntry] = useState<{ room: string; entry: RoomEntry } | null>(null);
  useEffect(() => {
    if (room === null) return;
    let cancelled = false;
    const request = loggedIn ? api.enterRoom(room) : api.getRoom(room);
    request
      .then(() => !cancelled && setEntry({ room, entry: { status: 'ready' } }))
      .catch((error: unknown) => {
        if (cancelled) return;
        const code = error instanceof ApiError ? error.code : null;
        const message =
          code === 'room_not_found'
            ? `There is no room named "${room}" yet. Log in to create it.`
            : code === 'forbidden'
              ? 'This room is for staff only.'
              : describeError(error);
        setEntry({ room, entry: { status: 'failed', error: message, code } });
      });
    return () => {
      cancelled = true;
    };
  }, [room, loggedIn]);
  if (room === null) return { status: 'idle' };
  return entry?.room === room ? entry.entry : { status: 'loading' };
}

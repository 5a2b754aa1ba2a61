import { useCallback, useState } from 'react';
import { api } from '@/lib/client';
import { ApiError, describeError } from '@/lib/http';
import { ROOM_NAME_PATTERN } from '@/lib/protocol';

export interface EnterRoom {
  enter(name: string, options?: { adminOnly?: boolean }): Promise<string | null>;
  busy: boolean;
  error: string | null;
}

/**
 * Open a room by name. Logged in, the room is created when it does not exist yet (as in the
 * tutorial), staff only when asked by staff; anonymous visitors can only open rooms that exist.
 * Resolves to the room's name.
 */
export function useEnterRoom(loggedIn: boolean): EnterRoom {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const enter = useCallback(
    async (rawName: string, { adminOnly = false }: { adminOnly?: boolean } = {}) => {
      const name = rawName.trim().replace(/^#/, '');
      if (!ROOM_NAME_PATTERN.test(name)) {
        setError('Room names are 1-64 letters, digits, "_" or "-".');
        return null;
      }
      setBusy(true);
      setError(null);
      try {
        const room = loggedIn ? await api.enterRoom(name, { adminOnly }) : await api.getRoom(name);
        return room.name;
      } catch (caught) {
        if (caught instanceof ApiError && caught.code === 'room_not_found') {
          setError(`There is no room named "${name}" yet. Log in to create it.`);
        } else if (caught instanceof ApiError && caught.code === 'forbidden') {
          setError(`#${name} is for staff only.`);
        } else {
          setError(describeError(caught));
        }
        return null;
      } finally {
        setBusy(false);
      }
    },
    [loggedIn],
  );

  return { enter, busy, error };
}

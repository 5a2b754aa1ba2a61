import { useCallback, useEffect, useState } from 'react';
import { api } from '@/lib/client';
import { describeError } from '@/lib/http';
import type { Room } from '@/lib/protocol';
import { useVisibleInterval } from '@/shared/hooks';

export const ROOMS_POLL_MS = 10_000;

export interface RoomsState {
  rooms: Room[] | null;
  error: string | null;
  /** Fetch the list again now (after entering a room, on reconnect). */
  reload(): void;
}

/**
 * The rooms this person may enter, with online and unread counts: fetched every 10 s while the
 * tab is visible, when the window gets the focus back, and on `reload()`.
 */
export function useRooms(): RoomsState {
  const [state, setState] = useState<Omit<RoomsState, 'reload'>>({ rooms: null, error: null });
  const reload = useCallback(() => {
    api
      .listRooms()
      .then((page) => setState({ rooms: page.results, error: null }))
      .catch((error: unknown) => setState((previous) => ({ ...previous, error: describeError(error) })));
  }, []);
  useVisibleInterval(reload, ROOMS_POLL_MS);
  useEffect(() => {
    globalThis.addEventListener('focus', reload);
    return () => globalThis.removeEventListener('focus', reload);
  }, [reload]);
  return { ...state, reload };
}

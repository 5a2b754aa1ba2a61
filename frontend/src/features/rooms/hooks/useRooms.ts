import { useCallback, useState } from 'react';
import { api } from '@/lib/client';
import { describeError } from '@/lib/http';
import type { Room } from '@/lib/protocol';
import { useVisibleInterval } from '@/shared/hooks';

export const ROOMS_POLL_MS = 10_000;

export interface RoomsState {
  rooms: Room[] | null;
  error: string | null;
}

/** The rooms this person may enter, with online counts refreshed every 10 s while the tab is visible. */
export function useRooms(): RoomsState {
  const [state, setState] = useState<RoomsState>({ rooms: null, error: null });
  const load = useCallback(() => {
    api
      .listRooms()
      .then((page) => setState({ rooms: page.results, error: null }))
      .catch((error: unknown) => setState((previous) => ({ ...previous, error: describeError(error) })));
  }, []);
  useVisibleInterval(load, ROOMS_POLL_MS);
  return state;
}

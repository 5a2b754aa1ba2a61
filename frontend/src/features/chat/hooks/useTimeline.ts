import { useCallback, useLayoutEffect, useMemo, useReducer, useRef } from 'react';
import { api } from '@/lib/client';
import { describeError } from '@/lib/http';
import type { PrivateMessage, RoomMessage } from '@/lib/protocol';
import { EMPTY_TIMELINE, oldestRoomMessageId, timelineReducer, type TimelineState } from '../timeline';

export interface TimelineActions {
  history(messages: readonly RoomMessage[], meta: { hasMore: boolean; resumed: boolean }): void;
  roomMessage(message: RoomMessage): void;
  privateMessage(message: PrivateMessage, direction: 'in' | 'out'): void;
}

const OLDER_PAGE_SIZE = 50;

/** The room's timeline, fed by the socket (through `actions`) and paged back over REST. */
export function useTimeline(room: string): {
  timeline: TimelineState;
  actions: TimelineActions;
  loadOlder(): void;
} {
  const [timeline, dispatch] = useReducer(timelineReducer, EMPTY_TIMELINE);
  const latest = useRef(timeline);
  useLayoutEffect(() => {
    latest.current = timeline;
  }, [timeline]);

  const actions = useMemo<TimelineActions>(
    () => ({
      history: (messages, { hasMore, resumed }) => dispatch({ type: 'history', messages, hasMore, resumed }),
      roomMessage: (message) => dispatch({ type: 'room_message', message }),
      privateMessage: (message, direction) => dispatch({ type: 'private_message', message, direction }),
    }),
    [],
  );

  const loadOlder = useCallback(() => {
    const current = latest.current;
    if (!current.hasOlder || current.loadingOlder) return;
    const before = oldestRoomMessageId(current.items);
    if (before === null) return;
    dispatch({ type: 'older_loading' });
    api
      .roomMessages(room, { before, limit: OLDER_PAGE_SIZE })
      .then((page) => dispatch({ type: 'older_loaded', messages: page.results, hasMore: page.has_more }))
      .catch((error: unknown) => dispatch({ type: 'older_failed', error: describeError(error) }));
  }, [room]);

  return { timeline, actions, loadOlder };
}

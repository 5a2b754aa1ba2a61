import { useCallback, useLayoutEffect, useMemo, useReducer, useRef } from 'react';
import { api } from '@/lib/client';
import { describeError } from '@/lib/http';
import type { MessageDeletedEvent, MessageEditedEvent, ReactionEvent, RoomMessage } from '@/lib/protocol';
import { EMPTY_TIMELINE, timelineReducer, type TimelineState } from '../timeline';

/** A change to a room message (a private one's `room` is null). */
type InRoom<E extends { room: string | null }> = E & { room: string };

export interface TimelineActions {
  /** `changed`: the current state of messages held already (a resume's changes). */
  history(messages: readonly RoomMessage[], meta: { hasMore: boolean; resumed: boolean; changed: readonly RoomMessage[] }): void;
  roomMessage(message: RoomMessage): void;
  edited(event: InRoom<MessageEditedEvent>): void;
  deleted(event: InRoom<MessageDeletedEvent>): void;
  reaction(event: ReactionEvent): void;
}

const OLDER_PAGE_SIZE = 50;

/**
 * The timeline of `room` (null: none), fed by its socket through `actions` and paged back over
 * REST. Another room starts empty: the state says which room it holds.
 */
export function useTimeline(room: string | null): {
  timeline: TimelineState;
  actions: TimelineActions;
  loadOlder(): void;
} {
  const [state, dispatch] = useReducer(timelineReducer, EMPTY_TIMELINE);
  const timeline = room !== null && state.room === room ? state : EMPTY_TIMELINE;
  const latest = useRef(timeline);
  useLayoutEffect(() => {
    latest.current = timeline;
  }, [timeline]);

  const actions = useMemo<TimelineActions>(() => {
    const target = room ?? '';
    return {
      history: (messages, { hasMore, resumed, changed }) =>
        dispatch({ room: target, type: 'history', messages, changed, hasMore, resumed }),
      roomMessage: (message) => dispatch({ room: target, type: 'room_message', message }),
      // The event names its room: one of a room left behind is dropped by the reducer.
      edited: (event) => dispatch({ room: event.room, type: 'edited', event }),
      deleted: (event) => dispatch({ room: event.room, type: 'deleted', id: event.id }),
      reaction: (event) => dispatch({ room: event.room, type: 'reaction', event }),
    };
  }, [room]);

  const loadOlder = useCallback(() => {
    const current = latest.current;
    const before = current.items[0]?.id;
    if (room === null || !current.hasOlder || current.loadingOlder || before === undefined) return;
    dispatch({ room, type: 'older_loading' });
    api
      .roomMessages(room, { before, limit: OLDER_PAGE_SIZE })
      .then((page) => dispatch({ room, type: 'older_loaded', messages: page.results, hasMore: page.has_more }))
      .catch((error: unknown) => dispatch({ room, type: 'older_failed', error: describeError(error) }));
  }, [room]);

  return { timeline, actions, loadOlder };
}

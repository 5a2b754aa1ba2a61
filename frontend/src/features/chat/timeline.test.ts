import type { RoomMessage } from '@/lib/protocol';
import { EMPTY_TIMELINE, timelineReducer } from './timeline';

const message = (id: number, room = 'lobby'): RoomMessage => ({
  id,
  room,
  user: 'bob',
  message: `m${id}`,
  timestamp: `2026-11-24T09:00:${String(id).padStart(2, '0')}.000000Z`,
});

const room = 'lobby';

describe('timelineReducer', () => {
  it('keeps messages in order and each id once', () => {
    let state = timelineReducer(EMPTY_TIMELINE, { room, type: 'history', messages: [message(3), message(4)], hasMore: true, resumed: false });
    state = timelineReducer(state, { room, type: 'room_message', message: message(5) });
    state = timelineReducer(state, { room, type: 'room_message', message: message(4) });
    state = timelineReducer(state, { room, type: 'older_loaded', messages: [message(1), message(2), message(3)], hasMore: false });
    expect(state.items.map((item) => item.id)).toEqual([1, 2, 3, 4, 5]);
    expect(state.hasOlder).toBe(false);
  });

  it('drops a repeat of the newest message and puts a late older one in its place', () => {
    let state = timelineReducer(EMPTY_TIMELINE, { room, type: 'history', messages: [message(2), message(4)], hasMore: false, resumed: false });
    state = timelineReducer(state, { room, type: 'room_message', message: message(4) });
    state = timelineReducer(state, { room, type: 'room_message', message: message(3) });
    state = timelineReducer(state, { room, type: 'room_message', message: message(5) });
    expect(state.items.map((item) => item.id)).toEqual([2, 3, 4, 5]);
  });

  it("does not take a resumed history's has_more for older messages", () => {
    let state = timelineReducer(EMPTY_TIMELINE, { room, type: 'history', messages: [message(3)], hasMore: true, resumed: false });
    state = timelineReducer(state, { room, type: 'history', messages: [message(4)], hasMore: false, resumed: true });
    expect(state.hasOlder).toBe(true);
  });

  it('starts afresh with the history of another room and ignores late pages of the one left', () => {
    let state = timelineReducer(EMPTY_TIMELINE, { room, type: 'history', messages: [message(3)], hasMore: true, resumed: false });
    state = timelineReducer(state, { room: 'random', type: 'history', messages: [message(7, 'random')], hasMore: false, resumed: false });
    state = timelineReducer(state, { room, type: 'older_loaded', messages: [message(1)], hasMore: false });
    expect(state.room).toBe('random');
    expect(state.items.map((item) => item.id)).toEqual([7]);
  });
});

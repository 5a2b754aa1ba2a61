import type { RoomMessage } from '@/lib/protocol';
import { EMPTY_TIMELINE, timelineReducer } from './timeline';

const message = (id: number, room = 'lobby'): RoomMessage => ({
  id,
  room,
  user: 'bob',
  message: `m${id}`,
  timestamp: `2026-11-24T09:00:${String(id).padStart(2, '0')}.000000Z`,
  edited_at: null,
  deleted: false,
  reactions: [],
});

const room = 'lobby';

describe('timelineReducer', () => {
  it('keeps messages in order and each id once', () => {
    let state = timelineReducer(EMPTY_TIMELINE, { room, type: 'history', messages: [message(3), message(4)], changed: [], hasMore: true, resumed: false });
    state = timelineReducer(state, { room, type: 'room_message', message: message(5) });
    state = timelineReducer(state, { room, type: 'room_message', message: message(4) });
    state = timelineReducer(state, { room, type: 'older_loaded', messages: [message(1), message(2), message(3)], hasMore: false });
    expect(state.items.map((item) => item.id)).toEqual([1, 2, 3, 4, 5]);
    expect(state.hasOlder).toBe(false);
  });

  it('drops a repeat of the newest message and puts a late older one in its place', () => {
    let state = timelineReducer(EMPTY_TIMELINE, { room, type: 'history', messages: [message(2), message(4)], changed: [], hasMore: false, resumed: false });
    state = timelineReducer(state, { room, type: 'room_message', message: message(4) });
    state = timelineReducer(state, { room, type: 'room_message', message: message(3) });
    state = timelineReducer(state, { room, type: 'room_message', message: message(5) });
    expect(state.items.map((item) => item.id)).toEqual([2, 3, 4, 5]);
  });

  it("does not take a resumed history's has_more for older messages", () => {
    let state = timelineReducer(EMPTY_TIMELINE, { room, type: 'history', messages: [message(3)], changed: [], hasMore: true, resumed: false });
    state = timelineReducer(state, { room, type: 'history', messages: [message(4)], changed: [], hasMore: false, resumed: true });
    expect(state.hasOlder).toBe(true);
  });

  it('starts afresh with the history of another room and ignores late pages of the one left', () => {
    let state = timelineReducer(EMPTY_TIMELINE, { room, type: 'history', messages: [message(3)], changed: [], hasMore: true, resumed: false });
    state = timelineReducer(state, { room: 'random', type: 'history', messages: [message(7, 'random')], changed: [], hasMore: false, resumed: false });
    state = timelineReducer(state, { room, type: 'older_loaded', messages: [message(1)], hasMore: false });
    expect(state.room).toBe('random');
    expect(state.items.map((item) => item.id)).toEqual([7]);
  });

  describe('changes to messages held', () => {
    const loaded = () =>
      timelineReducer(EMPTY_TIMELINE, { room, type: 'history', messages: [message(1), message(2)], changed: [], hasMore: false, resumed: false });
    const at = '2026-11-24T10:00:00.000000Z';

    it('shows an edit, and ignores one of a message it does not hold', () => {
      let state = timelineReducer(loaded(), { room, type: 'edited', event: { id: 2, message: 'better', edited_at: at } });
      expect(state.items[1]).toMatchObject({ id: 2, message: 'better', edited_at: at });
      const before = state;
      state = timelineReducer(state, { room, type: 'edited', event: { id: 9, message: 'unknown', edited_at: at } });
      expect(state).toBe(before);
    });

    it('ignores a change in another room', () => {
      const state = loaded();
      expect(timelineReducer(state, { room: 'random', type: 'deleted', id: 1 })).toBe(state);
    });

    it('turns a deleted message into a tombstone, without text or reactions, for good', () => {
      let state = timelineReducer(loaded(), { room, type: 'reaction', event: { id: 1, emoji: '👍', user: 'carol', added: true } });
      state = timelineReducer(state, { room, type: 'deleted', id: 1 });
      expect(state.items[0]).toMatchObject({ id: 1, message: '', deleted: true, reactions: [] });
      state = timelineReducer(state, { room, type: 'edited', event: { id: 1, message: 'late edit', edited_at: at } });
      state = timelineReducer(state, { room, type: 'reaction', event: { id: 1, emoji: '🎉', user: 'carol', added: true } });
      expect(state.items[0]).toMatchObject({ message: '', deleted: true, reactions: [] });
    });

    it('applies reactions', () => {
      let state = timelineReducer(loaded(), { room, type: 'reaction', event: { id: 2, emoji: '👍', user: 'carol', added: true } });
      state = timelineReducer(state, { room, type: 'reaction', event: { id: 2, emoji: '👍', user: 'dan', added: true } });
      expect(state.items[1]?.reactions).toEqual([{ emoji: '👍', count: 2, users: ['carol', 'dan'] }]);
    });

    it("replaces held messages with a resume's changes, and ignores changes of messages not held", () => {
      const edited = { ...message(1), message: 'edited while away', edited_at: at, reactions: [{ emoji: '🎉', count: 1, users: ['bob'] }] };
      const state = timelineReducer(loaded(), {
        room,
        type: 'history',
        messages: [message(3)],
        changed: [edited, { ...message(0), deleted: true, message: '' }],
        hasMore: false,
        resumed: true,
      });
      expect(state.items.map((item) => [item.id, item.message])).toEqual([
        [1, 'edited while away'],
        [2, 'm2'],
        [3, 'm3'],
      ]);
      expect(state.items[0]?.reactions).toEqual(edited.reactions);
    });
  });
});

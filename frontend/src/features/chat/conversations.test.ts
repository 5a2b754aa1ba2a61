import type { Conversation, PrivateMessage } from '@/lib/protocol';
import { EMPTY_CONVERSATIONS, conversationsReducer, newestPrivateId, readIsExact } from './conversations';

const pm = (id: number, user: string, to: string): PrivateMessage => ({
  id,
  user,
  to,
  message: `pm ${id}`,
  timestamp: `2026-11-24T09:00:${String(id).padStart(2, '0')}.000000Z`,
  edited_at: null,
  deleted: false,
});

const listed = (user: string, last: PrivateMessage, unread = 0, lastReadId: number | null = null): Conversation => ({
  user,
  last_message: last,
  unread_count: unread,
  last_read_id: lastReadId,
});

describe('conversationsReducer', () => {
  it('orders conversations most recent first, with the server counts, and counts live messages', () => {
    let state = conversationsReducer(EMPTY_CONVERSATIONS, {
      type: 'list_loaded',
      conversations: [listed('bob', pm(2, 'bob', 'alice'), 2, null), listed('carol', pm(1, 'alice', 'carol'))],
    });
    expect(state.order).toEqual(['bob', 'carol']);
    expect(state.byPeer.bob?.unread).toBe(2);
    state = conversationsReducer(state, { type: 'live', peer: 'carol', message: pm(3, 'carol', 'alice') });
    state = conversationsReducer(state, { type: 'live', peer: 'carol', message: pm(3, 'carol', 'alice') });
    state = conversationsReducer(state, { type: 'live', peer: 'carol', message: pm(4, 'alice', 'carol') });
    expect(state.order).toEqual(['carol', 'bob']);
    expect(state.byPeer.carol?.unread).toBe(1);
    expect(state.byPeer.carol?.messages.map((m) => m.id)).toEqual([1, 3, 4]);
  });

  it('goes to zero when read up to the newest message, and counts what is after a marker it can see', () => {
    let state = conversationsReducer(EMPTY_CONVERSATIONS, {
      type: 'page_loaded',
      peer: 'bob',
      messages: [pm(1, 'bob', 'alice'), pm(2, 'bob', 'alice'), pm(3, 'bob', 'alice')],
      hasMore: false,
    });
    state = conversationsReducer(state, { type: 'read', peer: 'bob', id: 1 });
    expect(state.byPeer.bob?.unread).toBe(2);
    state = conversationsReducer(state, { type: 'read', peer: 'bob', id: 3 });
    expect(state.byPeer.bob?.unread).toBe(0);
    // Markers only move forward.
    state = conversationsReducer(state, { type: 'read', peer: 'bob', id: 2 });
    expect(state.byPeer.bob).toMatchObject({ unread: 0, lastReadId: 3 });
  });

  it('does not count a message from before the marker, nor take a stale server count over its own marker', () => {
    let state = conversationsReducer(EMPTY_CONVERSATIONS, { type: 'list_loaded', conversations: [listed('bob', pm(5, 'bob', 'alice'), 1, 4)] });
    state = conversationsReducer(state, { type: 'read', peer: 'bob', id: 5 });
    expect(state.byPeer.bob?.unread).toBe(0);
    // The list fetched before the marker arrived at the server still says 1.
    state = conversationsReducer(state, { type: 'list_loaded', conversations: [listed('bob', pm(5, 'bob', 'alice'), 1, 4)] });
    expect(state.byPeer.bob?.unread).toBe(0);
  });

  it('knows when a marker falls among messages it never loaded', () => {
    const state = conversationsReducer(EMPTY_CONVERSATIONS, { type: 'list_loaded', conversations: [listed('bob', pm(9, 'bob', 'alice'), 5, 2)] });
    expect(readIsExact(state.byPeer.bob, 9)).toBe(true);
    expect(readIsExact(state.byPeer.bob, 6)).toBe(false);
  });

  it('merges pages with live messages, oldest first, each once', () => {
    let state = conversationsReducer(EMPTY_CONVERSATIONS, { type: 'live', peer: 'bob', message: pm(5, 'bob', 'alice') });
    state = conversationsReducer(state, { type: 'page_loading', peer: 'bob' });
    expect(state.byPeer.bob?.loading).toBe(true);
    state = conversationsReducer(state, {
      type: 'page_loaded',
      peer: 'bob',
      messages: [pm(3, 'alice', 'bob'), pm(4, 'bob', 'alice'), pm(5, 'bob', 'alice')],
      hasMore: true,
    });
    expect(state.byPeer.bob).toMatchObject({ loaded: true, loading: false, hasOlder: true });
    expect(state.byPeer.bob?.messages.map((m) => m.id)).toEqual([3, 4, 5]);
  });
});

describe('live private messages', () => {
  it('drop a repeat of the newest one and put a late older one in its place', () => {
    let state = EMPTY_CONVERSATIONS;
    for (const id of [2, 4, 4, 3, 5]) {
      state = conversationsReducer(state, { type: 'live', peer: 'bob', message: pm(id, 'bob', 'alice') });
    }
    expect(state.byPeer.bob?.messages.map((message) => message.id)).toEqual([2, 3, 4, 5]);
  });
});

describe('newestPrivateId', () => {
  it('is 0 before any private message and then the largest id in any conversation', () => {
    expect(newestPrivateId(EMPTY_CONVERSATIONS)).toBe(0);
    let state = conversationsReducer(EMPTY_CONVERSATIONS, { type: 'live', peer: 'bob', message: pm(7, 'bob', 'alice') });
    state = conversationsReducer(state, { type: 'live', peer: 'carol', message: pm(3, 'alice', 'carol') });
    expect(newestPrivateId(state)).toBe(7);
  });
});

describe('conversationsReducer: edits and deletes', () => {
  const at = '2026-11-24T10:00:00.000000Z';
  function two() {
    let state = conversationsReducer(EMPTY_CONVERSATIONS, { type: 'live', peer: 'bob', message: pm(7, 'bob', 'alice') });
    state = conversationsReducer(state, { type: 'live', peer: 'carol', message: pm(3, 'alice', 'carol') });
    return state;
  }

  it('finds the message in whichever conversation holds it', () => {
    let state = conversationsReducer(two(), { type: 'edited', event: { id: 3, message: 'fixed', edited_at: at } });
    expect(state.byPeer.carol?.messages[0]).toMatchObject({ message: 'fixed', edited_at: at });
    state = conversationsReducer(state, { type: 'deleted', id: 7 });
    expect(state.byPeer.bob?.messages[0]).toMatchObject({ message: '', deleted: true });
  });

  it('ignores a change to a message it does not hold', () => {
    const state = two();
    expect(conversationsReducer(state, { type: 'deleted', id: 99 })).toBe(state);
    expect(conversationsReducer(state, { type: 'changed', messages: [{ ...pm(98, 'bob', 'alice'), deleted: true }] })).toBe(state);
  });

  it("applies a reconnect's changes, keeping a tombstone one", () => {
    let state = conversationsReducer(two(), { type: 'deleted', id: 7 });
    state = conversationsReducer(state, {
      type: 'changed',
      messages: [
        { ...pm(7, 'bob', 'alice'), message: 'edited before the delete', edited_at: at },
        { ...pm(3, 'alice', 'carol'), message: 'edited while away', edited_at: at },
      ],
    });
    expect(state.byPeer.bob?.messages[0]).toMatchObject({ deleted: true, message: '' });
    expect(state.byPeer.carol?.messages[0]).toMatchObject({ message: 'edited while away' });
  });
});

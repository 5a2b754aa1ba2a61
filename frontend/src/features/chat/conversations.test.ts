import type { PrivateMessage } from '@/lib/protocol';
import { EMPTY_CONVERSATIONS, conversationsReducer, newestPrivateId } from './conversations';

const pm = (id: number, user: string, to: string): PrivateMessage => ({
  id,
  user,
  to,
  message: `pm ${id}`,
  timestamp: `2026-11-24T09:00:${String(id).padStart(2, '0')}.000000Z`,
});

describe('conversationsReducer', () => {
  it('orders conversations most recent first and counts unread live messages', () => {
    let state = conversationsReducer(EMPTY_CONVERSATIONS, {
      type: 'list_loaded',
      conversations: [
        { user: 'bob', last_message: pm(2, 'bob', 'alice') },
        { user: 'carol', last_message: pm(1, 'alice', 'carol') },
      ],
    });
    expect(state.order).toEqual(['bob', 'carol']);
    state = conversationsReducer(state, { type: 'live', peer: 'carol', message: pm(3, 'carol', 'alice'), unread: true });
    state = conversationsReducer(state, { type: 'live', peer: 'carol', message: pm(3, 'carol', 'alice'), unread: true });
    expect(state.order).toEqual(['carol', 'bob']);
    expect(state.byPeer.carol?.unread).toBe(2);
    expect(state.byPeer.carol?.messages.map((m) => m.id)).toEqual([1, 3]);
    state = conversationsReducer(state, { type: 'read', peer: 'carol' });
    expect(state.byPeer.carol?.unread).toBe(0);
  });

  it('merges pages with live messages, oldest first, each once', () => {
    let state = conversationsReducer(EMPTY_CONVERSATIONS, { type: 'live', peer: 'bob', message: pm(5, 'bob', 'alice'), unread: false });
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
      state = conversationsReducer(state, { type: 'live', peer: 'bob', message: pm(id, 'bob', 'alice'), unread: false });
    }
    expect(state.byPeer.bob?.messages.map((message) => message.id)).toEqual([2, 3, 4, 5]);
  });
});

describe('newestPrivateId', () => {
  it('is 0 before any private message and then the largest id in any conversation', () => {
    expect(newestPrivateId(EMPTY_CONVERSATIONS)).toBe(0);
    let state = conversationsReducer(EMPTY_CONVERSATIONS, { type: 'live', peer: 'bob', message: pm(7, 'bob', 'alice'), unread: true });
    state = conversationsReducer(state, { type: 'live', peer: 'carol', message: pm(3, 'alice', 'carol'), unread: false });
    expect(newestPrivateId(state)).toBe(7);
  });
});

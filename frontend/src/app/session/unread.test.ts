import { pageTitle, roomUnreadCounts, sumCounts, type RoomReadState } from './unread';

const room = (name: string, unread: number, lastRead: number | null): RoomReadState => ({
  name,
  unread_count: unread,
  last_read_id: lastRead,
});
const items = (...ids: [number, string][]) => ids.map(([id, user]) => ({ id, user }));

describe('roomUnreadCounts', () => {
  it("takes the server's counts for rooms that are not open", () => {
    expect(roomUnreadCounts({ rooms: [room('lobby', 3, 10), room('random', 0, 4)], markers: {}, open: null, me: 'alice' })).toEqual({
      lobby: 3,
      random: 0,
    });
  });

  it('counts nothing in a room the person never read in, open or not', () => {
    expect(roomUnreadCounts({ rooms: [room('lobby', 25, null)], markers: {}, open: null, me: 'alice' })).toEqual({ lobby: 0 });
    const open = { room: 'lobby', items: items([1, 'bob'], [2, 'bob']), hasOlder: false, loaded: true };
    expect(roomUnreadCounts({ rooms: [room('lobby', 2, null)], markers: {}, open, me: 'alice' })).toEqual({ lobby: 0 });
  });

  it('counts none in a room read here since the list was fetched', () => {
    const counts = roomUnreadCounts({ rooms: [room('lobby', 3, 10)], markers: { lobby: 13 }, open: null, me: 'alice' });
    expect(counts.lobby).toBe(0);
  });

  it('counts the open room from its timeline: messages of others after the marker', () => {
    const open = { room: 'lobby', items: items([11, 'bob'], [12, 'alice'], [13, 'bob'], [14, 'carol']), hasOlder: true, loaded: true };
    expect(roomUnreadCounts({ rooms: [room('lobby', 1, 11)], markers: { lobby: 12 }, open, me: 'alice' }).lobby).toBe(2);
    expect(roomUnreadCounts({ rooms: [room('lobby', 1, 11)], markers: { lobby: 14 }, open, me: 'alice' }).lobby).toBe(0);
  });

  it("keeps the server's larger count while the timeline does not reach back to the marker", () => {
    const open = { room: 'lobby', items: items([41, 'bob'], [42, 'bob']), hasOlder: true, loaded: true };
    expect(roomUnreadCounts({ rooms: [room('lobby', 25, 17)], markers: {}, open, me: 'alice' }).lobby).toBe(25);
    // Once everything after the marker is loaded, the timeline is exact.
    const all = { ...open, hasOlder: false };
    expect(roomUnreadCounts({ rooms: [room('lobby', 25, 17)], markers: {}, open: all, me: 'alice' }).lobby).toBe(2);
  });

  it('counts an open room that is not listed yet, once read in', () => {
    const open = { room: 'new', items: items([1, 'bob'], [2, 'bob']), hasOlder: false, loaded: true };
    expect(roomUnreadCounts({ rooms: [], markers: { new: 1 }, open, me: 'alice' })).toEqual({ new: 1 });
  });
});

describe('the page title', () => {
  it('shows the total unread of rooms and conversations', () => {
    expect(pageTitle(sumCounts({ lobby: 2, random: 0 }, { bob: 1 }))).toBe('(3) Chat');
    expect(pageTitle(sumCounts({}, {}))).toBe('Chat');
  });
});

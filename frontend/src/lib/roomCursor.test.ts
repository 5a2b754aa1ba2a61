import { BoundedSet } from './boundedSet';
import type { RoomMessage } from './protocol';
import { RoomCursor } from './roomCursor';

function message(id: number): RoomMessage {
  return { id, room: 'lobby', user: 'bob', message: `message ${id}`, timestamp: '2026-11-24T09:00:00.000000Z', edited_at: null, deleted: false, reactions: [] };
}

const ids = (messages: readonly RoomMessage[]) => messages.map((m) => m.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));

describe('RoomCursor', () => {
  it('keeps no id one by one while the stream has no gap, and still drops every replay', () => {
    const cursor = new RoomCursor();
    cursor.history(range(1, 10), { resumed: false, hasMore: true });
    for (const m of range(11, 50_000)) expect(cursor.live(m)).toBe(true);
    expect(cursor.held).toBe(0);
    expect(cursor.after).toBe(50_000);
    // Replays: a resume history that overlaps, an echo, a REST page.
    expect(cursor.history(range(49_990, 50_001), { resumed: true, hasMore: false }).map((m) => m.id)).toEqual([50_001]);
    expect(cursor.live(message(7))).toBe(false);
    expect(ids(cursor.page(0, { results: range(1, 100), has_more: false }))).toEqual([]);
  });

  it('holds the ids above a gap until it is filled, then forgets them', () => {
    const cursor = new RoomCursor();
    cursor.history(range(1, 2), { resumed: false, hasMore: false });
    cursor.history(range(3, 102), { resumed: true, hasMore: true });
    expect(cursor.gapOpen).toBe(true);
    expect(cursor.after).toBe(102);
    for (const m of range(500, 520)) cursor.live(m);
    expect(cursor.after).toBe(102);
    expect(cursor.held).toBe(21);
    expect(cursor.live(message(510))).toBe(false);

    expect(ids(cursor.page(102, { results: range(103, 202), has_more: true }))).toEqual(ids(range(103, 202)));
    expect(cursor.after).toBe(202);
    expect(ids(cursor.page(202, { results: range(203, 505), has_more: false }))).toEqual(ids(range(203, 499)));
    expect(cursor.gapOpen).toBe(false);
    expect(cursor.after).toBe(520);
    expect(cursor.held).toBe(0);
  });

  it('does not move for a page that does not start at it', () => {
    const cursor = new RoomCursor();
    cursor.history(range(1, 2), { resumed: false, hasMore: false });
    cursor.history(range(3, 4), { resumed: true, hasMore: true });
    cursor.page(10, { results: range(11, 12), has_more: false });
    expect(cursor.after).toBe(4);
    expect(cursor.gapOpen).toBe(true);
  });

  it('holds at most its limit of ids above a gap that never closes', () => {
    const cursor = new RoomCursor();
    cursor.history([message(1)], { resumed: true, hasMore: true });
    for (const m of range(1_000, 30_000)) cursor.live(m);
    expect(cursor.held).toBe(10_000);
  });
});

describe('BoundedSet', () => {
  it('forgets the oldest value past its limit', () => {
    const set = new BoundedSet<string>(2);
    expect(set.add('a')).toBe(true);
    expect(set.add('b')).toBe(true);
    expect(set.add('a')).toBe(false);
    set.add('c');
    expect([set.has('a'), set.has('b'), set.has('c')]).toEqual([false, true, true]);
    expect(set.size).toBe(2);
  });
});

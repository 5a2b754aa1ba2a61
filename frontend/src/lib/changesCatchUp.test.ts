import { ChangesCatchUp, olderChangesBefore } from './changesCatchUp';
import type { MessagePage, RoomMessage } from './protocol';

const message = (id: number): RoomMessage => ({
  id,
  room: 'lobby',
  user: 'bob',
  message: `m${id}`,
  timestamp: '2026-11-24T09:00:00.000000Z',
  edited_at: '2026-11-24T10:00:00.000000Z',
  deleted: false,
  reactions: [],
});
const page = (ids: number[], hasMore: boolean): MessagePage<RoomMessage> => ({ results: ids.map(message), has_more: hasMore });

function setup(fetchChanges: (after: number, before: number) => Promise<MessagePage<RoomMessage>>) {
  const pages: number[][] = [];
  const catchUp = new ChangesCatchUp({
    fetchChanges: vi.fn(fetchChanges),
    onPage: (changed) => pages.push(changed.map((changedMessage) => changedMessage.id)),
    backoff: { initialMs: 100, maxMs: 1000 },
    random: () => 1,
  });
  return { catchUp, pages };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ChangesCatchUp', () => {
  it("pages back from the history's oldest change while has_more", async () => {
    const calls: [number, number][] = [];
    const { catchUp, pages } = setup(async (after, before) => {
      calls.push([after, before]);
      return before === 40 ? page([20, 30], true) : page([10], false);
    });
    catchUp.start(90, [message(40), message(50)], true);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([
      [90, 40],
      [90, 20],
    ]);
    expect(pages).toEqual([[20, 30], [10]]);
  });

  it('does nothing when the history carried every change', async () => {
    const { catchUp, pages } = setup(async () => page([1], false));
    catchUp.start(90, [message(40)], false);
    await vi.advanceTimersByTimeAsync(0);
    expect(pages).toEqual([]);
  });

  it('fetches a failed page again, with backoff', async () => {
    let failures = 1;
    const { catchUp, pages } = setup(async () => {
      if (failures-- > 0) throw new Error('offline');
      return page([10], false);
    });
    catchUp.start(90, [message(40)], true);
    await vi.advanceTimersByTimeAsync(0);
    expect(pages).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(pages).toEqual([[10]]);
  });

  it('gives up a run that a newer history superseded', async () => {
    let calls = 0;
    const { catchUp } = setup(async () => {
      calls += 1;
      throw new Error('offline');
    });
    catchUp.start(90, [message(40)], true);
    await vi.advanceTimersByTimeAsync(0);
    catchUp.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
  });
});

describe('olderChangesBefore', () => {
  it("is the page's oldest id while has_more, and null at the end or when the page reaches no further", () => {
    expect(olderChangesBefore(page([20, 30], true), 40)).toBe(20);
    expect(olderChangesBefore(page([20, 30], false), 40)).toBeNull();
    expect(olderChangesBefore(page([], true), 40)).toBeNull();
    expect(olderChangesBefore(page([40], true), 40)).toBeNull();
    expect(olderChangesBefore(page([40], true))).toBe(40);
  });
});

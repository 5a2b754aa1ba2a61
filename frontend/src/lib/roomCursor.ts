/**
 * Which room messages a socket has seen: a resume cursor, and the few ids above it.
 *
 * Every room message up to `after` has been seen. The cursor only moves over runs of ids that are
 * known to have no hole: a history frame, the live stream that follows it, a REST page fetched
 * from the cursor. So ids at or below it need no memory for de-duplication, and only ids above
 * it are kept one by one. Those exist while a gap is open: a resumed history said more messages
 * wait than it carried, live messages arrive beyond that stretch, and the cursor stays at its
 * start until REST pages fill it (or the next resume does), so that no drop can skip it.
 */
import { BoundedSet } from './boundedSet';
import type { MessagePage, RoomMessage } from './protocol';

/**
 * Ids kept above the cursor. Only a gap that stays open for this many live messages reaches it;
 * the oldest are then forgotten, and a replay of one of those is no longer recognised here (the
 * timeline still shows it once: it merges by id).
 */
const ABOVE_LIMIT = 10_000;

export class RoomCursor {
  private cursor = 0;
  private maxSeen = 0;
  private gap = false;
  private readonly above = new BoundedSet<number>(ABOVE_LIMIT);

  /** The `after=` of the next resume and of REST catch-up. */
  get after(): number {
    return this.cursor;
  }

  get gapOpen(): boolean {
    return this.gap;
  }

  /** How many ids are kept one by one: none without a gap, never more than the limit. */
  get held(): number {
    return this.above.size;
  }

  /**
   * A history frame: the latest messages on a first connect, or the ones after `after=` on a
   * resume. Returns those not seen before.
   */
  history(messages: readonly RoomMessage[], { resumed, hasMore }: { resumed: boolean; hasMore: boolean }): RoomMessage[] {
    const fresh = this.keepFresh(messages);
    // A first connect's has_more speaks of older messages, which the cursor never needs.
    this.gap = resumed && hasMore;
    this.advance(this.gap ? (messages.at(-1)?.id ?? 0) : this.maxSeen);
    return fresh;
  }

  /** A live message (or the echo of one this socket sent). False when it was seen before. */
  live(message: RoomMessage): boolean {
    const fresh = this.keepFresh([message]).length > 0;
    if (!this.gap) this.advance(this.maxSeen);
    return fresh;
  }

  /** A REST page fetched with `after`. Returns the messages not seen before. */
  page(after: number, page: MessagePage<RoomMessage>): RoomMessage[] {
    const fresh = this.keepFresh(page.results);
    // A page starts right after `after`, so it only extends the cursor from there.
    if (after > this.cursor) return fresh;
    if (!page.has_more) this.gap = false;
    this.advance(this.gap ? (page.results.at(-1)?.id ?? 0) : this.maxSeen);
    return fresh;
  }

  private seen(id: number): boolean {
    return id <= this.cursor || this.above.has(id);
  }

  private keepFresh(messages: readonly RoomMessage[]): RoomMessage[] {
    const fresh = messages.filter((message) => !this.seen(message.id) && this.above.add(message.id));
    for (const message of fresh) this.maxSeen = Math.max(this.maxSeen, message.id);
    return fresh;
  }

  private advance(id: number): void {
    if (id <= this.cursor) return;
    this.cursor = id;
    this.above.deleteWhere((seen) => seen <= id);
  }
}

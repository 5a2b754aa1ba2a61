/**
 * Fills a room's gap over REST: when a resumed history says more messages wait than it carried,
 * page them with `GET .../messages/?after=<cursor>` until the gap is closed. The cursor moves only
 * over pages actually fetched, so a failure (or a drop meanwhile) never skips a message; a page
 * that fails is fetched again, with backoff.
 */
import { backoffDelay, type BackoffPolicy } from './backoff';
import type { MessagePage, RoomMessage } from './protocol';
import type { RoomCursor } from './roomCursor';

export interface CatchUpOptions {
  cursor: RoomCursor;
  fetchAfter: (after: number) => Promise<MessagePage<RoomMessage>>;
  /** A page arrived: `fresh` are its messages not seen before. */
  onPage: (fresh: RoomMessage[], hasMore: boolean) => void;
  backoff: BackoffPolicy;
  random: () => number;
}

export class CatchUp {
  /** Bumped by every start and stop, so that an older run ends at its next step. */
  private run = 0;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: CatchUpOptions) {}

  /** A history frame arrived: it supersedes any catch-up under way, and may open a gap. */
  start(): void {
    this.stop();
    if (this.options.cursor.gapOpen) void this.fill(this.run);
  }

  stop(): void {
    this.run += 1;
    this.failures = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async fill(run: number): Promise<void> {
    const { cursor, fetchAfter, onPage } = this.options;
    while (run === this.run && cursor.gapOpen) {
      const after = cursor.after;
      const page = await fetchAfter(after).catch(() => null);
      if (run !== this.run) return;
      if (page === null) return this.retry(run);
      onPage(cursor.page(after, page), page.has_more);
      // A page that does not move the cursor (has_more with nothing in it) would only spin.
      if (cursor.gapOpen && cursor.after === after) return this.retry(run);
      this.failures = 0;
    }
  }

  private retry(run: number): void {
    const delay = backoffDelay(this.failures, this.options.backoff, this.options.random);
    this.failures += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.fill(run);
    }, delay);
  }
}

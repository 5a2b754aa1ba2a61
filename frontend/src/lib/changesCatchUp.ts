/**
 * The rest of a resume's changes: when a resumed history says more messages changed than it
 * carried (`changed_more`), page back with `GET .../changes/?after=<the resume's after>&before=<the
 * oldest change so far>` while `has_more`. A page that fails is fetched again, with backoff; the
 * next history supersedes the run (it carries its own changes).
 */
import { backoffDelay, type BackoffPolicy } from './backoff';
import type { MessagePage, RoomMessage } from './protocol';

export interface ChangesCatchUpOptions {
  fetchChanges: (after: number, before: number) => Promise<MessagePage<RoomMessage>>;
  /** Messages changed since the resume, in their current state. */
  onPage: (changed: RoomMessage[], hasMore: boolean) => void;
  backoff: BackoffPolicy;
  random: () => number;
}

export class ChangesCatchUp {
  /** Bumped by every start and stop, so that an older run ends at its next step. */
  private run = 0;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: ChangesCatchUpOptions) {}

  /** A history resumed from `after` carried `first` (oldest first), and `more` changes wait. */
  start(after: number, first: readonly RoomMessage[], more: boolean): void {
    this.stop();
    const before = first[0]?.id;
    if (more && before !== undefined) void this.fill(this.run, after, before);
  }

  stop(): void {
    this.run += 1;
    this.failures = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async fill(run: number, after: number, before: number): Promise<void> {
    for (;;) {
      const page = await this.options.fetchChanges(after, before).catch(() => null);
      if (run !== this.run) return;
      if (page === null) return this.retry(run, after, before);
      this.failures = 0;
      this.options.onPage(page.results, page.has_more);
      const older = olderChangesBefore(page, before);
      if (older === null) return;
      before = older;
    }
  }

  private retry(run: number, after: number, before: number): void {
    const delay = backoffDelay(this.failures, this.options.backoff, this.options.random);
    this.failures += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.fill(run, after, before);
    }, delay);
  }
}

/**
 * The `before=` of the page of changes after `page` (fetched with `before`, if any): its oldest
 * id, or null when it was the last. A page that reaches no further back ends it too: it would
 * only spin.
 */
export function olderChangesBefore(page: MessagePage<{ id: number }>, before?: number): number | null {
  const oldest = page.results[0]?.id;
  if (!page.has_more || oldest === undefined || (before !== undefined && oldest >= before)) return null;
  return oldest;
}

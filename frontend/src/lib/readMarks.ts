/**
 * Read markers on their way to the server: "read up to message ID" for a room or a private
 * conversation. Markers only move forward, and each one goes out at most once per `intervalMs`,
 * however fast messages scroll past: the newest id seen meanwhile is sent when the interval ends.
 */

export type ReadTarget = { kind: 'room'; room: string } | { kind: 'conversation'; peer: string };

export interface ReadMarksOptions {
  /** Send one marker; false when it could not go out (it is sent again by `retry()`). */
  send(target: ReadTarget, id: number): boolean;
  intervalMs?: number;
  now?: () => number;
}

interface Mark {
  target: ReadTarget;
  /** How far the server is known to have it, from us or from elsewhere (another tab, REST). */
  marker: number;
  /** Seen here, not sent yet. */
  pending: number | null;
  sentAt: number;
  timer: ReturnType<typeof setTimeout> | null;
}

function readTargetKey(target: ReadTarget): string {
  return target.kind === 'room' ? `room:${target.room}` : `dm:${target.peer}`;
}

export class ReadMarks {
  private readonly marks = new Map<string, Mark>();
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ReadMarksOptions) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /** The server has the marker at `id` (a REST list, a `read` event): never send less. */
  known(target: ReadTarget, id: number): void {
    const mark = this.mark(target);
    mark.marker = Math.max(mark.marker, id);
    if (mark.pending !== null && mark.pending <= mark.marker) this.clearPending(mark);
  }

  /** The person has seen the messages up to `id`. */
  seen(target: ReadTarget, id: number): void {
    const mark = this.mark(target);
    if (id <= mark.marker || (mark.pending !== null && id <= mark.pending)) return;
    mark.pending = id;
    if (mark.timer !== null) return;
    const wait = mark.sentAt + this.intervalMs - this.now();
    if (wait <= 0) this.flush(mark);
    else mark.timer = setTimeout(() => this.flush(mark), wait);
  }

  /** Send what could not go out before (the socket was down). */
  retry(): void {
    for (const mark of this.marks.values()) if (mark.pending !== null && mark.timer === null) this.flush(mark);
  }

  dispose(): void {
    for (const mark of this.marks.values()) if (mark.timer !== null) clearTimeout(mark.timer);
    this.marks.clear();
  }

  private flush(mark: Mark): void {
    mark.timer = null;
    const id = mark.pending;
    if (id === null || id <= mark.marker) return;
    if (!this.options.send(mark.target, id)) return;
    mark.marker = id;
    mark.pending = null;
    mark.sentAt = this.now();
  }

  private clearPending(mark: Mark): void {
    mark.pending = null;
    if (mark.timer !== null) clearTimeout(mark.timer);
    mark.timer = null;
  }

  private mark(target: ReadTarget): Mark {
    const key = readTargetKey(target);
    let mark = this.marks.get(key);
    if (mark === undefined) {
      mark = { target, marker: 0, pending: null, sentAt: -Infinity, timer: null };
      this.marks.set(key, mark);
    }
    return mark;
  }
}

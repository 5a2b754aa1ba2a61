/** Lets a call through at most once per `intervalMs` ("typing" notices: one every 2 s). */
export class Throttle {
  private last = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the call may go now (and counts it as made). */
  take(): boolean {
    const now = this.now();
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }

  /** The next call goes at once (after a message is sent, the others no longer show "typing"). */
  reset(): void {
    this.last = -Infinity;
  }
}

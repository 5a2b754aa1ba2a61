/**
 * What a person sent that the server has not confirmed yet, and the one order it goes out in.
 *
 * Every entry is written in the order it was sent, whether it waited for a connection, for the
 * pacing, or after a refusal for speed: nothing written later overtakes an entry still waiting.
 * Past a first burst the entries are spaced to stay under the server's frame rate limit.
 */
import type { ChatMessageFrame, PrivateMessageFrame } from './protocol';

export type OutgoingFrame = Required<ChatMessageFrame> | Required<PrivateMessageFrame>;

export interface OutboxEntry {
  clientId: string;
  frame: OutgoingFrame;
  /** queued: waiting to be written; sent: written to a socket, no echo yet. */
  state: 'queued' | 'sent';
  /** The sender's note of where the send came from (which message box, say), handed back as is. */
  origin: string | null;
}

export interface OutboxOptions {
  /** Frames written at once on a fresh connection. */
  burst: number;
  /** Then one frame per this many milliseconds. */
  spacingMs: number;
  onChange: () => void;
}

export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private write: ((text: string) => void) | null = null;
  /** A token bucket: frames that may be written now, refilled one per `spacingMs`. */
  private credit = 0;
  private creditAt = 0;
  /** While set, nothing is written: the pacing or a refusal for speed holds the queue. */
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: OutboxOptions) {}

  get pending(): readonly OutboxEntry[] {
    return [...this.entries.values()];
  }

  get(clientId: string | null): OutboxEntry | null {
    return clientId === null ? null : (this.entries.get(clientId) ?? null);
  }

  add(entry: OutboxEntry): void {
    this.entries.set(entry.clientId, entry);
    this.pump();
    this.options.onChange();
  }

  /** The server has the entry (or refused it for good): stop resending it. */
  remove(clientId: string | null): OutboxEntry | null {
    const entry = this.get(clientId);
    if (entry) {
      this.entries.delete(entry.clientId);
      this.options.onChange();
    }
    return entry;
  }

  /** A connection opened: write what is queued to it. */
  attach(write: (text: string) => void): void {
    this.write = write;
    this.credit = this.options.burst;
    this.creditAt = Date.now();
    if (this.pump()) this.options.onChange();
  }

  /** The connection is gone. What was written to it unconfirmed may or may not have arrived: resend it. */
  detach(): void {
    this.write = null;
    this.clearTimer();
    for (const entry of this.entries.values()) entry.state = 'queued';
  }

  /** The server refused the entry for speed: hold the queue for `ms`, then go on in order. */
  holdFor(entry: OutboxEntry, ms: number): void {
    entry.state = 'queued';
    this.wait(ms);
  }

  dispose(): void {
    this.write = null;
    this.clearTimer();
  }

  /** Writes queued entries, oldest first, until one has to wait. Returns whether it wrote any. */
  private pump(): boolean {
    if (this.write === null || this.timer !== null) return false;
    let wrote = false;
    for (const entry of this.entries.values()) {
      if (entry.state !== 'queued') continue;
      if (!this.takeCredit()) {
        this.wait(Math.ceil((1 - this.credit) * this.options.spacingMs));
        break;
      }
      this.write(JSON.stringify(entry.frame));
      entry.state = 'sent';
      wrote = true;
    }
    return wrote;
  }

  private takeCredit(): boolean {
    const now = Date.now();
    this.credit = Math.min(this.options.burst, this.credit + (now - this.creditAt) / this.options.spacingMs);
    this.creditAt = now;
    if (this.credit < 1) return false;
    this.credit -= 1;
    return true;
  }

  private wait(ms: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.pump()) this.options.onChange();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

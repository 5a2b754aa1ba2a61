/**
 * The room socket: one WebSocket to `/ws/chat/{room}/` kept alive for as long as the room is open.
 *
 * It owns everything about the connection and nothing about the screen: a fresh ticket before every
 * connect, reconnection with backoff, resume with `after=` and the de-duplication that goes with it,
 * the outbox that makes a send survive a dropped connection, the ping keep-alive, and the dispatch
 * of every server event to one typed handler per event type.
 */
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff';
import {
  parseServerEvent,
  type ChatMessageEvent,
  type ChatMessageFrame,
  type ErrorEvent,
  type HistoryEvent,
  type MessagePage,
  type PongEvent,
  type PrivateMessageDeliveredEvent,
  type PrivateMessageEvent,
  type PrivateMessageFrame,
  type RoomMessage,
  type ServerEvent,
  type UserJoinEvent,
  type UserLeaveEvent,
  type UserListEvent,
} from './protocol';

/** One handler per server event type; the compiler makes sure none is missing. */
export interface RoomEventHandlers {
  user_list(event: UserListEvent): void;
  /**
   * `resumed`: the messages follow ones already seen (a reconnect with `after=`, or a REST page
   * that fills the rest of the gap), so `has_more` speaks of newer messages, not older ones.
   * Messages already seen are removed before this is called.
   */
  history(event: HistoryEvent, meta: { resumed: boolean }): void;
  user_join(event: UserJoinEvent): void;
  user_leave(event: UserLeaveEvent): void;
  /** `own`: the echo of a message this socket sent. Never called twice for one id. */
  chat_message(event: ChatMessageEvent, meta: { own: boolean }): void;
  private_message(event: PrivateMessageEvent): void;
  private_message_delivered(event: PrivateMessageDeliveredEvent): void;
  /** `frame`: the outbox frame the server refused, when the error names its client_id. */
  error(event: ErrorEvent, meta: { frame: OutgoingFrame | null }): void;
  pong(event: PongEvent): void;
}

export type OutgoingFrame = Required<ChatMessageFrame> | Required<PrivateMessageFrame>;

export interface OutboxEntry {
  clientId: string;
  frame: OutgoingFrame;
  /** queued: waiting for a connection; sent: written to a socket, no echo yet. */
  state: 'queued' | 'sent';
}

export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'open' }
  | { status: 'reconnecting'; attempt: number; retryAt: number | null }
  /** The server said retrying cannot help (4400, 4403, 4404). */
  | { status: 'stopped'; code: number; reason: string }
  | { status: 'closed' };

/** The smallest part of the browser's WebSocket this client uses (a fake one in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface RoomSocketOptions {
  room: string;
  /** ws:// or wss:// origin (and path prefix), without a trailing slash. */
  wsBaseUrl: string;
  handlers: RoomEventHandlers;
  /** A fresh one-use ticket, or null to connect anonymously. Throwing counts as a failed attempt. */
  getTicket: () => Promise<string | null>;
  /** Called on close code 4401 before reconnecting: refresh the access token. */
  onUnauthorized?: () => Promise<unknown>;
  /** REST catch-up when a resume `history` says more messages are waiting. */
  fetchMessagesAfter?: (after: number) => Promise<MessagePage<RoomMessage>>;
  onStateChange?: (state: ConnectionState) => void;
  onOutboxChange?: (entries: readonly OutboxEntry[]) => void;
  createWebSocket?: WebSocketFactory;
  backoff?: BackoffPolicy;
  /** How long a connection must last before the backoff starts again from the shortest delay. */
  stableAfterMs?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Spacing of outbox frames past the first burst, to stay under the server's frame rate. */
  outboxSpacingMs?: number;
  random?: () => number;
  newClientId?: () => string;
}

const OPEN = 1;
/** Close codes after which a retry cannot succeed. */
const FINAL_CLOSE_CODES: Record<number, string> = {
  4400: 'This room name or link is not valid.',
  4403: 'You are not allowed in this room.',
  4404: 'This room does not exist.',
};
const NORMAL_CLOSURE = 1000;
const UNAUTHORIZED = 4401;
/**
 * The server could not keep this socket's stream whole (it fell behind, or the server lost its
 * subscription to the other servers): reconnecting with `after=` fills the gap from the database.
 */
export const RESUME = 4409;
/** What we close a socket with when it stopped answering pings; we reconnect after it. */
const DEAD_CONNECTION = 4000;
const OUTBOX_BURST = 10;
const RATE_LIMIT_RETRY_MS = 1_000;

export class RoomSocket {
  private ws: WebSocketLike | null = null;
  private state: ConnectionState = { status: 'connecting' };
  private attempt = 0;
  private disposed = false;
  /** Bumped on every connect so late callbacks from an older attempt are ignored. */
  private generation = 0;

  /** Set once a `history` arrived: from then on every connect resumes with `after=`. */
  private synced = false;
  /** The `after=` cursor: every room message up to it has been seen. */
  private resumeCursor = 0;
  /** The largest room message id seen, which may run ahead of the cursor while a gap is filled. */
  private maxSeenId = 0;
  private catchingUp = false;
  private readonly seenRoomIds = new Set<number>();
  private readonly seenPrivateKeys = new Set<string>();

  private readonly outbox = new Map<string, OutboxEntry>();

  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stableTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly flushTimers = new Set<ReturnType<typeof setTimeout>>();

  private readonly options: Required<
    Omit<RoomSocketOptions, 'onUnauthorized' | 'fetchMessagesAfter' | 'onStateChange' | 'onOutboxChange'>
  > &
    RoomSocketOptions;

  constructor(options: RoomSocketOptions) {
    this.options = {
      createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      backoff: DEFAULT_BACKOFF,
      stableAfterMs: 10_000,
      pingIntervalMs: 25_000,
      pongTimeoutMs: 10_000,
      outboxSpacingMs: 150,
      random: Math.random,
      newClientId: () => crypto.randomUUID(),
      ...options,
    };
  }

  // Public API ------------------------------------------------------------------------------------

  start(): void {
    globalThis.addEventListener?.('online', this.handleOnline);
    void this.connect();
  }

  /** Close for good (leaving the room). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    globalThis.removeEventListener?.('online', this.handleOnline);
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      detach(ws);
      ws.close(NORMAL_CLOSURE, 'leaving');
    }
    this.setState({ status: 'closed' });
  }

  /** Skip the wait before the next attempt (a "retry now" button, the network coming back). */
  reconnectNow(): void {
    const waiting = this.state.status === 'stopped' || (this.state.status === 'reconnecting' && this.state.retryAt !== null);
    if (this.disposed || !waiting) return;
    this.attempt = 0;
    void this.connect();
  }

  /**
   * Post a room message or a private message. It goes out now if the socket is open, otherwise as
   * soon as it is, and is resent with the same client_id until the server echoes it, so that the
   * server can drop the copies. Returns the client_id.
   */
  send(message: { type: 'chat_message'; message: string } | { type: 'private_message'; to: string; message: string }): string {
    const clientId = this.options.newClientId();
    const entry: OutboxEntry = { clientId, frame: { ...message, client_id: clientId }, state: 'queued' };
    this.outbox.set(clientId, entry);
    if (this.isOpen()) this.transmit(entry);
    this.notifyOutbox();
    return clientId;
  }

  getState(): ConnectionState {
    return this.state;
  }

  get pending(): readonly OutboxEntry[] {
    return [...this.outbox.values()];
  }

  // Connecting ------------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    this.clearTimers();
    this.dropSocket();
    const generation = ++this.generation;
    if (this.attempt === 0 && !this.synced) this.setState({ status: 'connecting' });
    else this.setState({ status: 'reconnecting', attempt: this.attempt, retryAt: null });

    let ticket: string | null;
    try {
      ticket = await this.options.getTicket();
    } catch {
      if (generation === this.generation && !this.disposed) this.scheduleReconnect();
      return;
    }
    if (generation !== this.generation || this.disposed) return;

    let ws: WebSocketLike;
    try {
      ws = this.options.createWebSocket(this.url(ticket));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    const resumed = this.synced;
    ws.onopen = () => {
      if (ws === this.ws) this.handleOpen();
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      const parsed = parseServerEvent(event.data);
      if (parsed) this.dispatch(parsed, resumed);
    };
    ws.onclose = (event) => {
      if (ws === this.ws) void this.handleClose(event.code);
    };
    ws.onerror = () => {
      // A close event always follows; that is where we decide what to do.
    };
  }

  private url(ticket: string | null): string {
    const params = new URLSearchParams();
    if (ticket !== null) params.set('ticket', ticket);
    if (this.synced) params.set('after', String(this.resumeCursor));
    const search = params.toString();
    return `${this.options.wsBaseUrl}/ws/chat/${encodeURIComponent(this.options.room)}/${search ? `?${search}` : ''}`;
  }

  private handleOpen(): void {
    this.setState({ status: 'open' });
    this.stableTimer = setTimeout(() => {
      this.attempt = 0;
    }, this.options.stableAfterMs);
    this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalMs);
    this.flushOutbox();
  }

  private async handleClose(code: number): Promise<void> {
    this.dropSocket();
    this.clearTimers();
    if (this.disposed) return;
    const final = FINAL_CLOSE_CODES[code];
    if (final !== undefined) {
      this.setState({ status: 'stopped', code, reason: final });
      return;
    }
    // Anything else, 1000 from the server included (our own closes never get here), is worth a
    // retry: a server that restarts may close with 1000, 1001, 1012 or just drop the connection,
    // and RESUME asks for exactly that. Every reconnect after the first history resumes with
    // `after=`; the backoff's jitter spreads out the crowd a server closes all at once.
    if (code === UNAUTHORIZED) {
      // The ticket was refused: get a fresh access token so the next ticket is good.
      this.setState({ status: 'reconnecting', attempt: this.attempt, retryAt: null });
      try {
        await this.options.onUnauthorized?.();
      } catch {
        // Offline: the backoff below covers it.
      }
      if (this.disposed) return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.attempt, this.options.backoff, this.options.random);
    this.attempt += 1;
    this.setState({ status: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  /** Forget the current socket without waiting for its close event (which may never come). */
  private dropSocket(): void {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(DEAD_CONNECTION, 'reconnecting');
      } catch {
        // Already closed.
      }
    }
    // Whatever was written to that socket and not echoed may or may not have arrived: resend it.
    for (const entry of this.outbox.values()) entry.state = 'queued';
  }

  private readonly handleOnline = (): void => {
    if (this.state.status === 'reconnecting') this.reconnectNow();
  };

  // Keep-alive ------------------------------------------------------------------------------------

  private ping(): void {
    if (!this.isOpen() || this.pongTimer !== null) return;
    this.ws?.send(JSON.stringify({ type: 'ping' }));
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      // No pong: the connection is dead even if the browser has not noticed yet.
      void this.handleClose(DEAD_CONNECTION);
    }, this.options.pongTimeoutMs);
  }

  // Outbox ----------------------------------------------------------------------------------------

  private isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === OPEN && this.state.status === 'open';
  }

  private transmit(entry: OutboxEntry): void {
    if (!this.isOpen() || !this.outbox.has(entry.clientId)) return;
    this.ws?.send(JSON.stringify(entry.frame));
    entry.state = 'sent';
  }

  private flushOutbox(): void {
    let index = 0;
    for (const entry of this.outbox.values()) {
      if (entry.state !== 'queued') continue;
      const delay = Math.max(0, index - OUTBOX_BURST + 1) * this.options.outboxSpacingMs;
      index += 1;
      if (delay === 0) {
        this.transmit(entry);
        continue;
      }
      const timer = setTimeout(() => {
        this.flushTimers.delete(timer);
        this.transmit(entry);
        this.notifyOutbox();
      }, delay);
      this.flushTimers.add(timer);
    }
    this.notifyOutbox();
  }

  /** The server has the message (or refused it for good): stop resending it. */
  private acknowledge(clientId: string | null): OutboxEntry | null {
    if (clientId === null) return null;
    const entry = this.outbox.get(clientId) ?? null;
    if (entry) {
      this.outbox.delete(clientId);
      this.notifyOutbox();
    }
    return entry;
  }

  private notifyOutbox(): void {
    this.options.onOutboxChange?.(this.pending);
  }

  // Dispatch --------------------------------------------------------------------------------------

  /** The one switch over server events: protocol bookkeeping first, then the feature's handler. */
  private dispatch(event: ServerEvent, resumed: boolean): void {
    const handlers = this.options.handlers;
    switch (event.type) {
      case 'user_list':
        return handlers.user_list(event);
      case 'history': {
        this.synced = true;
        const fresh = this.acceptRoomMessages(event.messages);
        handlers.history({ ...event, messages: fresh }, { resumed });
        if (resumed && event.has_more) void this.catchUp();
        return;
      }
      case 'user_join':
        return handlers.user_join(event);
      case 'user_leave':
        return handlers.user_leave(event);
      case 'chat_message': {
        // Acknowledge before de-duplicating: the echo of a resent frame repeats an id we may
        // already have from the resume history, and it is still the proof the send arrived.
        const own = this.acknowledge(event.client_id) !== null;
        if (this.acceptRoomMessages([event]).length === 0) return;
        return handlers.chat_message(event, { own });
      }
      case 'private_message':
        if (!this.acceptPrivate(`in:${event.id}`)) return;
        return handlers.private_message(event);
      case 'private_message_delivered':
        this.acknowledge(event.client_id);
        if (!this.acceptPrivate(`out:${event.id}`)) return;
        return handlers.private_message_delivered(event);
      case 'error':
        return this.handleErrorEvent(event);
      case 'pong':
        if (this.pongTimer !== null) clearTimeout(this.pongTimer);
        this.pongTimer = null;
        return handlers.pong(event);
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  private handleErrorEvent(event: ErrorEvent): void {
    const entry = event.client_id === null ? null : (this.outbox.get(event.client_id) ?? null);
    if (entry && event.code === 'rate_limited') {
      // Refused only for now: keep it and try again shortly, with the same client_id.
      entry.state = 'queued';
      const timer = setTimeout(() => {
        this.flushTimers.delete(timer);
        this.transmit(entry);
      }, RATE_LIMIT_RETRY_MS);
      this.flushTimers.add(timer);
      return;
    }
    this.acknowledge(event.client_id);
    this.options.handlers.error(event, { frame: entry?.frame ?? null });
  }

  /** Keep the messages not seen before, and move the resume cursor. */
  private acceptRoomMessages(messages: readonly RoomMessage[]): RoomMessage[] {
    const fresh = messages.filter((message) => !this.seenRoomIds.has(message.id));
    for (const message of fresh) {
      this.seenRoomIds.add(message.id);
      this.maxSeenId = Math.max(this.maxSeenId, message.id);
    }
    if (!this.catchingUp) this.resumeCursor = this.maxSeenId;
    return fresh;
  }

  private acceptPrivate(key: string): boolean {
    if (this.seenPrivateKeys.has(key)) return false;
    this.seenPrivateKeys.add(key);
    return true;
  }

  /**
   * A resume found more than one history frame can carry: page the rest over REST. Until the gap
   * is filled the resume cursor stays at its start, so a drop meanwhile cannot skip it.
   */
  private async catchUp(): Promise<void> {
    const fetchAfter = this.options.fetchMessagesAfter;
    if (!fetchAfter || this.catchingUp) return;
    this.catchingUp = true;
    let cursor = this.resumeCursor;
    try {
      for (;;) {
        const page = await fetchAfter(cursor);
        if (this.disposed) return;
        const last = page.results.at(-1);
        const fresh = this.acceptRoomMessages(page.results);
        if (last) this.resumeCursor = cursor = Math.max(cursor, last.id);
        this.options.handlers.history({ type: 'history', messages: fresh, has_more: page.has_more }, { resumed: true });
        if (!page.has_more || !last) break;
      }
      this.resumeCursor = this.maxSeenId;
    } catch {
      // The cursor stays at the start of the gap; the next reconnect resumes from there.
    } finally {
      this.catchingUp = false;
    }
  }

  // Housekeeping ----------------------------------------------------------------------------------

  private setState(state: ConnectionState): void {
    this.state = state;
    this.options.onStateChange?.(state);
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.stableTimer, this.pongTimer]) {
      if (timer !== null) clearTimeout(timer);
    }
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.flushTimers.forEach((timer) => clearTimeout(timer));
    this.flushTimers.clear();
    this.retryTimer = this.stableTimer = this.pingTimer = this.pongTimer = null;
  }
}

function detach(ws: WebSocketLike): void {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}

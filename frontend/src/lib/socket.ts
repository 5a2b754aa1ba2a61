/**
 * The room socket: one WebSocket to `/ws/chat/{room}/` kept alive for as long as the room is open.
 *
 * It owns everything about the connection and nothing about the screen: a fresh ticket before every
 * connect, reconnection with backoff, resume with `after=` and the de-duplication that goes with it
 * (`RoomCursor`, `CatchUp`), the outbox that makes a send survive a dropped connection (`Outbox`),
 * the ping keep-alive, control frames (typing, read markers) sent only while open, edits,
 * deletes and reactions and their answers (`PendingActions`), the changes a resume missed
 * (`ChangesCatchUp`), the renewal of the socket's credential before it expires
 * (`CredentialRenewal`), and the dispatch of every server event to one typed handler per event type.
 */
import { OFFLINE, PendingActions, type ActionFrame } from './actions';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff';
import { BoundedSet } from './boundedSet';
import { CatchUp } from './catchUp';
import { ChangesCatchUp } from './changesCatchUp';
import { Outbox, type OutboxEntry, type OutgoingFrame } from './outbox';
import {
  parseServerEvent,
  type AuthenticatedEvent,
  type ChatMessageEvent,
  type ErrorEvent,
  type HistoryEvent,
  type MarkReadFrame,
  type MessageDeletedEvent,
  type MessageEditedEvent,
  type MessagePage,
  type PongEvent,
  type PrivateMessageDeliveredEvent,
  type PrivateMessageEvent,
  type ReactionEvent,
  type ReadEvent,
  type RoomMessage,
  type ServerEvent,
  type TypingEvent,
  type TypingFrame,
  type UserJoinEvent,
  type UserLeaveEvent,
  type UserListEvent,
} from './protocol';
import { CredentialRenewal } from './renewal';
import { RoomCursor } from './roomCursor';
import type { AccessToken } from './tokens';

export type { ActionFrame, OutboxEntry, OutgoingFrame };

/** One handler per server event type; the compiler makes sure none is missing. */
export interface RoomEventHandlers {
  user_list(event: UserListEvent): void;
  /**
   * `resumed`: the messages follow ones already seen (a reconnect with `after=`, or a REST page
   * that fills the rest of the gap), so `has_more` speaks of newer messages, not older ones.
   * Messages already seen are removed before this is called and go to `changed` instead, with
   * the resume's changes and their REST pages: the current state of messages held already.
   */
  history(event: HistoryEvent, meta: { resumed: boolean }): void;
  user_join(event: UserJoinEvent): void;
  user_leave(event: UserLeaveEvent): void;
  /** `own`: the echo of a message this socket sent. Never called twice for one id. */
  chat_message(event: ChatMessageEvent, meta: { own: boolean }): void;
  private_message(event: PrivateMessageEvent): void;
  private_message_delivered(event: PrivateMessageDeliveredEvent): void;
  /**
   * `entry`: the outbox entry the server refused, when the error names its client_id. Refusals
   * of the socket's own frames (ping, authenticate) and of control frames (typing, mark_read)
   * are handled here and never reach this.
   */
  error(event: ErrorEvent, meta: { entry: OutboxEntry | null }): void;
  pong(event: PongEvent): void;
  authenticated(event: AuthenticatedEvent): void;
  typing(event: TypingEvent): void;
  read(event: ReadEvent): void;
  /** `room` null: a private message's. */
  message_edited(event: MessageEditedEvent): void;
  message_deleted(event: MessageDeletedEvent): void;
  reaction(event: ReactionEvent): void;
}

/** Frames that say something about the person's state, not a message: sent now or not at all. */
export type ControlFrame = TypingFrame | MarkReadFrame;

export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'open' }
  /** `reason`: why the wait is long, when the person can do something about it. */
  | { status: 'reconnecting'; attempt: number; retryAt: number | null; reason?: string }
  /** Retrying cannot help: the room is out of reach (4400, 4403, 4404) or the session ended (4401). */
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
  /** The access token tickets are asked for with, and its lifetime; null when logged out. */
  accessToken?: () => AccessToken | null;
  /**
   * Get a new access token: resolves true when there is one, false when the session is over (the
   * refresh was refused), and rejects when the server cannot be reached. Called to renew an open
   * socket's credential before it expires, and on close code 4401.
   */
  refreshAccess?: () => Promise<boolean>;
  /** REST catch-up when a resume `history` says more messages are waiting. */
  fetchMessagesAfter?: (after: number) => Promise<MessagePage<RoomMessage>>;
  /** REST pages of a resume's changes, when its `history` says more than it carried changed. */
  fetchChanges?: (after: number, before: number) => Promise<MessagePage<RoomMessage>>;
  onStateChange?: (state: ConnectionState) => void;
  onOutboxChange?: (entries: readonly OutboxEntry[]) => void;
  createWebSocket?: WebSocketFactory;
  backoff?: BackoffPolicy;
  /** The backoff after 4429 (too many sockets open): long, since only closing some can help. */
  crowdedBackoff?: BackoffPolicy;
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
const NORMAL_CLOSURE = 1000;
const UNAUTHORIZED = 4401;
/** The socket lost its right to the room (or never had it): do not come back. */
export const FORBIDDEN = 4403;
/** The user (or an anonymous address) has too many sockets open. */
const TOO_MANY_SOCKETS = 4429;
/**
 * The server could not keep this socket's stream whole (it fell behind, or the server lost its
 * subscription to the other servers): reconnecting with `after=` fills the gap from the database.
 */
export const RESUME = 4409;
/** What we close a socket with when it stopped answering pings; we reconnect after it. */
const DEAD_CONNECTION = 4000;

/** Close codes after which a retry cannot succeed. */
const FINAL_CLOSE_CODES: Record<number, string> = {
  4400: 'This room name or link is not valid.',
  [FORBIDDEN]: 'You are not allowed in this room.',
  4404: 'This room does not exist.',
};
const SESSION_ENDED = 'Your session has ended. Log in again.';
const TOO_MANY_SOCKETS_REASON = 'Too many open tabs or connections: close some.';
const CROWDED_BACKOFF: BackoffPolicy = { initialMs: 60_000, maxMs: 300_000 };

const OUTBOX_BURST = 10;
const RATE_LIMIT_RETRY_MS = 1_000;
const PRIVATE_SEEN_LIMIT = 1_000;
const CONTROL_IDS_LIMIT = 200;

export class RoomSocket {
  private ws: WebSocketLike | null = null;
  private state: ConnectionState = { status: 'connecting' };
  private attempt = 0;
  private disposed = false;
  /** Bumped on every connect so late callbacks from an older attempt are ignored. */
  private generation = 0;

  /** Set once a `history` arrived: from then on every connect resumes with `after=`. */
  private synced = false;
  private readonly cursor = new RoomCursor();
  private readonly seenPrivateKeys = new BoundedSet<string>(PRIVATE_SEEN_LIMIT);
  /** The client_ids of control frames sent, so that a refusal of one is not shown as the person's. */
  private readonly controlIds = new BoundedSet<string>(CONTROL_IDS_LIMIT);
  /** Null without `fetchMessagesAfter`: a gap then waits for the next resume. */
  private readonly catchUp: CatchUp | null;
  private readonly changesCatchUp: ChangesCatchUp | null;
  private readonly actions = new PendingActions();

  private readonly outbox: Outbox;

  /** The access token that asked for the current socket's ticket: the socket expires with it. */
  private credential: AccessToken | null = null;
  private readonly renewal: CredentialRenewal;
  private pingId: string | null = null;

  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stableTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly options: Required<
    Pick<
      RoomSocketOptions,
      | 'createWebSocket'
      | 'backoff'
      | 'crowdedBackoff'
      | 'stableAfterMs'
      | 'pingIntervalMs'
      | 'pongTimeoutMs'
      | 'outboxSpacingMs'
      | 'random'
      | 'newClientId'
    >
  > &
    RoomSocketOptions;

  constructor(options: RoomSocketOptions) {
    this.options = {
      createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      backoff: DEFAULT_BACKOFF,
      crowdedBackoff: CROWDED_BACKOFF,
      stableAfterMs: 10_000,
      pingIntervalMs: 25_000,
      pongTimeoutMs: 10_000,
      outboxSpacingMs: 150,
      random: Math.random,
      newClientId: () => crypto.randomUUID(),
      ...options,
    };
    this.outbox = new Outbox({
      burst: OUTBOX_BURST,
      spacingMs: this.options.outboxSpacingMs,
      onChange: () => this.options.onOutboxChange?.(this.outbox.pending),
    });
    const fetchAfter = this.options.fetchMessagesAfter;
    this.catchUp = fetchAfter
      ? new CatchUp({
          cursor: this.cursor,
          fetchAfter,
          onPage: (fresh, hasMore) => this.resumedHistory({ messages: fresh, has_more: hasMore }),
          backoff: this.options.backoff,
          random: this.options.random,
        })
      : null;
    const fetchChanges = this.options.fetchChanges;
    this.changesCatchUp = fetchChanges
      ? new ChangesCatchUp({
          fetchChanges,
          onPage: (changed, more) => this.resumedHistory({ changed, changed_more: more }),
          backoff: this.options.backoff,
          random: this.options.random,
        })
      : null;
    this.renewal = new CredentialRenewal({
      accessToken: () => this.currentAccess(),
      refreshAccess: () => this.options.refreshAccess?.() ?? Promise.resolve(false),
      send: (frame) => this.ws?.send(JSON.stringify(frame)),
      replaceSocket: () => this.replaceSocket(),
      newClientId: this.options.newClientId,
      backoff: this.options.backoff,
      random: this.options.random,
    });
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
    this.catchUp?.stop();
    this.changesCatchUp?.stop();
    this.actions.dropped();
    this.renewal.close();
    this.outbox.dispose();
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
   * Post a room message or a private message. It goes out as soon as the socket is open and
   * everything sent before it has gone out, and is resent with the same client_id until the
   * server echoes it, so that the server can drop the copies. `origin` comes back with the entry
   * (in `pending` and with a refusal). `clientId`: the one an earlier attempt of the same send had
   * (on another socket), so that the server drops a copy. Returns the client_id.
   */
  send(
    message: { type: 'chat_message'; message: string } | { type: 'private_message'; to: string; message: string },
    origin: string | null = null,
    clientId: string = this.options.newClientId(),
  ): string {
    this.outbox.add({ clientId, frame: { ...message, client_id: clientId }, state: 'queued', origin });
    return clientId;
  }

  /**
   * Send a typing notice or a read marker now, if the socket is open; false when it is not (the
   * caller decides whether it matters later). Never queued: a late "typing" is wrong, and a read
   * marker is sent again by whoever keeps it. A refusal of one is dropped, never shown.
   */
  sendControl(frame: ControlFrame): boolean {
    if (!this.isOpen() || this.ws === null) return false;
    const clientId = this.options.newClientId();
    this.controlIds.add(clientId);
    this.ws.send(JSON.stringify({ ...frame, client_id: clientId }));
    return true;
  }

  /**
   * Edit, delete or react now, on the open socket. Resolves when the server did it (for a
   * reaction that changed nothing, never); rejects with `ActionRefused` when it refuses, when
   * the socket is not open, or when the connection drops before an edit or delete was answered.
   * Never queued: the person sees the refusal and decides (each of them is safe to repeat).
   */
  act(frame: ActionFrame): Promise<void> {
    if (!this.isOpen() || this.ws === null) return Promise.reject(OFFLINE);
    const clientId = this.options.newClientId();
    const answered = this.actions.add(clientId, frame);
    this.ws.send(JSON.stringify({ ...frame, client_id: clientId }));
    return answered;
  }

  getState(): ConnectionState {
    return this.state;
  }

  get pending(): readonly OutboxEntry[] {
    return this.outbox.pending;
  }

  // Connecting ------------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    this.clearTimers();
    this.dropSocket();
    const generation = ++this.generation;
    if (this.attempt === 0 && !this.synced) this.setState({ status: 'connecting' });
    else this.setState({ status: 'reconnecting', attempt: this.attempt, retryAt: null });

    const before = this.currentAccess();
    let ticket: string | null;
    try {
      ticket = await this.options.getTicket();
    } catch {
      if (generation === this.generation && !this.disposed) this.scheduleReconnect();
      return;
    }
    if (generation !== this.generation || this.disposed) return;
    // A ticket socket lasts as long as the token that asked for the ticket. A refresh may have
    // replaced the token meanwhile, so plan for whichever of the two runs out first.
    this.credential = ticket === null ? null : earliest(before, this.currentAccess());

    let ws: WebSocketLike;
    try {
      ws = this.options.createWebSocket(this.url(ticket));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    // The cursor may move before this socket's history arrives (a catch-up still running):
    // its changes are those since the `after` it was opened with.
    const resumedFrom = this.synced ? this.cursor.after : null;
    ws.onopen = () => {
      if (ws === this.ws) this.handleOpen(ws);
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      const parsed = parseServerEvent(event.data);
      if (parsed) this.dispatch(parsed, resumedFrom);
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
    if (this.synced) params.set('after', String(this.cursor.after));
    const search = params.toString();
    return `${this.options.wsBaseUrl}/ws/chat/${encodeURIComponent(this.options.room)}/${search ? `?${search}` : ''}`;
  }

  private handleOpen(ws: WebSocketLike): void {
    this.setState({ status: 'open' });
    this.stableTimer = setTimeout(() => {
      this.attempt = 0;
    }, this.options.stableAfterMs);
    this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalMs);
    this.outbox.attach((text) => ws.send(text));
    if (this.credential) this.renewal.open(this.credential);
  }

  private async handleClose(code: number): Promise<void> {
    this.dropSocket();
    this.clearTimers();
    if (this.disposed) return;
    const final = FINAL_CLOSE_CODES[code];
    if (final !== undefined) return this.stop(code, final);
    if (code === TOO_MANY_SOCKETS) return this.scheduleReconnect(this.options.crowdedBackoff, TOO_MANY_SOCKETS_REASON);
    // Anything else, 1000 from the server included (our own closes never get here), is worth a
    // retry: a server that restarts may close with 1000, 1001, 1012 or just drop the connection,
    // and RESUME asks for exactly that. Every reconnect after the first history resumes with
    // `after=`; the backoff's jitter spreads out the crowd a server closes all at once.
    if (code === UNAUTHORIZED && !(await this.refreshAfterUnauthorized())) return;
    this.scheduleReconnect();
  }

  /**
   * 4401: the credential expired (or was revoked: a logout elsewhere, a new password). A fresh
   * access token makes the next ticket good. Returns whether to reconnect.
   */
  private async refreshAfterUnauthorized(): Promise<boolean> {
    this.setState({ status: 'reconnecting', attempt: this.attempt, retryAt: null });
    let refreshed = true;
    try {
      refreshed = (await this.options.refreshAccess?.()) ?? true;
    } catch {
      // Offline: the backoff covers it.
    }
    if (this.disposed) return false;
    // Refused: the session is over, and the app goes to its logged-out state.
    if (!refreshed && this.credential !== null) {
      this.stop(UNAUTHORIZED, SESSION_ENDED);
      return false;
    }
    return true;
  }

  private scheduleReconnect(policy = this.options.backoff, reason?: string): void {
    const delay = backoffDelay(this.attempt, policy, this.options.random);
    this.attempt += 1;
    const retryAt = Date.now() + delay;
    this.setState({ status: 'reconnecting', attempt: this.attempt, retryAt, ...(reason === undefined ? {} : { reason }) });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private stop(code: number, reason: string): void {
    this.setState({ status: 'stopped', code, reason });
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
    this.outbox.detach();
    this.actions.dropped();
    this.renewal.close();
    this.pingId = null;
  }

  private readonly handleOnline = (): void => {
    if (this.state.status === 'reconnecting') this.reconnectNow();
  };

  // Keep-alive ------------------------------------------------------------------------------------

  private ping(): void {
    if (!this.isOpen() || this.pongTimer !== null) return;
    // The client_id lets a refusal of the ping (rate_limited) be told from one of a message.
    this.pingId = this.options.newClientId();
    this.ws?.send(JSON.stringify({ type: 'ping', client_id: this.pingId }));
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      // No answer: the connection is dead even if the browser has not noticed yet.
      void this.handleClose(DEAD_CONNECTION);
    }, this.options.pongTimeoutMs);
  }

  /** The ping was answered: a pong, or a refusal, which proves the connection works just as well. */
  private pingAnswered(): void {
    if (this.pongTimer !== null) clearTimeout(this.pongTimer);
    this.pongTimer = null;
    this.pingId = null;
  }

  // Credential ------------------------------------------------------------------------------------

  private currentAccess(): AccessToken | null {
    return this.options.accessToken?.() ?? null;
  }

  /** A new socket, with a fresh token, in place of one whose credential the server cannot renew. */
  private replaceSocket(): void {
    this.attempt = 0;
    void this.connect();
  }

  // Dispatch --------------------------------------------------------------------------------------

  /**
   * The one switch over server events: protocol bookkeeping first, then the feature's handler.
   * `resumedFrom`: the `after=` the socket was opened with, or null for a first connect.
   */
  private dispatch(event: ServerEvent, resumedFrom: number | null): void {
    const handlers = this.options.handlers;
    switch (event.type) {
      case 'user_list':
        return handlers.user_list(event);
      case 'history':
        return this.history(event, resumedFrom);
      case 'user_join':
        return handlers.user_join(event);
      case 'user_leave':
        return handlers.user_leave(event);
      case 'chat_message': {
        // Acknowledge before de-duplicating: the echo of a resent frame repeats an id we may
        // already have from the resume history, and it is still the proof the send arrived.
        const own = this.outbox.remove(event.client_id) !== null;
        if (!this.cursor.live(event)) return;
        return handlers.chat_message(event, { own });
      }
      case 'private_message':
        if (!this.seenPrivateKeys.add(`in:${event.id}`)) return;
        return handlers.private_message(event);
      case 'private_message_delivered':
        this.outbox.remove(event.client_id);
        if (!this.seenPrivateKeys.add(`out:${event.id}`)) return;
        return handlers.private_message_delivered(event);
      case 'error':
        return this.handleErrorEvent(event);
      case 'pong':
        this.pingAnswered();
        return handlers.pong(event);
      case 'authenticated':
        this.renewal.authenticated();
        return handlers.authenticated(event);
      case 'typing':
        return handlers.typing(event);
      case 'read':
        return handlers.read(event);
      case 'message_edited':
        this.actions.applied(event);
        return handlers.message_edited(event);
      case 'message_deleted':
        this.actions.applied(event);
        return handlers.message_deleted(event);
      case 'reaction':
        this.actions.applied(event);
        return handlers.reaction(event);
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  private history(event: HistoryEvent, resumedFrom: number | null): void {
    const resumed = resumedFrom !== null;
    this.synced = true;
    const fresh = this.cursor.history(event.messages, { resumed, hasMore: event.has_more });
    // Messages held already, which a resume repeats when a gap was open: their current state
    // may hold edits the closed socket missed (its changes only reach up to `after`).
    const repeated = event.messages.filter((message) => !fresh.includes(message));
    this.options.handlers.history({ ...event, messages: fresh, changed: [...event.changed, ...repeated] }, { resumed });
    this.catchUp?.start();
    if (resumed) this.changesCatchUp?.start(resumedFrom, event.changed, event.changed_more);
  }

  /** A REST page of a resume: new messages, or the current state of changed ones. */
  private resumedHistory(page: Partial<Omit<HistoryEvent, 'type'>>): void {
    this.options.handlers.history(
      { type: 'history', messages: [], has_more: false, changed: [], changed_more: false, ...page },
      { resumed: true },
    );
  }

  private handleErrorEvent(event: ErrorEvent): void {
    if (this.actions.refused(event)) return;
    if (this.handleOwnFrameRefused(event)) return;
    const entry = this.outbox.get(event.client_id);
    if (entry && event.code === 'rate_limited') {
      // Refused only for now: hold the outbox, then resend it in order, with the same client_ids.
      this.outbox.holdFor(entry, RATE_LIMIT_RETRY_MS);
      return;
    }
    this.outbox.remove(event.client_id);
    this.options.handlers.error(event, { entry });
  }

  /**
   * A refusal of a frame the socket sent on its own (ping, authenticate), which is nothing the
   * person wrote. A server may not name their client_id; every frame a person writes carries one,
   * so an error without one is taken to be about these.
   */
  private handleOwnFrameRefused(event: ErrorEvent): boolean {
    const unnamed = event.client_id === null;
    const ping = this.pingId !== null && (event.client_id === this.pingId || (unnamed && event.code === 'rate_limited'));
    const auth = this.renewal.awaitsAnswer(event.client_id);
    const control = event.client_id !== null && this.controlIds.has(event.client_id);
    // A refused ping was still answered: the connection works, it is not dead.
    if (ping) this.pingAnswered();
    if (auth) this.renewal.refused(event.code);
    return ping || auth || control;
  }

  // Housekeeping ----------------------------------------------------------------------------------

  private isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === OPEN && this.state.status === 'open';
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.options.onStateChange?.(state);
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.stableTimer, this.pongTimer]) {
      if (timer !== null) clearTimeout(timer);
    }
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.retryTimer = this.stableTimer = this.pingTimer = this.pongTimer = null;
  }
}

/** The token that expires first. */
function earliest(a: AccessToken | null, b: AccessToken | null): AccessToken | null {
  if (a === null || b === null) return a ?? b;
  return a.expiresAt <= b.expiresAt ? a : b;
}

function detach(ws: WebSocketLike): void {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}

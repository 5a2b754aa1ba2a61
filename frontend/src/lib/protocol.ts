/**
 * The wire contract of docs/protocol.md as TypeScript types: REST bodies and WebSocket frames.
 * Nothing here knows about React or the DOM.
 */

// REST ---------------------------------------------------------------------------------------------

export interface TokenPair {
  access: string;
  refresh: string;
}

export interface Me {
  id: number;
  username: string;
  is_staff: boolean;
}

export interface RegisteredUser {
  id: number;
  username: string;
}

export interface WsTicket {
  ticket: string;
  expires_in: number;
}

export interface Room {
  name: string;
  admin_only: boolean;
  online_count: number;
  /** Messages of others after the caller's read marker (0 when anonymous). */
  unread_count: number;
  /** The caller's read marker: the last message id read, or null. */
  last_read_id: number | null;
  created_at: string;
}

export interface RoomDetail extends Room {
  online: string[];
}

export interface RoomPage {
  count: number;
  next: string | null;
  previous: string | null;
  results: Room[];
}

/** One emoji on a room message: who reacted with it, in the order they did. */
export interface Reaction {
  emoji: string;
  count: number;
  users: string[];
}

/** What room and private messages share: the text, and what happened to it since it was sent. */
export interface MessageState {
  id: number;
  user: string;
  /** Empty when deleted. */
  message: string;
  timestamp: string;
  /** When the text was last edited, or null. */
  edited_at: string | null;
  /** A tombstone: the message was deleted (its id stays, so resume stays consistent). */
  deleted: boolean;
}

export interface RoomMessage extends MessageState {
  room: string;
  /** In the order each emoji was first added; none on a tombstone. */
  reactions: Reaction[];
}

export interface PrivateMessage extends MessageState {
  /** The sender. */
  user: string;
  /** The recipient. */
  to: string;
}

export interface MessagePage<M> {
  /** Always oldest first. */
  results: M[];
  has_more: boolean;
}

export interface Conversation {
  user: string;
  last_message: PrivateMessage;
  /** Private messages from `user` after the caller's read marker. */
  unread_count: number;
  last_read_id: number | null;
}

export interface ConversationList {
  results: Conversation[];
}

/** `GET /api/limits/`: what the server enforces, so the client can check before sending. */
export interface Limits {
  message_max_length: number;
  frame_max_chars: number;
  ws_rate: number;
  ws_burst: number;
  /** Seconds after sending during which a message may be edited (absent from older servers). */
  edit_window?: number;
  /** Distinct emoji one message may carry (absent from older servers). */
  reactions_per_message?: number;
}

export interface PageQuery {
  before?: number;
  after?: number;
  limit?: number;
}

/** The body of every REST error. */
export interface ErrorBody {
  code: string;
  detail: string;
  errors?: Record<string, string[]>;
}

// WebSocket: client -> server ----------------------------------------------------------------------

export interface ChatMessageFrame {
  type: 'chat_message';
  message: string;
  client_id?: string;
}

export interface PrivateMessageFrame {
  type: 'private_message';
  to: string;
  message: string;
  client_id?: string;
}

/** `client_id` is not in version 1's ping, but a server names it in a refusal (`rate_limited`). */
export interface PingFrame {
  type: 'ping';
  client_id?: string;
}

/** Renews an open socket's credential with a fresh access token; answered with `authenticated`. */
export interface AuthenticateFrame {
  type: 'authenticate';
  token: string;
  client_id?: string;
}

/** "I am typing" in the socket's room; at most one every 2 s, never stored. */
export interface TypingFrame {
  type: 'typing';
  client_id?: string;
}

/** Marks the socket's room read up to `id`, or with `with` the private conversation with that user. */
export interface MarkReadFrame {
  type: 'mark_read';
  id: number;
  with?: string;
  client_id?: string;
}

/** Replace the text of my message `id`: of the socket's room, or with `with` a private one to that user. */
export interface EditMessageFrame {
  type: 'edit_message';
  id: number;
  message: string;
  with?: string;
  client_id?: string;
}

/** Delete message `id` (mine, or as staff any of the socket's room); with `with`, a private one. */
export interface DeleteMessageFrame {
  type: 'delete_message';
  id: number;
  with?: string;
  client_id?: string;
}

/** Set (`added: true`) or take away my reaction `emoji` on room message `id`; without `added`, toggle. */
export interface ReactFrame {
  type: 'react';
  id: number;
  emoji: string;
  added?: boolean;
  client_id?: string;
}

export type ClientFrame =
  | ChatMessageFrame
  | PrivateMessageFrame
  | PingFrame
  | AuthenticateFrame
  | TypingFrame
  | MarkReadFrame
  | EditMessageFrame
  | DeleteMessageFrame
  | ReactFrame;

// WebSocket: server -> client ----------------------------------------------------------------------

export interface UserListEvent {
  type: 'user_list';
  users: string[];
}

export interface HistoryEvent {
  type: 'history';
  messages: RoomMessage[];
  has_more: boolean;
  /** On a resume: the first page of messages up to `after` changed since, in their current state. */
  changed: RoomMessage[];
  /** More changed messages than `changed` holds: page them with `GET .../changes/?before=`. */
  changed_more: boolean;
}

export interface UserJoinEvent {
  type: 'user_join';
  user: string;
}

export interface UserLeaveEvent {
  type: 'user_leave';
  user: string;
}

export interface ChatMessageEvent extends RoomMessage {
  type: 'chat_message';
  client_id: string | null;
}

export interface PrivateMessageEvent extends PrivateMessage {
  type: 'private_message';
}

export interface PrivateMessageDeliveredEvent {
  type: 'private_message_delivered';
  id: number;
  target: string;
  message: string;
  timestamp: string;
  client_id: string | null;
}

export interface ErrorEvent {
  type: 'error';
  code: string;
  message: string;
  client_id: string | null;
}

export interface PongEvent {
  type: 'pong';
}

export interface AuthenticatedEvent {
  type: 'authenticated';
  /** When the socket's new credential expires (server clock). */
  expires_at: string;
}

/** Someone else in the room is typing. */
export interface TypingEvent {
  type: 'typing';
  user: string;
}

/** I (in any tab) marked a room or a private conversation read up to `id`. */
export interface ReadEvent {
  type: 'read';
  room: string | null;
  with: string | null;
  id: number;
}

/** Message `id` now reads `message`; `room` null: a private message (ids are numbered apart). */
export interface MessageEditedEvent {
  type: 'message_edited';
  id: number;
  room: string | null;
  message: string;
  edited_at: string;
}

/** Message `id` was deleted: a tombstone from now on. `room` as for `message_edited`. */
export interface MessageDeletedEvent {
  type: 'message_deleted';
  id: number;
  room: string | null;
}

/** `user` added or took away their reaction `emoji` on room message `id`. */
export interface ReactionEvent {
  type: 'reaction';
  id: number;
  room: string;
  emoji: string;
  user: string;
  added: boolean;
}

export type ServerEvent =
  | UserListEvent
  | HistoryEvent
  | UserJoinEvent
  | UserLeaveEvent
  | ChatMessageEvent
  | PrivateMessageEvent
  | PrivateMessageDeliveredEvent
  | ErrorEvent
  | PongEvent
  | AuthenticatedEvent
  | TypingEvent
  | ReadEvent
  | MessageEditedEvent
  | MessageDeletedEvent
  | ReactionEvent;

export type ServerEventType = ServerEvent['type'];

// `satisfies` makes the compiler check this list against the union in both directions.
const SERVER_EVENT_TYPES = {
  user_list: true,
  history: true,
  user_join: true,
  user_leave: true,
  chat_message: true,
  private_message: true,
  private_message_delivered: true,
  error: true,
  pong: true,
  authenticated: true,
  typing: true,
  read: true,
  message_edited: true,
  message_deleted: true,
  reaction: true,
} as const satisfies Record<ServerEventType, true>;

/**
 * Parse one text frame. Frames of a type this client does not know are ignored (the protocol only
 * ever grows), so they come back as null, as does anything that is not a JSON object with a type.
 */
export function parseServerEvent(text: unknown): ServerEvent | null {
  if (typeof text !== 'string') return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(SERVER_EVENT_TYPES, type)) return null;
  return withDefaults(data as ServerEvent);
}

/**
 * Servers from before editing and reactions leave their fields out: fill them in, so that the
 * rest of the client can count on them (never edited, not deleted, no reactions).
 */
function withDefaults(event: ServerEvent): ServerEvent {
  switch (event.type) {
    case 'history':
      return {
        ...event,
        messages: event.messages.map(roomMessage),
        changed: (event.changed ?? []).map(roomMessage),
        changed_more: event.changed_more ?? false,
      };
    case 'chat_message':
      return roomMessage(event);
    case 'private_message':
      return privateMessage(event);
    default:
      return event;
  }
}

// The types say these fields are there; JSON from an older server may still lack them.

/** A room message from any server version, with the fields older ones leave out filled in. */
export function roomMessage<M extends RoomMessage>(message: M): M {
  return { ...message, edited_at: message.edited_at ?? null, deleted: message.deleted ?? false, reactions: message.reactions ?? [] };
}

/** A private message from any server version, with the fields older ones leave out filled in. */
export function privateMessage<M extends PrivateMessage>(message: M): M {
  return { ...message, edited_at: message.edited_at ?? null, deleted: message.deleted ?? false };
}

// Validation rules shared by forms ---------------------------------------------------------------

export const ROOM_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const USERNAME_PATTERN = /^[\w.@+-]{1,150}$/u;

/**
 * White space as the server counts it for the `/pm` shortcut, written out rather than JS's `\s`,
 * which is not Python's: the two ends must agree on every character, or a message one of them
 * takes for a private one goes to the whole room.
 */
const W = String.raw`[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]`;
const NOT_W = `[^${W.slice(1)}`;
const PM_COMMAND = new RegExp(`^${W}*/pm(?:${W}|$)`, 'i');
const PM_ARGUMENTS = new RegExp(`^${W}*/pm${W}+(${NOT_W}+)${W}+(.*)$`, 'is');
const EDGE_W = new RegExp(`^${W}+|${W}+$`, 'g');

export const PM_USAGE = 'Write /pm USERNAME MESSAGE.';

export type PmShortcut = { to: string; message: string } | { error: string };

/**
 * The tutorial's shortcut, `/pm USERNAME TEXT`, by the rule the server applies: null for a room
 * message; a command (`/pm` after optional white space, any case, then white space or the end)
 * gives the recipient and the text trimmed, or the server's error when either is missing.
 */
export function parsePmShortcut(text: string): PmShortcut | null {
  if (!PM_COMMAND.test(text)) return null;
  const match = PM_ARGUMENTS.exec(text);
  const message = match?.[2]?.replace(EDGE_W, '') ?? '';
  if (!match || message === '') return { error: PM_USAGE };
  return { to: match[1] as string, message };
}

/**
 * The length the server checks a message against (`message_max_length`): characters (code
 * points, as Python counts them, not UTF-16 units) after trimming white space at both ends; for a
 * `/pm` command, of the text it sends.
 */
export function messageLength(text: string): number {
  const pm = parsePmShortcut(text);
  return pm !== null && 'message' in pm ? [...pm.message].length : textLength(text);
}

/** The length of a text taken as it is (an edit: no `/pm` there), as the server counts it. */
export function textLength(text: string): number {
  return [...text.replace(EDGE_W, '')].length;
}

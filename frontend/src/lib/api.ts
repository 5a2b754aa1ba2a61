/** The typed REST client: one function per endpoint of docs/protocol.md. */
import type { HttpClient } from './http';
import {
  privateMessage,
  roomMessage,
  type ConversationList,
  type Limits,
  type Me,
  type MessagePage,
  type PageQuery,
  type PrivateMessage,
  type RegisteredUser,
  type Room,
  type RoomDetail,
  type RoomMessage,
  type RoomPage,
  type TokenPair,
  type WsTicket,
} from './protocol';

export interface Credentials {
  username: string;
  password: string;
}

/** A changes page (`/changes/`): `after` is required, `before` pages back through older changes. */
export interface ChangesQuery {
  after: number;
  before?: number;
  limit?: number;
}

export function createApi(http: HttpClient) {
  const tokens = http.tokens;
  const room = (name: string) => `/api/rooms/${encodeURIComponent(name)}/`;
  const query = (page: PageQuery) => ({ before: page.before, after: page.after, limit: page.limit });
  // Pages from an older server lack the fields of edits and reactions: fill them in.
  const roomPage = (page: MessagePage<RoomMessage>) => ({ ...page, results: page.results.map(roomMessage) });
  const privatePage = (page: MessagePage<PrivateMessage>) => ({ ...page, results: page.results.map(privateMessage) });

  return {
    register: (credentials: Credentials) =>
      http.request<RegisteredUser>('/api/auth/register/', { method: 'POST', body: credentials, auth: 'none' }),

    async login(credentials: Credentials): Promise<void> {
      const pair = await http.request<TokenPair>('/api/auth/token/', {
        method: 'POST',
        body: credentials,
        auth: 'none',
      });
      tokens.set(pair.access, pair.refresh);
    },

    /** Ends the session on the server too, so the refresh token left in storage is worthless. */
    async logout(): Promise<void> {
      const refresh = tokens.refreshToken;
      try {
        if (refresh !== null) {
          await http.request<void>('/api/auth/logout/', { method: 'POST', body: { refresh }, auth: 'none' });
        }
      } catch {
        // Already expired or offline: forgetting the tokens locally is what matters.
      } finally {
        tokens.clear();
      }
    },

    refresh: () => http.refresh(),
    accessToken: () => tokens.accessTokenLifetime,
    hasSession: () => tokens.hasSession,
    onSessionEnded: (listener: () => void) => tokens.onCleared(listener),

    me: () => http.request<Me>('/api/auth/me/', { auth: 'required' }),

    wsTicket: () => http.request<WsTicket>('/api/auth/ws-ticket/', { method: 'POST', auth: 'required' }),

    listRooms: (page = 1) => http.request<RoomPage>('/api/rooms/', { query: { page } }),

    limits: () => http.request<Limits>('/api/limits/', { auth: 'none' }),

    /**
     * 201 when created, 200 when it already existed: both give the room. `adminOnly` (staff only,
     * 403 `forbidden` for others) is sent only when asked for.
     */
    enterRoom: (name: string, { adminOnly = false }: { adminOnly?: boolean } = {}) =>
      http.request<Room>('/api/rooms/', {
        method: 'POST',
        body: adminOnly ? { name, admin_only: true } : { name },
        auth: 'required',
      }),

    getRoom: (name: string) => http.request<RoomDetail>(room(name)),

    roomMessages: (name: string, page: PageQuery = {}) =>
      http.request<MessagePage<RoomMessage>>(`${room(name)}messages/`, { query: query(page) }).then(roomPage),

    /** The room's messages up to `after` edited, deleted or reacted to since, in their current state. */
    roomChanges: (name: string, page: ChangesQuery) =>
      http.request<MessagePage<RoomMessage>>(`${room(name)}changes/`, { query: query(page) }).then(roomPage),

    markRoomRead: (name: string, id: number) =>
      http.request<void>(`${room(name)}read/`, { method: 'POST', body: { id }, auth: 'required' }),

    markConversationRead: (username: string, id: number) =>
      http.request<void>(`/api/dms/${encodeURIComponent(username)}/read/`, {
        method: 'POST',
        body: { id },
        auth: 'required',
      }),

    listConversations: () =>
      http.request<ConversationList>('/api/dms/', { auth: 'required' }).then((list) => ({
        results: list.results.map((item) => ({ ...item, last_message: privateMessage(item.last_message) })),
      })),

    /** Every private message to or from me; with `after`, the ones missed while offline. */
    privateMessages: (page: PageQuery = {}) =>
      http.request<MessagePage<PrivateMessage>>('/api/dms/messages/', { query: query(page), auth: 'required' }).then(privatePage),

    /** My private messages up to `after` edited or deleted since, in their current state. */
    privateChanges: (page: ChangesQuery) =>
      http.request<MessagePage<PrivateMessage>>('/api/dms/changes/', { query: query(page), auth: 'required' }).then(privatePage),

    conversationMessages: (username: string, page: PageQuery = {}) =>
      http.request<MessagePage<PrivateMessage>>(`/api/dms/${encodeURIComponent(username)}/messages/`, {
        query: query(page),
        auth: 'required',
      }).then(privatePage),
  };
}

export type Api = ReturnType<typeof createApi>;

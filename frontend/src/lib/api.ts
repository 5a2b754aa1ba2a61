/** The typed REST client: one function per endpoint of docs/protocol.md. */
import type { HttpClient } from './http';
import type {
  ConversationList,
  Limits,
  Me,
  MessagePage,
  PageQuery,
  PrivateMessage,
  RegisteredUser,
  Room,
  RoomDetail,
  RoomMessage,
  RoomPage,
  TokenPair,
  WsTicket,
} from './protocol';

export interface Credentials {
  username: string;
  password: string;
}

export function createApi(http: HttpClient) {
  const tokens = http.tokens;
  const room = (name: string) => `/api/rooms/${encodeURIComponent(name)}/`;
  const query = (page: PageQuery) => ({ before: page.before, after: page.after, limit: page.limit });

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
      http.request<MessagePage<RoomMessage>>(`${room(name)}messages/`, { query: query(page) }),

    markRoomRead: (name: string, id: number) =>
      http.request<void>(`${room(name)}read/`, { method: 'POST', body: { id }, auth: 'required' }),

    markConversationRead: (username: string, id: number) =>
      http.request<void>(`/api/dms/${encodeURIComponent(username)}/read/`, {
        method: 'POST',
        body: { id },
        auth: 'required',
      }),

    listConversations: () => http.request<ConversationList>('/api/dms/', { auth: 'required' }),

    /** Every private message to or from me; with `after`, the ones missed while offline. */
    privateMessages: (page: PageQuery = {}) =>
      http.request<MessagePage<PrivateMessage>>('/api/dms/messages/', { query: query(page), auth: 'required' }),

    conversationMessages: (username: string, page: PageQuery = {}) =>
      http.request<MessagePage<PrivateMessage>>(`/api/dms/${encodeURIComponent(username)}/messages/`, {
        query: query(page),
        auth: 'required',
      }),
  };
}

export type Api = ReturnType<typeof createApi>;

/** The app's single REST client and the socket factory, built from the build-time config. */
import { createApi } from './api';
import { config } from './config';
import { HttpClient } from './http';
import { RoomSocket, type RoomEventHandlers, type RoomSocketOptions } from './socket';
import { TokenStore } from './tokens';

const tokens = new TokenStore();
const http = new HttpClient({ baseUrl: config.apiBaseUrl, tokens });

export const api = createApi(http);

type RoomSocketCallbacks = Pick<RoomSocketOptions, 'onStateChange' | 'onOutboxChange'>;

/**
 * A socket for one room: a ticket for every connect when logged in (anonymous otherwise), its
 * credential renewed with the access token, a refresh on 4401, and REST catch-up after a long absence.
 */
export function openRoomSocket(
  room: string,
  handlers: RoomEventHandlers,
  callbacks: RoomSocketCallbacks = {},
): RoomSocket {
  const socket = new RoomSocket({
    room,
    wsBaseUrl: config.wsBaseUrl,
    handlers,
    getTicket: async () => (api.hasSession() ? (await api.wsTicket()).ticket : null),
    accessToken: () => api.accessToken(),
    refreshAccess: () => api.refresh(),
    fetchMessagesAfter: (after) => api.roomMessages(room, { after, limit: 100 }),
    fetchChanges: (after, before) => api.roomChanges(room, { after, before, limit: 100 }),
    ...callbacks,
  });
  socket.start();
  return socket;
}

export type { RoomSocket };

/**
 * Everything live for one person in one tab, kept across the screens: the rooms and their unread
 * counts, the private conversations, and the one socket (`socketRoom.ts` says which room it
 * follows) with what it feeds: the open room's timeline, who is online and typing there.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useAuth } from '@/features/auth';
import { useConversations, useLimits, useTimeline, useTyping } from '@/features/chat';
import { usePresence } from '@/features/presence';
import { useRoomEntry, useRooms } from '@/features/rooms';
import { api, openRoomSocket, type RoomSocket } from '@/lib/client';
import { ReadMarks, type ReadTarget } from '@/lib/readMarks';
import type { ConnectionState, OutboxEntry } from '@/lib/socket';
import { Throttle } from '@/lib/throttle';
import { routeEvents } from './routeEvents';
import { readStoredRoom, socketRoomFor, storeRoom, type Place } from './socketRoom';
import { pageTitle, roomUnreadCounts, sumCounts } from './unread';
import { useMessageActions } from './useMessageActions';
import { useSending } from './useSending';

export { conversationBox, roomBox } from './useSending';
export type { Place } from './socketRoom';

/** A typing notice goes out at most this often while the person types. */
const TYPING_EVERY_MS = 2_000;
const TOAST_MS = 6_000;

export interface Toast {
  title: string;
  text: string;
  peer: string;
}

function useChatSessionState(place: Place) {
  const { auth } = useAuth();
  const me = auth.user?.username ?? null;
  const isStaff = auth.user?.is_staff ?? false;
  const rooms = useRooms();
  const limits = useLimits();

  // The room last opened in this tab, unless the person lost it since (4403).
  const [lastRoom, setLastRoom] = useState<string | null>(null);
  if (place.page === 'room' && lastRoom !== place.room) setLastRoom(place.room);
  const roomOnScreen = place.page === 'room' ? place.room : null;
  useEffect(() => {
    if (roomOnScreen !== null) storeRoom(me, roomOnScreen);
  }, [roomOnScreen, me]);
  const [storedRoom, setStoredRoom] = useState(() => readStoredRoom(me));
  const socketRoom = socketRoomFor({
    place,
    loggedIn: me !== null,
    lastRoom,
    storedRoom,
    firstRoom: rooms.rooms?.[0]?.name ?? null,
  });
  const entry = useRoomEntry(socketRoom, me !== null);

  const { timeline, actions: timelineActions, loadOlder } = useTimeline(socketRoom);
  const { users, actions: presenceActions } = usePresence(socketRoom);
  const { typing, actions: typingActions } = useTyping(socketRoom);
  const { conversations, actions: conversationActions, loadList, loadPage, catchUp } = useConversations();
  const [connection, setConnection] = useState<ConnectionState>({ status: 'connecting' });
  const [outbox, setOutbox] = useState<readonly OutboxEntry[]>([]);
  const [markers, setMarkers] = useState<Readonly<Record<string, number>>>({});
  const [toast, setToast] = useState<Toast | null>(null);

  const socket = useRef<RoomSocket | null>(null);
  const current = useRef({ socketRoom, place });
  useEffect(() => {
    current.current = { socketRoom, place };
  }, [socketRoom, place]);

  const advanceMarker = useCallback(
    (room: string, id: number) =>
      setMarkers((previous) => ((previous[room] ?? 0) >= id ? previous : { ...previous, [room]: id })),
    [],
  );

  // Read markers: a frame on the open socket; for a room left meanwhile (or no socket), REST.
  const sendReadMark = useCallback(
    (target: ReadTarget, id: number): boolean => {
      const open = socket.current;
      if (target.kind === 'room') {
        if (target.room !== current.current.socketRoom || open === null) {
          api.markRoomRead(target.room, id).catch(() => undefined);
        } else if (!open.sendControl({ type: 'mark_read', id })) {
          return false;
        }
        advanceMarker(target.room, id);
        return true;
      }
      if (open === null) api.markConversationRead(target.peer, id).catch(() => undefined);
      else if (!open.sendControl({ type: 'mark_read', with: target.peer, id })) return false;
      conversationActions.read(target.peer, id);
      return true;
    },
    [advanceMarker, conversationActions],
  );
  // Made before the effects below that use it (effects run in order); `sendReadMark` is stable.
  const readMarks = useRef<ReadMarks | null>(null);
  useEffect(() => {
    const marks = new ReadMarks({ send: sendReadMark });
    readMarks.current = marks;
    return () => {
      marks.dispose();
      readMarks.current = null;
    };
  }, [sendReadMark]);

  const [typingThrottle] = useState(() => new Throttle(TYPING_EVERY_MS));
  const sending = useSending({
    socket,
    socketRoom,
    outbox,
    onSentPrivately: useCallback((to: string) => setToast({ title: `Sent privately to ${to}`, text: '', peer: to }), []),
    onRoomSend: useCallback(() => typingThrottle.reset(), [typingThrottle]),
  });
  const { refused, delivered, takeOver, handOver } = sending;
  const { roomActions, privateActions } = useMessageActions({ socket, me, isStaff, limits });

  const ready = entry.status === 'ready';
  useEffect(() => {
    if (socketRoom === null || !ready) return;
    const handlers = routeEvents({
      me,
      timeline: timelineActions,
      presence: presenceActions,
      typing: typingActions,
      conversations: conversationActions,
      reads: {
        read(event) {
          if (event.room !== null) {
            readMarks.current?.known({ kind: 'room', room: event.room }, event.id);
            advanceMarker(event.room, event.id);
          }
          if (event.with !== null) {
            readMarks.current?.known({ kind: 'conversation', peer: event.with }, event.id);
            conversationActions.read(event.with, event.id);
          }
        },
      },
      sending: { refused, delivered },
      notices: {
        privateMessage(message) {
          const { place: here } = current.current;
          const looking = here.page === 'conversation' && here.peer === message.user && document.visibilityState === 'visible';
          if (!looking) setToast({ title: `Private message from ${message.user}`, text: message.message, peer: message.user });
        },
      },
    });
    const opened = openRoomSocket(socketRoom, handlers, { onStateChange: setConnection, onOutboxChange: setOutbox });
    socket.current = opened;
    takeOver(opened, socketRoom);
    return () => {
      handOver(opened, socketRoom);
      opened.dispose();
      socket.current = null;
      setOutbox([]);
    };
  }, [socketRoom, ready, me, timelineActions, presenceActions, typingActions, conversationActions, readMarks, advanceMarker, refused, delivered, takeOver, handOver]);

  // After every (re)connect: private messages missed (not replayed by the socket's resume), the
  // conversation list and the rooms' counts (other rooms' sockets are not open), markers held back.
  const isOpen = connection.status === 'open';
  const { reload: reloadRooms } = rooms;
  useEffect(() => {
    if (!isOpen) return;
    readMarks.current?.retry();
    reloadRooms();
    if (me === null) return;
    catchUp(me)
      .catch(() => {
        // The next reconnect tries again; the conversation pages still load on demand.
      })
      .finally(loadList);
  }, [me, isOpen, catchUp, loadList, reloadRooms, readMarks]);

  // The list of conversations, for a person who has not opened a room yet; again on focus.
  useEffect(() => {
    if (me === null) return;
    loadList();
    globalThis.addEventListener('focus', loadList);
    return () => globalThis.removeEventListener('focus', loadList);
  }, [me, loadList]);

  // The server's markers: never send one below them.
  useEffect(() => {
    for (const room of rooms.rooms ?? []) {
      if (room.last_read_id !== null) readMarks.current?.known({ kind: 'room', room: room.name }, room.last_read_id);
    }
  }, [rooms.rooms, readMarks]);
  useEffect(() => {
    for (const conversation of Object.values(conversations.byPeer)) {
      if (conversation.lastReadId > 0) readMarks.current?.known({ kind: 'conversation', peer: conversation.peer }, conversation.lastReadId);
    }
  }, [conversations, readMarks]);

  useEffect(() => {
    if (toast === null) return;
    const timer = setTimeout(() => setToast(null), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);

  const roomUnread = useMemo(
    () =>
      me === null
        ? {}
        : roomUnreadCounts({
            rooms: rooms.rooms ?? [],
            markers,
            open: socketRoom === null ? null : { ...timeline, room: socketRoom },
            me,
          }),
    [me, rooms.rooms, markers, socketRoom, timeline],
  );
  const conversationUnread = useMemo(
    () => Object.fromEntries(conversations.order.map((peer) => [peer, conversations.byPeer[peer]?.unread ?? 0])),
    [conversations],
  );
  const totalUnread = sumCounts(roomUnread, conversationUnread);
  useEffect(() => {
    document.title = pageTitle(totalUnread);
  }, [totalUnread]);

  const notifyTyping = useCallback(() => {
    if (me === null || !typingThrottle.take()) return;
    // Not open: let the next keystroke try again.
    if (!socket.current?.sendControl({ type: 'typing' })) typingThrottle.reset();
  }, [me, typingThrottle]);

  const markRoomSeen = useCallback(
    (id: number) => {
      if (me !== null && socketRoom !== null) readMarks.current?.seen({ kind: 'room', room: socketRoom }, id);
    },
    [me, socketRoom, readMarks],
  );
  const markConversationSeen = useCallback(
    (peer: string, id: number) => {
      if (me !== null) readMarks.current?.seen({ kind: 'conversation', peer }, id);
    },
    [me, readMarks],
  );

  /** The server took the room away (4403): do not follow it any more, here or on the next visit. */
  const forgetRoom = useCallback(
    (room: string) => {
      setLastRoom((previous) => (previous === room ? null : previous));
      setStoredRoom((previous) => (previous === room ? null : previous));
      if (readStoredRoom(me) === room) storeRoom(me, null);
    },
    [me],
  );

  const retryNow = useCallback(() => socket.current?.reconnectNow(), []);
  const dismissToast = useCallback(() => setToast(null), []);

  return {
    me,
    isStaff,
    limits,
    roomActions,
    privateActions,
    rooms,
    roomUnread,
    conversationUnread,
    totalUnread,
    socketRoom,
    entry,
    connection,
    retryNow,
    forgetRoom,
    timeline,
    loadOlder,
    users,
    typing,
    conversations,
    loadConversationPage: loadPage,
    notifyTyping,
    markRoomSeen,
    markConversationSeen,
    toast,
    dismissToast,
    ...sending,
  };
}

export type ChatSession = ReturnType<typeof useChatSessionState>;

const ChatSessionContext = createContext<ChatSession | null>(null);

export function ChatSessionProvider({ place, children }: { place: Place; children: ReactNode }) {
  const session = useChatSessionState(place);
  return <ChatSessionContext.Provider value={session}>{children}</ChatSessionContext.Provider>;
}

export function useChatSession(): ChatSession {
  const session = useContext(ChatSessionContext);
  if (session === null) throw new Error('useChatSession() needs a <ChatSessionProvider> above it.');
  return session;
}

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConversations, useTimeline, type PendingMessage } from '@/features/chat';
import { usePresence } from '@/features/presence';
import { openRoomSocket, type RoomSocket } from '@/lib/client';
import { parsePmShortcut } from '@/lib/protocol';
import type { ConnectionState, OutboxEntry } from '@/lib/socket';
import { routeRoomEvents } from './routeRoomEvents';

interface ComposerErrors {
  room: string | null;
  /** By the person a private message was for. */
  private: Readonly<Record<string, string>>;
}

type RoomFrame = Parameters<RoomSocket['send']>[0];

/** Outbox origins: which message box sent an entry (an unknown one counts as the room's). */
const ROOM_BOX = 'room';
const CONVERSATION_BOX = 'conversation';

/** Where an entry's error and pending copy belong: the room's box, or a conversation's. */
function destination({ frame, origin }: OutboxEntry): { to: string | null; text: string; viaRoomBox: boolean } {
  const to = frame.type === 'private_message' ? frame.to : null;
  return { to, text: frame.message, viaRoomBox: origin !== CONVERSATION_BOX };
}

function toPending(entry: OutboxEntry): PendingMessage {
  const { to, text } = destination(entry);
  return { clientId: entry.clientId, text, to, waiting: entry.state === 'queued' };
}

/**
 * Everything live about one open room: the socket, and the feature state it feeds. `enabled`
 * waits for the room to exist; `openPeer` is the private conversation on screen, if any.
 */
export function useRoomConnection(room: string, me: string | null, enabled: boolean, openPeer: string | null) {
  const { timeline, actions: timelineActions, loadOlder } = useTimeline(room);
  const { users, actions: presenceActions } = usePresence();
  const { conversations, actions: conversationActions, loadList, loadPage, catchUp, markRead } =
    useConversations(openPeer);
  const [connection, setConnection] = useState<ConnectionState>({ status: 'connecting' });
  const [outbox, setOutbox] = useState<readonly OutboxEntry[]>([]);
  const [errors, setErrors] = useState<ComposerErrors>({ room: null, private: {} });
  const socket = useRef<RoomSocket | null>(null);
  // What is sent while the room's socket does not exist yet (its entry is still being checked):
  // kept, with the room it was written in, until that room's socket takes it.
  const early = useRef<{ room: string; frame: RoomFrame; origin: string | null }[]>([]);

  useEffect(() => {
    if (!enabled) return;
    const handlers = routeRoomEvents({
      me,
      timeline: timelineActions,
      presence: presenceActions,
      conversations: conversationActions,
      errors: {
        show(entry, message) {
          const to = entry && !destination(entry).viaRoomBox ? destination(entry).to : null;
          setErrors((previous) =>
            to === null ? { ...previous, room: message } : { ...previous, private: { ...previous.private, [to]: message } },
          );
        },
      },
    });
    const opened = openRoomSocket(room, handlers, { onStateChange: setConnection, onOutboxChange: setOutbox });
    socket.current = opened;
    for (const { frame, origin } of early.current.filter((entry) => entry.room === room)) opened.send(frame, origin);
    early.current = [];
    return () => {
      opened.dispose();
      socket.current = null;
    };
  }, [room, me, enabled, timelineActions, presenceActions, conversationActions]);

  // Room messages missed while offline come back through the socket's resume (`after=`);
  // private messages through a REST catch-up, after every (re)connect.
  const isOpen = connection.status === 'open';
  useEffect(() => {
    if (me === null || !enabled || !isOpen) return;
    catchUp(me)
      .catch(() => {
        // The next reconnect tries again; the conversation pages still load on demand.
      })
      .finally(loadList);
  }, [me, enabled, isOpen, catchUp, loadList]);

  const openUnread = openPeer === null ? 0 : (conversations.byPeer[openPeer]?.unread ?? 0);
  useEffect(() => {
    if (openPeer !== null && openUnread > 0) markRead(openPeer);
  }, [openPeer, openUnread, markRead]);

  const send = useCallback(
    (frame: RoomFrame, origin: string | null) => {
      if (socket.current) socket.current.send(frame, origin);
      else early.current.push({ room, frame, origin });
    },
    [room],
  );

  /**
   * The room's box. What it shows as private goes out as a `private_message` frame, never as a
   * room message; a `/pm` without a name and a text is refused here, and false keeps it in the box.
   */
  const sendToRoom = useCallback(
    (text: string): boolean => {
      const pm = parsePmShortcut(text);
      if (pm !== null && 'error' in pm) {
        setErrors((previous) => ({ ...previous, room: pm.error }));
        return false;
      }
      setErrors((previous) => ({ ...previous, room: null }));
      send(pm === null ? { type: 'chat_message', message: text } : { type: 'private_message', ...pm }, ROOM_BOX);
      return true;
    },
    [send],
  );

  const sendPrivate = useCallback(
    (to: string, text: string) => {
      setErrors((previous) => ({ ...previous, private: { ...previous.private, [to]: '' } }));
      send({ type: 'private_message', to, message: text }, CONVERSATION_BOX);
    },
    [send],
  );

  const dismissRoomError = useCallback(() => setErrors((previous) => ({ ...previous, room: null })), []);
  const dismissPrivateError = useCallback(
    (to: string) => setErrors((previous) => ({ ...previous, private: { ...previous.private, [to]: '' } })),
    [],
  );
  const retryNow = useCallback(() => socket.current?.reconnectNow(), []);

  const pending = useMemo(() => {
    const roomBox: PendingMessage[] = [];
    const byPeer: Record<string, PendingMessage[]> = {};
    for (const entry of outbox) {
      const item = toPending(entry);
      if (destination(entry).viaRoomBox) roomBox.push(item);
      if (item.to !== null) (byPeer[item.to] ??= []).push(item);
    }
    return { room: roomBox, byPeer };
  }, [outbox]);

  return {
    timeline,
    loadOlder,
    users,
    conversations,
    loadConversationPage: loadPage,
    connection,
    pending,
    errors,
    sendToRoom,
    sendPrivate,
    dismissRoomError,
    dismissPrivateError,
    retryNow,
  };
}

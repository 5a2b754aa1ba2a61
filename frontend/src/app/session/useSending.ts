/**
 * What the person writes: a draft per message box (kept across room switches), the sends on
 * their way, and the refusals, shown next to the box that sent them with the typed text put back.
 */
import { useCallback, useMemo, useRef, useState, type RefObject } from 'react';
import type { PendingMessage } from '@/features/chat';
import { parsePmShortcut } from '@/lib/protocol';
import type { OutboxEntry, RoomSocket } from '@/lib/socket';

/** A message box: a room's (`room:lobby`) or a private conversation's (`dm:bob`). */
export const roomBox = (room: string) => `room:${room}`;
export const conversationBox = (peer: string) => `dm:${peer}`;

type Frame = Parameters<RoomSocket['send']>[0];

interface Waiting {
  room: string;
  frame: Frame;
  origin: string;
  clientId: string;
}

/** What was typed for a send still unanswered, so a refusal can put it back. */
const TYPED_LIMIT = 200;

export interface SendingOptions {
  socket: RefObject<RoomSocket | null>;
  /** The room whose socket sends (null: none yet). */
  socketRoom: string | null;
  outbox: readonly OutboxEntry[];
  /** A `/pm` typed in a room's box was stored: say so, since it does not show in the room. */
  onSentPrivately(to: string): void;
  /** The room's box was used to send: the typing notice may go again at once. */
  onRoomSend(): void;
  newClientId?: () => string;
}

export function useSending({ socket, socketRoom, outbox, onSentPrivately, onRoomSend, newClientId }: SendingOptions) {
  const [drafts, setDrafts] = useState<Readonly<Record<string, string>>>({});
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const typed = useRef(new Map<string, { box: string; text: string }>());
  // Sends with no socket to take them yet (the room is still being checked, or being switched);
  // `held` shows them as waiting.
  const waiting = useRef<Waiting[]>([]);
  const [held, setHeld] = useState<readonly Waiting[]>([]);
  const hold = useCallback((items: Waiting[]) => {
    waiting.current = items;
    setHeld(items);
  }, []);
  const makeId = useRef(newClientId ?? (() => crypto.randomUUID()));

  const setDraft = useCallback((box: string, text: string) => setDrafts((previous) => ({ ...previous, [box]: text })), []);
  const setError = useCallback(
    (box: string, message: string | null) =>
      setErrors((previous) => {
        if (message === null) {
          if (!(box in previous)) return previous;
          const next = { ...previous };
          delete next[box];
          return next;
        }
        return { ...previous, [box]: message };
      }),
    [],
  );

  const send = useCallback(
    (room: string, frame: Frame, box: string, text: string) => {
      const clientId = makeId.current();
      typed.current.set(clientId, { box, text });
      if (typed.current.size > TYPED_LIMIT) typed.current.delete(typed.current.keys().next().value as string);
      if (socket.current) socket.current.send(frame, box, clientId);
      else hold([...waiting.current, { room, frame, origin: box, clientId }]);
      setDraft(box, '');
      setError(box, null);
    },
    [socket, setDraft, setError, hold],
  );

  /**
   * The room's box. What it shows as private goes out as a `private_message` frame, never as a
   * room message; a `/pm` without a name and a text is refused here, and stays in the box.
   */
  const sendToRoom = useCallback(
    (text: string) => {
      if (socketRoom === null) return;
      const box = roomBox(socketRoom);
      const pm = parsePmShortcut(text);
      if (pm !== null && 'error' in pm) {
        setError(box, pm.error);
        return;
      }
      onRoomSend();
      send(socketRoom, pm === null ? { type: 'chat_message', message: text } : { type: 'private_message', ...pm }, box, text);
    },
    [socketRoom, send, setError, onRoomSend],
  );

  const sendPrivate = useCallback(
    (to: string, text: string) => send(socketRoom ?? '', { type: 'private_message', to, message: text }, conversationBox(to), text),
    [socketRoom, send],
  );

  /** The server refused a send: say why at its box, and give the box its text back. */
  const refused = useCallback(
    (entry: OutboxEntry | null, message: string) => {
      const box = entry?.origin ?? (socketRoom === null ? null : roomBox(socketRoom));
      if (box === null) return;
      setError(box, message);
      const sent = entry === null ? undefined : typed.current.get(entry.clientId);
      if (entry !== null) typed.current.delete(entry.clientId);
      if (sent !== undefined) restore(setDrafts, sent.box, sent.text);
    },
    [socketRoom, setError],
  );

  const delivered = useCallback(
    (clientId: string | null, to: string) => {
      const sent = clientId === null ? undefined : typed.current.get(clientId);
      if (clientId !== null) typed.current.delete(clientId);
      if (sent?.box.startsWith('room:')) onSentPrivately(to);
    },
    [onSentPrivately],
  );

  /** A socket for `room` opened: it takes what waited for it. */
  const takeOver = useCallback(
    (opened: RoomSocket, room: string) => {
      const mine = waiting.current.filter((item) => item.frame.type === 'private_message' || item.room === room);
      hold(waiting.current.filter((item) => !mine.includes(item)));
      for (const item of mine) opened.send(item.frame, item.origin, item.clientId);
    },
    [hold],
  );

  /**
   * A socket closes for good (another room opens): its private messages still unanswered go on
   * the next socket, with the same client_id so that the server drops a copy; a room message
   * that never went out goes back into its box (it belongs to the room left).
   */
  const handOver = useCallback(
    (closing: RoomSocket, room: string) => {
      const moving: Waiting[] = [];
      for (const entry of closing.pending) {
        const { frame } = entry;
        if (frame.type === 'private_message') {
          const { to, message } = frame;
          moving.push({ room, frame: { type: frame.type, to, message }, origin: entry.origin ?? conversationBox(to), clientId: entry.clientId });
        } else if (entry.state === 'queued') {
          const sent = typed.current.get(entry.clientId);
          restore(setDrafts, sent?.box ?? roomBox(room), sent?.text ?? frame.message);
        }
      }
      if (moving.length > 0) hold([...waiting.current, ...moving]);
    },
    [hold],
  );

  const pending = useMemo(() => {
    const byBox: Record<string, PendingMessage[]> = {};
    const entries = [
      ...held.map(({ frame, origin, clientId }) => ({ frame, origin, clientId, queued: true })),
      ...outbox.map(({ frame, origin, clientId, state }) => ({ frame, origin, clientId, queued: state === 'queued' })),
    ];
    for (const { frame, origin, clientId, queued } of entries) {
      const to = frame.type === 'private_message' ? frame.to : null;
      // A private message shows in its conversation, wherever it was typed.
      const box = to !== null ? conversationBox(to) : (origin ?? '');
      (byBox[box] ??= []).push({ clientId, text: frame.message, to, waiting: queued });
    }
    return byBox;
  }, [held, outbox]);

  return { drafts, setDraft, errors, setError, pending, sendToRoom, sendPrivate, refused, delivered, takeOver, handOver };
}

/** Put refused text back in its box: alone when the box is empty, above what was typed since. */
function restore(
  setDrafts: (update: (previous: Readonly<Record<string, string>>) => Readonly<Record<string, string>>) => void,
  box: string,
  text: string,
) {
  setDrafts((previous) => {
    const now = previous[box] ?? '';
    return { ...previous, [box]: now.trim() === '' ? text : `${text}\n${now}` };
  });
}

import { act, renderHook } from '@testing-library/react';
import { PM_USAGE } from '@/lib/protocol';
import type { OutboxEntry, RoomSocket } from '@/lib/socket';
import { useSending, type SendingOptions } from './useSending';

/** A socket that records what it is given, and what it still holds (`pending`). */
function fakeSocket() {
  const sent: { frame: unknown; origin: string | null; clientId: string }[] = [];
  const pending: OutboxEntry[] = [];
  const socket = {
    send: (frame: unknown, origin: string | null, clientId: string) => {
      sent.push({ frame, origin, clientId });
      return clientId;
    },
    pending,
  } as unknown as RoomSocket;
  return { socket, sent, pending };
}

function setup(overrides: Partial<SendingOptions> = {}) {
  const { socket, sent, pending } = fakeSocket();
  const ref = { current: socket as RoomSocket | null };
  let ids = 0;
  const options: SendingOptions = {
    socket: ref,
    socketRoom: 'lobby',
    outbox: [],
    onSentPrivately: vi.fn(),
    onRoomSend: vi.fn(),
    newClientId: () => `c-${++ids}`,
    ...overrides,
  };
  const hook = renderHook((props: SendingOptions) => useSending(props), { initialProps: options });
  const entry = (index: number): OutboxEntry => {
    const item = sent[index] as (typeof sent)[number];
    return { clientId: item.clientId, frame: { ...(item.frame as object), client_id: item.clientId } as OutboxEntry['frame'], state: 'sent', origin: item.origin };
  };
  return { ...hook, options, ref, sent, pending, entry };
}

describe('useSending', () => {
  it('empties the box when a message goes, and puts it back when the server refuses it', () => {
    const t = setup();
    const long = 'x'.repeat(4001);
    act(() => t.result.current.setDraft('room:lobby', long));
    act(() => t.result.current.sendToRoom(long));
    expect(t.result.current.drafts['room:lobby']).toBe('');
    act(() => t.result.current.refused(t.entry(0), 'Messages are limited to 4000 characters.'));
    expect(t.result.current.drafts['room:lobby']).toBe(long);
    expect(t.result.current.errors['room:lobby']).toBe('Messages are limited to 4000 characters.');
  });

  it('puts a refused text back above what was typed since', () => {
    const t = setup();
    act(() => t.result.current.sendToRoom('first'));
    act(() => t.result.current.setDraft('room:lobby', 'second'));
    act(() => t.result.current.refused(t.entry(0), 'Nope.'));
    expect(t.result.current.drafts['room:lobby']).toBe('first\nsecond');
  });

  it('puts back what was typed, not what was sent: a refused /pm comes back as the command', () => {
    const t = setup();
    act(() => t.result.current.sendToRoom('/pm nobody hello'));
    expect(t.sent[0]?.frame).toEqual({ type: 'private_message', to: 'nobody', message: 'hello' });
    act(() => t.result.current.refused(t.entry(0), 'No user named "nobody".'));
    expect(t.result.current.drafts['room:lobby']).toBe('/pm nobody hello');
    expect(t.result.current.errors['room:lobby']).toBe('No user named "nobody".');
  });

  it.each(['/pm', '/pm bob', ' /PM bob \t'])('refuses %j without sending anything, and says why', (text) => {
    const t = setup();
    act(() => t.result.current.setDraft('room:lobby', text));
    act(() => t.result.current.sendToRoom(text));
    expect(t.sent).toEqual([]);
    expect(t.result.current.errors['room:lobby']).toBe(PM_USAGE);
    expect(t.result.current.drafts['room:lobby']).toBe(text);
  });

  it('says when a /pm from the room box was delivered, since the room does not show it', () => {
    const t = setup();
    act(() => t.result.current.sendToRoom('/pm bob see you'));
    act(() => t.result.current.delivered(t.sent[0]?.clientId ?? null, 'bob'));
    expect(t.options.onSentPrivately).toHaveBeenCalledWith('bob');
  });

  it('keeps what is sent before the socket exists and hands it to the socket of its room', () => {
    const t = setup();
    t.ref.current = null;
    act(() => t.result.current.sendToRoom('typed while the room was loading'));
    act(() => t.result.current.sendPrivate('bob', 'and a private one'));
    expect(t.sent).toEqual([]);
    expect(t.result.current.pending['dm:bob']).toEqual([{ clientId: 'c-2', text: 'and a private one', to: 'bob', waiting: true }]);
    const other = fakeSocket();
    act(() => t.result.current.takeOver(other.socket, 'random'));
    // Only the private message: the room message belongs to #lobby.
    expect(other.sent.map(({ frame }) => frame)).toEqual([{ type: 'private_message', to: 'bob', message: 'and a private one' }]);
    const lobby = fakeSocket();
    act(() => t.result.current.takeOver(lobby.socket, 'lobby'));
    expect(lobby.sent.map(({ frame }) => frame)).toEqual([{ type: 'chat_message', message: 'typed while the room was loading' }]);
  });

  it('moves unanswered private messages to the next socket with the same client_id, and gives a room message back', () => {
    const t = setup();
    act(() => t.result.current.sendToRoom('never went out'));
    act(() => t.result.current.sendPrivate('bob', 'still on its way'));
    t.pending.push({ ...t.entry(0), state: 'queued' }, t.entry(1));
    act(() => t.result.current.handOver(t.ref.current as RoomSocket, 'lobby'));
    expect(t.result.current.drafts['room:lobby']).toBe('never went out');
    const next = fakeSocket();
    act(() => t.result.current.takeOver(next.socket, 'random'));
    expect(next.sent).toEqual([{ frame: { type: 'private_message', to: 'bob', message: 'still on its way' }, origin: 'dm:bob', clientId: 'c-2' }]);
  });

  it('shows a private message as pending in its conversation, wherever it was typed', () => {
    const t = setup();
    act(() => t.result.current.sendToRoom('/pm bob hi'));
    act(() => t.result.current.sendToRoom('for the room'));
    t.rerender({ ...t.options, outbox: [t.entry(0), { ...t.entry(1), state: 'queued' }] });
    expect(t.result.current.pending['dm:bob']).toEqual([{ clientId: 'c-1', text: 'hi', to: 'bob', waiting: false }]);
    expect(t.result.current.pending['room:lobby']).toEqual([{ clientId: 'c-2', text: 'for the room', to: null, waiting: true }]);
  });
});

import { FakeWebSocket } from '@/test/fakeWebSocket';
import type { MessagePage, RoomMessage } from './protocol';
import type { AccessToken } from './tokens';
import { RESUME, RoomSocket, type ConnectionState, type RoomEventHandlers, type RoomSocketOptions } from './socket';

function message(id: number, user = 'bob', text = `message ${id}`): RoomMessage {
  const timestamp = `2026-11-24T09:00:${String(id % 60).padStart(2, '0')}.000000Z`;
  return { id, room: 'lobby', user, message: text, timestamp, edited_at: null, deleted: false, reactions: [] };
}

function chat(id: number, clientId: string | null = null, user = 'bob') {
  return { type: 'chat_message', ...message(id, user), client_id: clientId };
}

function setup(overrides: Partial<RoomSocketOptions> = {}) {
  const sockets: FakeWebSocket[] = [];
  const states: ConnectionState[] = [];
  const handlers = {
    user_list: vi.fn(),
    history: vi.fn(),
    user_join: vi.fn(),
    user_leave: vi.fn(),
    chat_message: vi.fn(),
    private_message: vi.fn(),
    private_message_delivered: vi.fn(),
    error: vi.fn(),
    pong: vi.fn(),
    authenticated: vi.fn(),
    typing: vi.fn(),
    read: vi.fn(),
    message_edited: vi.fn(),
    message_deleted: vi.fn(),
    reaction: vi.fn(),
  } satisfies RoomEventHandlers;
  let tickets = 0;
  let ids = 0;
  const getTicket = vi.fn(async () => `ticket-${++tickets}`);
  const socket = new RoomSocket({
    room: 'lobby',
    wsBaseUrl: 'ws://chat.test',
    handlers,
    getTicket,
    createWebSocket: (url) => {
      const ws = new FakeWebSocket(url);
      sockets.push(ws);
      return ws;
    },
    onStateChange: (state) => states.push(state),
    random: () => 1,
    newClientId: () => `c-${++ids}`,
    ...overrides,
  });
  const last = () => sockets.at(-1) as FakeWebSocket;
  /** Let the ticket promise settle and the socket get created. */
  const settle = () => vi.advanceTimersByTimeAsync(0);
  /** Open the newest socket and play the server's greeting. */
  const greet = (messages: RoomMessage[] = [], hasMore = false, users: string[] = ['alice']) => {
    last().open();
    last().receive({ type: 'user_list', users });
    last().receive({ type: 'history', messages, has_more: hasMore });
  };
  return { socket, sockets, states, handlers, getTicket, last, settle, greet };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RoomSocket connecting', () => {
  it('connects with a fresh ticket and dispatches the greeting in order', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    expect(t.last().url).toBe('ws://chat.test/ws/chat/lobby/?ticket=ticket-1');
    t.greet([message(1), message(2)], true);
    expect(t.handlers.user_list).toHaveBeenCalledWith({ type: 'user_list', users: ['alice'] });
    expect(t.handlers.history).toHaveBeenCalledWith(
      { type: 'history', messages: [message(1), message(2)], has_more: true, changed: [], changed_more: false },
      { resumed: false },
    );
    expect(t.socket.getState()).toEqual({ status: 'open' });
  });

  it('connects anonymously without a ticket', async () => {
    const t = setup({ getTicket: async () => null });
    t.socket.start();
    await t.settle();
    expect(t.last().url).toBe('ws://chat.test/ws/chat/lobby/');
  });

  it('ignores frames of unknown types and frames that are not JSON objects', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    t.last().receive({ type: 'typing', user: 'bob' });
    t.last().receive('not json');
    t.last().receive('[1, 2]');
    t.last().receive({ type: 'user_join', user: 'bob' });
    expect(t.handlers.user_join).toHaveBeenCalledTimes(1);
  });
});

describe('RoomSocket reconnecting', () => {
  it('backs off exponentially and gets a new ticket for every attempt', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    t.last().serverClose(1006);
    expect(t.socket.getState()).toMatchObject({ status: 'reconnecting', attempt: 1 });

    await vi.advanceTimersByTimeAsync(499);
    expect(t.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sockets).toHaveLength(2);
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(999);
    expect(t.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sockets).toHaveLength(3);
    t.last().serverClose(1012);
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.sockets).toHaveLength(4);
    expect(t.getTicket).toHaveBeenCalledTimes(4);
    expect(t.sockets.map((ws) => ws.params.get('ticket'))).toEqual(['ticket-1', 'ticket-2', 'ticket-3', 'ticket-4']);
  });

  it('starts the backoff again after a connection that lasted', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    t.greet();
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    t.greet();
    await vi.advanceTimersByTimeAsync(10_000); // stable
    t.last().serverClose(1006);
    expect(t.socket.getState()).toMatchObject({ status: 'reconnecting', attempt: 1 });
    await vi.advanceTimersByTimeAsync(500);
    expect(t.sockets).toHaveLength(4);
  });

  it('retries when the ticket cannot be fetched (server down)', async () => {
    const t = setup();
    t.getTicket.mockRejectedValueOnce(new Error('offline'));
    t.socket.start();
    await t.settle();
    expect(t.sockets).toHaveLength(0);
    expect(t.socket.getState()).toMatchObject({ status: 'reconnecting' });
    await vi.advanceTimersByTimeAsync(500);
    expect(t.sockets).toHaveLength(1);
  });

  it.each([4400, 4403, 4404])('does not retry after close code %i', async (code) => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.last().open();
    t.last().serverClose(code);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.socket.getState()).toMatchObject({ status: 'stopped', code });
  });

  it('refreshes the token and reconnects with a new ticket after 4401', async () => {
    const refreshAccess = vi.fn(async () => true);
    const t = setup({ refreshAccess });
    t.socket.start();
    await t.settle();
    t.last().serverClose(4401);
    await t.settle();
    expect(refreshAccess).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(t.sockets).toHaveLength(2);
    expect(t.last().params.get('ticket')).toBe('ticket-2');
  });

  it('closes with 1000 when disposed and never reconnects', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    const ws = t.last();
    t.socket.dispose();
    expect(ws.closedWith).toBe(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.socket.getState()).toEqual({ status: 'closed' });
  });

  it('treats a missing pong as a dead connection', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(25_000);
    expect(t.last().sentOfType('ping')).toHaveLength(1);
    t.last().receive({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(25_000);
    expect(t.last().sentOfType('ping')).toHaveLength(2);
    expect(t.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000); // no pong this time
    expect(t.sockets[0]?.closedWith).toBe(4000);
    expect(t.socket.getState()).toMatchObject({ status: 'reconnecting' });
    await vi.advanceTimersByTimeAsync(500);
    expect(t.sockets).toHaveLength(2);
  });
});

describe('RoomSocket resume and de-duplication', () => {
  it('resumes after the largest id seen and drops messages it already has', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet([message(1), message(2)]);
    t.last().receive(chat(3));
    t.last().receive(chat(3)); // a duplicate frame
    expect(t.handlers.chat_message).toHaveBeenCalledTimes(1);

    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    expect(t.last().params.get('after')).toBe('3');
    t.greet([message(3), message(4)]);
    expect(t.handlers.history).toHaveBeenLastCalledWith(
      // The repeated message comes as a change: its current state.
      { type: 'history', messages: [message(4)], has_more: false, changed: [message(3)], changed_more: false },
      { resumed: true },
    );
    t.last().receive(chat(4));
    t.last().receive(chat(5));
    expect(t.handlers.chat_message).toHaveBeenCalledTimes(2);
  });

  it('reconnects with after= when the server says it may have missed messages (4409)', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet([message(1)]);
    t.last().receive(chat(2));
    t.last().serverClose(RESUME, 'fell behind; reconnect with after=');
    expect(t.socket.getState()).toMatchObject({ status: 'reconnecting' });
    await vi.advanceTimersByTimeAsync(500);
    expect(t.sockets).toHaveLength(2);
    expect(t.last().params.get('after')).toBe('2');
    t.greet([message(3)]);
    expect(t.handlers.history).toHaveBeenLastCalledWith(
      { type: 'history', messages: [message(3)], has_more: false, changed: [], changed_more: false },
      { resumed: true },
    );
  });

  it('resumes with after=0 when the room was empty', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet([]);
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    expect(t.last().params.get('after')).toBe('0');
  });

  it('pages the rest of a long gap over REST', async () => {
    const pages: Record<number, MessagePage<RoomMessage>> = {
      102: { results: [message(103), message(104)], has_more: true },
      104: { results: [message(105)], has_more: false },
    };
    const fetchMessagesAfter = vi.fn(async (after: number) => pages[after] as MessagePage<RoomMessage>);
    const t = setup({ fetchMessagesAfter });
    t.socket.start();
    await t.settle();
    t.greet([message(1)]);
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    t.greet([message(101), message(102)], true);
    await t.settle();
    expect(fetchMessagesAfter.mock.calls).toEqual([[102], [104]]);
    const delivered = t.handlers.history.mock.calls.flatMap(([event]) => event.messages.map((m: RoomMessage) => m.id));
    expect(delivered).toEqual([1, 101, 102, 103, 104, 105]);
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(1000); // second retry in a row: 1 s
    expect(t.sockets).toHaveLength(3);
    expect(t.last().params.get('after')).toBe('105');
  });

  it('de-duplicates private messages by id', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    const pm = { type: 'private_message', id: 7, user: 'bob', to: 'alice', message: 'hi', timestamp: '2026-11-24T09:00:00.000000Z' };
    t.last().receive(pm);
    t.last().receive(pm);
    expect(t.handlers.private_message).toHaveBeenCalledTimes(1);
  });
});

describe('RoomSocket outbox', () => {
  it('sends at once with a client_id when open', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    const clientId = t.socket.send({ type: 'chat_message', message: 'hello' });
    expect(t.last().sent).toEqual([{ type: 'chat_message', message: 'hello', client_id: clientId }]);
    t.last().receive(chat(1, clientId, 'alice'));
    expect(t.handlers.chat_message).toHaveBeenCalledWith(expect.objectContaining({ id: 1 }), { own: true });
    expect(t.socket.pending).toEqual([]);
  });

  it('queues what is typed offline and sends it once when the connection is back', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    t.last().serverClose(1006);
    const clientId = t.socket.send({ type: 'chat_message', message: 'typed offline' });
    expect(t.socket.pending).toEqual([expect.objectContaining({ clientId, state: 'queued' })]);

    await vi.advanceTimersByTimeAsync(500);
    t.greet();
    expect(t.last().sentOfType('chat_message')).toEqual([
      { type: 'chat_message', message: 'typed offline', client_id: clientId },
    ]);
    t.last().receive(chat(1, clientId, 'alice'));
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    t.greet([message(1, 'alice')]);
    expect(t.last().sentOfType('chat_message')).toEqual([]);
  });

  it('resends an unacknowledged frame with the same client_id after a reconnect', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    const clientId = t.socket.send({ type: 'private_message', to: 'bob', message: 'are you there?' });
    expect(t.last().sentOfType('private_message')).toHaveLength(1);
    t.last().serverClose(1006); // dropped before the echo came back

    await vi.advanceTimersByTimeAsync(500);
    t.greet();
    expect(t.last().sentOfType('private_message')).toEqual([
      { type: 'private_message', to: 'bob', message: 'are you there?', client_id: clientId },
    ]);
    const delivered = {
      type: 'private_message_delivered',
      id: 9,
      target: 'bob',
      message: 'are you there?',
      timestamp: '2026-11-24T09:00:00.000000Z',
      client_id: clientId,
    };
    t.last().receive(delivered);
    t.last().receive(delivered);
    expect(t.handlers.private_message_delivered).toHaveBeenCalledTimes(1);
    expect(t.socket.pending).toEqual([]);
  });

  it('takes the echo of a resent frame as its acknowledgement even when resume history had it', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    const clientId = t.socket.send({ type: 'chat_message', message: 'mine' });
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    t.greet([message(1, 'alice', 'mine')]); // stored before the drop; history carries no client_id
    t.last().receive(chat(1, clientId, 'alice')); // the server's answer to the resend
    expect(t.socket.pending).toEqual([]);
    expect(t.handlers.chat_message).not.toHaveBeenCalled();
    expect(t.handlers.history).toHaveBeenCalledTimes(2);
  });

  it('drops a refused frame from the outbox and reports it with the frame', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    const clientId = t.socket.send({ type: 'chat_message', message: 'x'.repeat(4001) });
    t.last().receive({ type: 'error', code: 'too_long', message: 'The message is too long.', client_id: clientId });
    expect(t.handlers.error).toHaveBeenCalledWith(expect.objectContaining({ code: 'too_long' }), {
      entry: expect.objectContaining({ frame: { type: 'chat_message', message: 'x'.repeat(4001), client_id: clientId } }),
    });
    expect(t.socket.pending).toEqual([]);
  });

  it('retries a rate-limited frame with the same client_id', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    const clientId = t.socket.send({ type: 'chat_message', message: 'fast' });
    t.last().receive({ type: 'error', code: 'rate_limited', message: 'Slow down.', client_id: clientId });
    expect(t.handlers.error).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.last().sentOfType('chat_message')).toHaveLength(2);
    expect(new Set(t.last().sentOfType('chat_message').map((frame) => frame.client_id))).toEqual(new Set([clientId]));
  });

  it('spaces a long outbox to stay under the frame rate limit', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    t.last().serverClose(1006);
    for (let i = 0; i < 13; i += 1) t.socket.send({ type: 'chat_message', message: `m${i}` });
    await vi.advanceTimersByTimeAsync(500);
    t.greet();
    expect(t.last().sentOfType('chat_message')).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(450);
    expect(t.last().sentOfType('chat_message').map((frame) => frame.message)).toEqual(
      Array.from({ length: 13 }, (_, i) => `m${i}`),
    );
  });
});

describe('RoomSocket REST catch-up', () => {
  /** Connect, see message 1, drop, and come back to a resume history that has more waiting. */
  async function resumeIntoGap(t: ReturnType<typeof setup>) {
    t.socket.start();
    await t.settle();
    t.greet([message(1)]);
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    t.greet([message(101), message(102)], true);
    await t.settle();
  }

  it('retries a failed catch-up with backoff', async () => {
    const fetchMessagesAfter = vi
      .fn<(after: number) => Promise<MessagePage<RoomMessage>>>()
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValueOnce({ results: [message(103), message(104)], has_more: false });
    const t = setup({ fetchMessagesAfter });
    await resumeIntoGap(t);
    expect(fetchMessagesAfter.mock.calls).toEqual([[102]]);
    await vi.advanceTimersByTimeAsync(499);
    expect(fetchMessagesAfter).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMessagesAfter.mock.calls).toEqual([[102], [102]]);
    const delivered = t.handlers.history.mock.calls.flatMap(([event]) => event.messages.map((m: RoomMessage) => m.id));
    expect(delivered).toEqual([1, 101, 102, 103, 104]);
  });

  it('never moves the cursor past a gap it could not fetch', async () => {
    const fetchMessagesAfter = vi.fn(async (): Promise<MessagePage<RoomMessage>> => {
      throw new Error('offline');
    });
    const t = setup({ fetchMessagesAfter });
    await resumeIntoGap(t);
    // Live messages arrive beyond the gap (103 up to 499 are still missing)...
    t.last().receive(chat(500));
    t.last().receive(chat(501));
    expect(t.handlers.chat_message).toHaveBeenCalledTimes(2);
    // ...and the next resume still starts at the gap.
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.last().params.get('after')).toBe('102');
    // That resume fills the gap, live messages included: the ones already shown are not repeated.
    t.greet([message(103), message(500), message(501), message(502)]);
    expect(t.handlers.history).toHaveBeenLastCalledWith(
      { type: 'history', messages: [message(103), message(502)], has_more: false, changed: [message(500), message(501)], changed_more: false },
      { resumed: true },
    );
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.last().params.get('after')).toBe('502');
  });

  it('moves the cursor page by page, as far as was fetched', async () => {
    const fetchMessagesAfter = vi
      .fn<(after: number) => Promise<MessagePage<RoomMessage>>>()
      .mockResolvedValueOnce({ results: [message(103), message(104)], has_more: true })
      .mockRejectedValue(new Error('offline'));
    const t = setup({ fetchMessagesAfter });
    await resumeIntoGap(t);
    t.last().receive(chat(300));
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.last().params.get('after')).toBe('104');
  });
});

describe('RoomSocket outbox order', () => {
  it('sends nothing new before what was queued while disconnected has gone out', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    t.last().serverClose(1006);
    for (let i = 0; i < 12; i += 1) t.socket.send({ type: 'chat_message', message: `queued ${i}` });
    await vi.advanceTimersByTimeAsync(500);
    t.greet();
    t.socket.send({ type: 'chat_message', message: 'new' }); // typed while the queue is draining
    expect(t.last().sentOfType('chat_message').map((frame) => frame.message)).not.toContain('new');
    await vi.advanceTimersByTimeAsync(450);
    expect(t.last().sentOfType('chat_message').map((frame) => frame.message)).toEqual([
      ...Array.from({ length: 12 }, (_, i) => `queued ${i}`),
      'new',
    ]);
  });

  it('sends nothing new before a rate-limited message has been resent', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    const first = t.socket.send({ type: 'chat_message', message: 'first' });
    t.last().receive({ type: 'error', code: 'rate_limited', message: 'Slow down.', client_id: first });
    t.socket.send({ type: 'chat_message', message: 'second' });
    expect(t.last().sentOfType('chat_message').map((frame) => frame.message)).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.last().sentOfType('chat_message').map((frame) => frame.message)).toEqual(['first', 'first', 'second']);
  });
});

describe('RoomSocket control frames', () => {
  it('sends typing and read markers only while open, and never queues them', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    expect(t.socket.sendControl({ type: 'typing' })).toBe(false);
    t.greet();
    expect(t.socket.sendControl({ type: 'typing' })).toBe(true);
    expect(t.socket.sendControl({ type: 'mark_read', with: 'bob', id: 4 })).toBe(true);
    expect(t.last().sent).toEqual([
      { type: 'typing', client_id: 'c-1' },
      { type: 'mark_read', with: 'bob', id: 4, client_id: 'c-2' },
    ]);
    expect(t.socket.pending).toEqual([]);
  });

  it('does not show a refusal of a control frame as the person\'s error', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    t.socket.sendControl({ type: 'mark_read', id: 99 });
    t.last().receive({ type: 'error', code: 'message_not_found', message: 'No message 99.', client_id: 'c-1' });
    expect(t.handlers.error).not.toHaveBeenCalled();
  });

  it('hands typing and read events to their handlers', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    t.last().receive({ type: 'typing', user: 'bob' });
    t.last().receive({ type: 'read', room: 'lobby', with: null, id: 7 });
    expect(t.handlers.typing).toHaveBeenCalledWith({ type: 'typing', user: 'bob' });
    expect(t.handlers.read).toHaveBeenCalledWith({ type: 'read', room: 'lobby', with: null, id: 7 });
  });
});

describe('RoomSocket keep-alive', () => {
  it.each([
    ['naming the ping', (ping: Record<string, unknown>) => ping.client_id],
    ['naming no frame', () => null],
  ])('takes a rate-limited ping, %s, for an answer, not for a dead connection', async (_, clientIdOf) => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(25_000);
    const [ping] = t.last().sentOfType('ping');
    expect(ping?.client_id).toEqual(expect.any(String));
    t.last().receive({ type: 'error', code: 'rate_limited', message: 'Slow down.', client_id: clientIdOf(ping ?? {}) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.last().closedWith).toBeNull();
    expect(t.socket.getState()).toEqual({ status: 'open' });
    // Nobody wrote the ping: its refusal is not shown as an error.
    expect(t.handlers.error).not.toHaveBeenCalled();
    // The keep-alive goes on.
    await vi.advanceTimersByTimeAsync(15_000);
    expect(t.last().sentOfType('ping')).toHaveLength(2);
  });
});

describe('RoomSocket close codes', () => {
  it('stops for good when it loses access to the room mid-session (4403)', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet([message(1)]);
    t.last().serverClose(4403, 'This room is for staff only.');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.socket.getState()).toMatchObject({ status: 'stopped', code: 4403 });
  });

  it('says why and waits long after too many sockets (4429), never in a tight loop', async () => {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet();
    t.last().serverClose(4429);
    expect(t.socket.getState()).toMatchObject({ status: 'reconnecting', reason: expect.stringMatching(/too many open tabs/i) });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(t.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sockets).toHaveLength(2);
    t.last().serverClose(4429);
    await vi.advanceTimersByTimeAsync(119_999);
    expect(t.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sockets).toHaveLength(3);
    // Let in again: the next reconnect says nothing about tabs.
    t.greet();
    t.last().serverClose(1006);
    expect(t.socket.getState()).not.toHaveProperty('reason');
  });

  it('reconnects with after= once the token is refreshed after 4401', async () => {
    const refreshAccess = vi.fn(async () => true);
    const t = setup({ refreshAccess, accessToken: () => token('access-1', 0) });
    t.socket.start();
    await t.settle();
    t.greet([message(1), message(2)]);
    t.last().serverClose(4401, 'The credential expired.');
    await t.settle();
    expect(refreshAccess).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(t.sockets).toHaveLength(2);
    expect(t.last().params.get('after')).toBe('2');
  });

  it('goes to the logged-out state, without retrying, when the refresh after 4401 is refused', async () => {
    const refreshAccess = vi.fn(async () => false);
    const t = setup({ refreshAccess, accessToken: () => token('access-1', 0) });
    t.socket.start();
    await t.settle();
    t.greet();
    t.last().serverClose(4401);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.socket.getState()).toMatchObject({ status: 'stopped', code: 4401 });
  });
});

/** An access token issued at `issuedAt` (ms on the fake clock) that lives `lifetimeMs`. */
function token(name: string, issuedAt: number, lifetimeMs = 10_000): AccessToken {
  return { token: name, issuedAt, expiresAt: issuedAt + lifetimeMs };
}

describe('RoomSocket credential renewal', () => {
  /** A session whose refresh hands out access-2, access-3, ... issued at the time of the refresh. */
  function session(overrides: Partial<RoomSocketOptions> = {}) {
    let current = token('access-1', Date.now());
    let refreshes = 0;
    const refreshAccess = vi.fn(async () => {
      refreshes += 1;
      current = token(`access-${refreshes + 1}`, Date.now());
      return true;
    });
    const t = setup({ accessToken: () => current, refreshAccess, ...overrides });
    return {
      ...t,
      refreshAccess,
      setCurrent: (next: AccessToken) => {
        current = next;
      },
      /** Every authenticate frame, on any socket. */
      authenticates: () => t.sockets.flatMap((ws) => ws.sentOfType('authenticate')),
    };
  }

  it('hands the server a fresh token on the open socket at 80% of its lifetime, again and again', async () => {
    const t = session();
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(7_999);
    expect(t.refreshAccess).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(t.refreshAccess).toHaveBeenCalledTimes(1);
    const [first] = t.authenticates();
    expect(first).toEqual({ type: 'authenticate', token: 'access-2', client_id: expect.any(String) });
    t.last().receive({ type: 'authenticated', expires_at: '2026-12-01T12:00:18.000000Z' });

    await vi.advanceTimersByTimeAsync(8_000);
    expect(t.authenticates().map((frame) => frame.token)).toEqual(['access-2', 'access-3']);
    t.last().receive({ type: 'authenticated', expires_at: '2026-12-01T12:00:26.000000Z' });
    expect(t.sockets).toHaveLength(1);
    expect(t.states.filter((state) => state.status !== 'open')).toEqual([{ status: 'connecting' }]);
  });

  it('uses a token refreshed meanwhile by someone else rather than refreshing again', async () => {
    const t = session();
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(5_000);
    t.setCurrent(token('from-a-rest-call', Date.now()));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(t.refreshAccess).not.toHaveBeenCalled();
    expect(t.authenticates().map((frame) => frame.token)).toEqual(['from-a-rest-call']);
  });

  it('plans for the older token when a refresh replaced it while the ticket was fetched', async () => {
    const t = session();
    t.getTicket.mockImplementationOnce(async () => {
      t.setCurrent(token('access-new', Date.now() - 1_000, 60_000));
      return 'ticket-1';
    });
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(8_000); // 80% of access-1's lifetime
    expect(t.authenticates().map((frame) => frame.token)).toEqual(['access-new']);
  });

  it('falls back to a new socket before expiry when the server does not know authenticate', async () => {
    const t = session();
    t.socket.start();
    await t.settle();
    t.greet([message(1)]);
    await vi.advanceTimersByTimeAsync(8_000);
    const [frame] = t.authenticates();
    t.last().receive({ type: 'error', code: 'unknown_type', message: "Unknown message type 'authenticate'.", client_id: frame?.client_id });
    await t.settle();
    expect(t.sockets).toHaveLength(2);
    expect(t.sockets[0]?.closedWith).not.toBeNull();
    expect(t.last().params.get('after')).toBe('1');
    expect(t.last().params.get('ticket')).toBe('ticket-2');
    expect(t.handlers.error).not.toHaveBeenCalled();
    // The new socket renews the same way, with the newest token.
    t.greet();
    await vi.advanceTimersByTimeAsync(8_000);
    expect(t.last().sentOfType('authenticate').map((sent) => sent.token)).toEqual(['access-3']);
  });

  it('refreshes again and retries when the server refuses the token', async () => {
    const t = session();
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(8_000);
    // The server names no client_id for an authenticate frame.
    t.last().receive({ type: 'error', code: 'token_not_valid', message: 'Token is invalid.', client_id: null });
    expect(t.handlers.error).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.refreshAccess).toHaveBeenCalledTimes(2);
    expect(t.authenticates().map((frame) => frame.token)).toEqual(['access-2', 'access-3']);
    expect(t.sockets).toHaveLength(1);
  });

  it('tries again later when the refresh cannot reach the server', async () => {
    const t = session();
    t.refreshAccess.mockRejectedValueOnce(new Error('offline'));
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(8_000);
    expect(t.authenticates()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.authenticates().map((frame) => frame.token)).toEqual(['access-2']);
  });

  it('sends nothing when the session is over; the close at expiry then stops the socket', async () => {
    const t = session();
    t.refreshAccess.mockResolvedValue(false);
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(8_000);
    expect(t.authenticates()).toEqual([]);
    t.last().serverClose(4401);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.socket.getState()).toMatchObject({ status: 'stopped', code: 4401 });
  });

  it('stops renewing a socket the server says the token does not belong to', async () => {
    const t = session();
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(8_000);
    t.last().receive({ type: 'error', code: 'forbidden', message: 'Not your socket.', client_id: null });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.authenticates()).toHaveLength(1);
    expect(t.handlers.error).not.toHaveBeenCalled();
  });

  it('renews nothing once the room is left', async () => {
    const t = session();
    t.socket.start();
    await t.settle();
    t.greet();
    t.socket.dispose();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.refreshAccess).not.toHaveBeenCalled();
  });

  it('renews nothing for an anonymous socket', async () => {
    const t = session({ getTicket: async () => null });
    t.socket.start();
    await t.settle();
    t.greet();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.refreshAccess).not.toHaveBeenCalled();
    expect(t.authenticates()).toEqual([]);
  });
});

describe('RoomSocket edits, deletes and reactions', () => {
  async function opened() {
    const t = setup();
    t.socket.start();
    await t.settle();
    t.greet([message(1, 'alice')]);
    return t;
  }

  it('sends an edit with a client_id and settles it when the edit comes back', async () => {
    const t = await opened();
    const edited = t.socket.act({ type: 'edit_message', id: 1, message: 'better' });
    expect(t.last().sentOfType('edit_message')).toEqual([{ type: 'edit_message', id: 1, message: 'better', client_id: 'c-1' }]);
    const event = { type: 'message_edited', id: 1, room: 'lobby', message: 'better', edited_at: '2026-11-24T09:30:00.000000Z' };
    t.last().receive(event);
    await expect(edited).resolves.toBeUndefined();
    expect(t.handlers.message_edited).toHaveBeenCalledWith(event);
  });

  it('rejects a refused action with its code, without calling the error handler', async () => {
    const t = await opened();
    const reacted = t.socket.act({ type: 'react', id: 1, emoji: '👍', added: true });
    t.last().receive({ type: 'error', code: 'too_many_reactions', message: 'Too many.', client_id: 'c-1' });
    await expect(reacted).rejects.toMatchObject({ code: 'too_many_reactions' });
    expect(t.handlers.error).not.toHaveBeenCalled();
  });

  it('refuses at once while not open, and says to try again when the connection drops first', async () => {
    const t = await opened();
    const deleting = t.socket.act({ type: 'delete_message', id: 1, with: 'bob' });
    t.last().serverClose(1006);
    await expect(deleting).rejects.toMatchObject({ code: 'connection_lost' });
    await expect(t.socket.act({ type: 'delete_message', id: 1 })).rejects.toMatchObject({ code: 'offline' });
  });

  it('passes reactions and deletes on', async () => {
    const t = await opened();
    t.last().receive({ type: 'reaction', id: 1, room: 'lobby', emoji: '🎉', user: 'bob', added: true });
    t.last().receive({ type: 'message_deleted', id: 1, room: 'lobby' });
    expect(t.handlers.reaction).toHaveBeenCalledTimes(1);
    expect(t.handlers.message_deleted).toHaveBeenCalledWith({ type: 'message_deleted', id: 1, room: 'lobby' });
  });
});

describe('RoomSocket changes after a resume', () => {
  const edited = (id: number) => ({ ...message(id), message: `edited ${id}`, edited_at: '2026-11-24T09:30:00.000000Z' });

  it("pages the rest of a resume's changes from the after= it was opened with", async () => {
    const fetchChanges = vi.fn(async () => ({ results: [edited(2)], has_more: false }));
    const t = setup({ fetchChanges });
    t.socket.start();
    await t.settle();
    t.greet([message(1), message(2), message(3), message(4)]);
    t.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    t.last().open();
    t.last().receive({ type: 'history', messages: [message(5)], has_more: false, changed: [edited(3)], changed_more: true });
    await t.settle();
    expect(fetchChanges).toHaveBeenCalledWith(4, 3);
    expect(t.handlers.history).toHaveBeenLastCalledWith(
      { type: 'history', messages: [], has_more: false, changed: [edited(2)], changed_more: false },
      { resumed: true },
    );
  });

  it('takes a frame from a server without changes as having none', async () => {
    const fetchChanges = vi.fn();
    const t = setup({ fetchChanges });
    t.socket.start();
    await t.settle();
    t.greet([message(1)]);
    expect(t.handlers.history).toHaveBeenLastCalledWith(expect.objectContaining({ changed: [], changed_more: false }), { resumed: false });
    expect(fetchChanges).not.toHaveBeenCalled();
  });
});

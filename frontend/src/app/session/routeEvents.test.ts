import { routeEvents, type SessionEventTargets } from './routeEvents';

function targets(): SessionEventTargets & { calls: string[] } {
  const calls: string[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      calls.push(`${name} ${JSON.stringify(args)}`);
  return {
    calls,
    me: 'alice',
    timeline: { history: record('history'), roomMessage: record('roomMessage') },
    presence: { reset: record('reset'), join: record('join'), leave: record('leave') },
    typing: { typing: record('typing'), stopped: record('stopped') },
    conversations: { live: record('live'), read: record('conversationRead') },
    reads: { read: record('read') },
    sending: { delivered: record('delivered'), refused: record('refused') },
    notices: { privateMessage: record('notice') },
  };
}

const at = '2026-11-24T09:01:09.000000Z';

describe('routeEvents', () => {
  it('sends presence events to presence', () => {
    const t = targets();
    const handlers = routeEvents(t);
    handlers.user_list({ type: 'user_list', users: ['alice', 'bob'] });
    handlers.user_join({ type: 'user_join', user: 'carol' });
    handlers.user_leave({ type: 'user_leave', user: 'bob' });
    expect(t.calls).toEqual(['reset [["alice","bob"]]', 'join ["carol"]', 'leave ["bob"]']);
  });

  it('puts a private message in its conversation only, never in the room timeline', () => {
    const t = targets();
    const pm = { id: 7, user: 'bob', to: 'alice', message: 'psst', timestamp: at };
    const event = { type: 'private_message' as const, ...pm };
    routeEvents(t).private_message(event);
    expect(t.calls).toEqual([`live ${JSON.stringify([event, 'alice'])}`, `notice ${JSON.stringify([event])}`]);
  });

  it('puts a delivered private message in the conversation, as sent by me', () => {
    const t = targets();
    routeEvents(t).private_message_delivered({
      type: 'private_message_delivered',
      id: 7,
      target: 'bob',
      message: 'see you at 5',
      timestamp: at,
      client_id: 'c-1',
    });
    const expected = { id: 7, user: 'alice', to: 'bob', message: 'see you at 5', timestamp: at };
    expect(t.calls).toEqual([`live ${JSON.stringify([expected, 'alice'])}`, 'delivered ["c-1","bob"]']);
  });

  it("shows others typing, not my own other tab, and stops showing someone whose message came", () => {
    const t = targets();
    const handlers = routeEvents(t);
    handlers.typing({ type: 'typing', user: 'alice' });
    handlers.typing({ type: 'typing', user: 'bob' });
    handlers.chat_message({ type: 'chat_message', id: 1, room: 'lobby', user: 'bob', message: 'hi', timestamp: at, client_id: null }, { own: false });
    expect(t.calls[0]).toBe('typing ["bob"]');
    expect(t.calls[1]).toBe('stopped ["bob"]');
    expect(t.calls).toHaveLength(3);
  });

  it('passes read markers on', () => {
    const t = targets();
    routeEvents(t).read({ type: 'read', room: null, with: 'bob', id: 4 });
    expect(t.calls).toEqual(['read [{"type":"read","room":null,"with":"bob","id":4}]']);
  });

  it('shows errors with the outbox entry they refer to', () => {
    const t = targets();
    const entry = {
      clientId: 'c-1',
      frame: { type: 'chat_message' as const, message: 'x', client_id: 'c-1' },
      state: 'sent' as const,
      origin: 'room:lobby',
    };
    routeEvents(t).error({ type: 'error', code: 'too_long', message: 'Too long.', client_id: 'c-1' }, { entry });
    expect(t.calls).toEqual([`refused ${JSON.stringify([entry, 'Too long.'])}`]);
  });
});

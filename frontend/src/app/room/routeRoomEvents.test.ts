import { routeRoomEvents, type RoomEventTargets } from './routeRoomEvents';

function targets(): RoomEventTargets & { calls: string[] } {
  const calls: string[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      calls.push(`${name} ${JSON.stringify(args)}`);
  return {
    calls,
    me: 'alice',
    timeline: { history: record('history'), roomMessage: record('roomMessage'), privateMessage: record('privateMessage') },
    presence: { reset: record('reset'), join: record('join'), leave: record('leave') },
    conversations: { live: record('live') },
    errors: { show: record('error') },
  };
}

describe('routeRoomEvents', () => {
  it('sends presence events to presence', () => {
    const t = targets();
    const handlers = routeRoomEvents(t);
    handlers.user_list({ type: 'user_list', users: ['alice', 'bob'] });
    handlers.user_join({ type: 'user_join', user: 'carol' });
    handlers.user_leave({ type: 'user_leave', user: 'bob' });
    expect(t.calls).toEqual(['reset [["alice","bob"]]', 'join ["carol"]', 'leave ["bob"]']);
  });

  it('puts a delivered private message in the timeline and the conversation, as sent by me', () => {
    const t = targets();
    routeRoomEvents(t).private_message_delivered({
      type: 'private_message_delivered',
      id: 7,
      target: 'bob',
      message: 'see you at 5',
      timestamp: '2026-11-24T09:01:09.000000Z',
      client_id: null,
    });
    const expected = { id: 7, user: 'alice', to: 'bob', message: 'see you at 5', timestamp: '2026-11-24T09:01:09.000000Z' };
    expect(t.calls).toEqual([
      `privateMessage ${JSON.stringify([expected, 'out'])}`,
      `live ${JSON.stringify([expected, 'alice'])}`,
    ]);
  });

  it('shows errors with the outbox entry they refer to', () => {
    const t = targets();
    const entry = {
      clientId: 'c-1',
      frame: { type: 'chat_message' as const, message: 'x', client_id: 'c-1' },
      state: 'sent' as const,
      origin: 'room',
    };
    routeRoomEvents(t).error({ type: 'error', code: 'too_long', message: 'Too long.', client_id: 'c-1' }, { entry });
    expect(t.calls).toEqual([`error ${JSON.stringify([entry, 'Too long.'])}`]);
  });
});

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
    timeline: {
      history: record('history'),
      roomMessage: record('roomMessage'),
      edited: record('roomEdited'),
      deleted: record('roomDeleted'),
      reaction: record('reaction'),
    },
    presence: { reset: record('reset'), join: record('join'), leave: record('leave') },
    typing: { typing: record('typing'), stopped: record('stopped') },
    conversations: { live: record('live'), read: record('conversationRead'), edited: record('privateEdited'), deleted: record('privateDeleted') },
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
    const pm = { id: 7, user: 'bob', to: 'alice', message: 'psst', timestamp: at, edited_at: null, deleted: false };
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
    const expected = { id: 7, user: 'alice', to: 'bob', message: 'see you at 5', timestamp: at, edited_at: null, deleted: false };
    expect(t.calls).toEqual([`live ${JSON.stringify([expected, 'alice'])}`, 'delivered ["c-1","bob"]']);
  });

  it("shows others typing, not my own other tab, and stops showing someone whose message came", () => {
    const t = targets();
    const handlers = routeEvents(t);
    handlers.typing({ type: 'typing', user: 'alice' });
    handlers.typing({ type: 'typing', user: 'bob' });
    handlers.chat_message(
      { type: 'chat_message', id: 1, room: 'lobby', user: 'bob', message: 'hi', timestamp: at, edited_at: null, deleted: false, reactions: [], client_id: null },
      { own: false },
    );
    expect(t.calls[0]).toBe('typing ["bob"]');
    expect(t.calls[1]).toBe('stopped ["bob"]');
    expect(t.calls).toHaveLength(3);
  });

  it('sends a change to the room timeline or to the conversations, by its room', () => {
    const t = targets();
    const handlers = routeEvents(t);
    handlers.message_edited({ type: 'message_edited', id: 3, room: 'lobby', message: 'new', edited_at: at });
    handlers.message_edited({ type: 'message_edited', id: 3, room: null, message: 'new', edited_at: at });
    handlers.message_deleted({ type: 'message_deleted', id: 4, room: 'lobby' });
    handlers.message_deleted({ type: 'message_deleted', id: 4, room: null });
    handlers.reaction({ type: 'reaction', id: 5, room: 'lobby', emoji: '👍', user: 'bob', added: true });
    expect(t.calls.map((call) => call.split(' ')[0])).toEqual(['roomEdited', 'privateEdited', 'roomDeleted', 'privateDeleted', 'reaction']);
  });

  it("passes a history's changes to the timeline", () => {
    const t = targets();
    routeEvents(t).history({ type: 'history', messages: [], has_more: false, changed: [], changed_more: false }, { resumed: true });
    expect(t.calls).toEqual(['history [[],{"hasMore":false,"resumed":true,"changed":[]}]']);
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

import { PM_USAGE, parsePmShortcut, parseServerEvent } from './protocol';

describe('parsePmShortcut: the one /pm rule, shared with the server', () => {
  it.each([
    // Private, whatever white space or case it is written with.
    ['/pm bob hi', 'bob', 'hi'],
    [' /pm bob secret', 'bob', 'secret'],
    ['/pm\tbob secret', 'bob', 'secret'],
    ['\n\t /pm bob secret', 'bob', 'secret'],
    ['/PM bob upper', 'bob', 'upper'],
    ['/Pm bob mixed', 'bob', 'mixed'],
    ['/pm   bob    spaced out  ', 'bob', 'spaced out'],
    ['/pm bob first line\nsecond line\n', 'bob', 'first line\nsecond line'],
    ['/pm\nbob\nhi', 'bob', 'hi'],
    ['\u00a0/pm\u00a0bob\u00a0no-break spaces\u00a0', 'bob', 'no-break spaces'],
    ['\u3000/pm\u2003bob\u2028hi\ufeff', 'bob', 'hi'],
    // U+0085 is white space to the rule (and to Python), not to JS's \s.
    ['\u0085/pm\u1680bob\u205fhi\u202f', 'bob', 'hi'],
    ['\v/pm\fbob\rhi', 'bob', 'hi'],
    ['/pm\u2000bob\u200ahi\u2029', 'bob', 'hi'],
    ['/pm bob.o+1@x a/pm b c', 'bob.o+1@x', 'a/pm b c'],
    // A zero-width space is no white space to the rule (nor to Python): part of a word.
    ['/pm bob\u200bzero-width hi', 'bob\u200bzero-width', 'hi'],
    ['/pm bob \u200b', 'bob', '\u200b'],
  ])('%j is private to %s: %j', (text, to, message) => {
    expect(parsePmShortcut(text)).toEqual({ to, message });
  });

  it.each(['/pm', '/PM', '  /pm  ', '\t/pm\t', '/pm bob', '/pm bob   ', '/pm bob\u3000\ufeff\n'])(
    '%j is a command without a name and a text: refused, never sent',
    (text) => {
      expect(parsePmShortcut(text)).toEqual({ error: PM_USAGE });
    },
  );

  it.each([
    'hello',
    '/pmbob hi',
    '/pm-bob hi',
    'say /pm bob hi',
    '//pm bob hi',
    '/p m bob hi',
    '/pm\u200bbob hi',
    '\u200b/pm bob hi',
    // Python's \s counts U+001C as white space; the rule does not.
    '\u001c/pm bob hi',
  ])('%j is a room message', (text) => {
    expect(parsePmShortcut(text)).toBeNull();
  });
});

describe('parseServerEvent: frames from servers before edits and reactions', () => {
  const at = '2026-11-24T09:01:09.000000Z';
  it('fills in never edited, not deleted, no reactions', () => {
    const old = { id: 1, room: 'lobby', user: 'bob', message: 'hi', timestamp: at };
    expect(parseServerEvent(JSON.stringify({ type: 'chat_message', ...old, client_id: null }))).toEqual({
      type: 'chat_message',
      ...old,
      client_id: null,
      edited_at: null,
      deleted: false,
      reactions: [],
    });
    expect(parseServerEvent(JSON.stringify({ type: 'history', messages: [old], has_more: false }))).toEqual({
      type: 'history',
      messages: [{ ...old, edited_at: null, deleted: false, reactions: [] }],
      has_more: false,
      changed: [],
      changed_more: false,
    });
    const pm = { id: 7, user: 'bob', to: 'alice', message: 'psst', timestamp: at };
    expect(parseServerEvent(JSON.stringify({ type: 'private_message', ...pm }))).toEqual({
      type: 'private_message',
      ...pm,
      edited_at: null,
      deleted: false,
    });
  });

  it('keeps the fields a newer server sends', () => {
    const reactions = [{ emoji: '👍', count: 1, users: ['alice'] }];
    const current = { id: 1, room: 'lobby', user: 'bob', message: '', timestamp: at, edited_at: at, deleted: true, reactions };
    expect(parseServerEvent(JSON.stringify({ type: 'chat_message', ...current, client_id: null }))).toMatchObject(current);
  });

  it('knows the new events', () => {
    for (const frame of [
      { type: 'message_edited', id: 1, room: null, message: 'x', edited_at: at },
      { type: 'message_deleted', id: 1, room: 'lobby' },
      { type: 'reaction', id: 1, room: 'lobby', emoji: '👍', user: 'bob', added: false },
    ]) {
      expect(parseServerEvent(JSON.stringify(frame))).toEqual(frame);
    }
  });
});

import type { RoomMessage } from '@/lib/protocol';
import { laterState, tombstone, updateById, withCurrentStates, withEdit, withReaction } from './messageChanges';

const message = (id: number, changes: Partial<RoomMessage> = {}): RoomMessage => ({
  id,
  room: 'lobby',
  user: 'alice',
  message: `m${id}`,
  timestamp: '2026-11-24T09:00:00.000000Z',
  edited_at: null,
  deleted: false,
  reactions: [],
  ...changes,
});
const early = '2026-11-24T09:05:00.000000Z';
const late = '2026-11-24T09:10:00.000000Z';

describe('laterState', () => {
  it('takes the later edit, and everything else from the state just heard of', () => {
    const held = message(1, { message: 'late text', edited_at: late });
    const incoming = message(1, { message: 'early text', edited_at: early, reactions: [{ emoji: '👍', count: 1, users: ['bob'] }] });
    expect(laterState(held, incoming)).toEqual({ ...incoming, message: 'late text', edited_at: late });
    expect(laterState(incoming, held)).toBe(held);
  });

  it('keeps a tombstone a tombstone', () => {
    const deleted = tombstone(message(1));
    expect(laterState(deleted, message(1, { message: 'back?', edited_at: late }))).toBe(deleted);
    expect(laterState(message(1), deleted)).toBe(deleted);
  });
});

describe('withEdit and tombstone', () => {
  it('replaces the text and says when', () => {
    expect(withEdit(message(1), { message: 'better', edited_at: early })).toMatchObject({ message: 'better', edited_at: early });
  });

  it('does not let an older edit undo a newer one', () => {
    const edited = withEdit(message(1), { message: 'newer', edited_at: late });
    expect(withEdit(edited, { message: 'older', edited_at: early })).toMatchObject({ message: 'newer', edited_at: late });
  });

  it('leaves no text and no reactions on a deleted message', () => {
    const reacted = message(1, { reactions: [{ emoji: '🎉', count: 2, users: ['bob', 'carol'] }] });
    expect(tombstone(reacted)).toMatchObject({ message: '', deleted: true, reactions: [] });
  });

  it('gives a private message no reactions field', () => {
    const pm = { id: 1, user: 'a', to: 'b', message: 'x', timestamp: early, edited_at: null, deleted: false };
    expect(tombstone(pm)).toEqual({ ...pm, message: '', deleted: true });
  });
});

describe('withReaction', () => {
  const thumbs = { emoji: '👍', count: 1, users: ['bob'] };

  it('adds a user to a chip, or a new chip last', () => {
    const one = withReaction([thumbs], { emoji: '👍', user: 'carol', added: true });
    expect(one).toEqual([{ emoji: '👍', count: 2, users: ['bob', 'carol'] }]);
    const two = withReaction(one, { emoji: '🎉', user: 'bob', added: true });
    expect(two.map((reaction) => reaction.emoji)).toEqual(['👍', '🎉']);
  });

  it('takes a user away, and the chip when nobody is left, keeping the others in order', () => {
    const reactions = [thumbs, { emoji: '🎉', count: 1, users: ['carol'] }, { emoji: '😂', count: 1, users: ['dan'] }];
    expect(withReaction(reactions, { emoji: '🎉', user: 'carol', added: false }).map((reaction) => reaction.emoji)).toEqual(['👍', '😂']);
  });

  it('changes nothing when it already is so: a repeat is harmless', () => {
    const reactions = [thumbs];
    expect(withReaction(reactions, { emoji: '👍', user: 'bob', added: true })).toBe(reactions);
    expect(withReaction(reactions, { emoji: '👍', user: 'carol', added: false })).toBe(reactions);
    expect(withReaction(reactions, { emoji: '🎉', user: 'carol', added: false })).toBe(reactions);
  });
});

describe('updateById and withCurrentStates', () => {
  it('changes only the message with the id, and gives the same list back when it is not there', () => {
    const list = [message(1), message(2)];
    expect(updateById(list, 2, tombstone)[1]).toMatchObject({ deleted: true });
    expect(updateById(list, 3, tombstone)).toBe(list);
  });

  it('puts current states in place of the messages held, ignoring the others', () => {
    const list = [message(1), message(2)];
    const next = withCurrentStates(list, [message(2, { message: 'edited', edited_at: early }), message(7, { deleted: true })]);
    expect(next.map((held) => held.message)).toEqual(['m1', 'edited']);
    expect(next).toHaveLength(2);
  });
});

import type { MessageState } from '@/lib/protocol';
import { canDelete, canEdit, roomForAnotherEmoji } from './messageRules';

const sent = Date.parse('2026-11-24T09:00:00.000Z');
const mine: MessageState = { id: 1, user: 'alice', message: 'hi', timestamp: '2026-11-24T09:00:00.000000Z', edited_at: null, deleted: false };
const bobs: MessageState = { ...mine, user: 'bob' };

describe('canEdit', () => {
  it('lets me edit my own message within the edit window only', () => {
    expect(canEdit(mine, 'alice', 3600, sent + 3599_000)).toBe(true);
    expect(canEdit(mine, 'alice', 3600, sent + 3600_000)).toBe(false);
  });

  it("never lets me edit someone else's message, a deleted one, or as a guest", () => {
    expect(canEdit(bobs, 'alice', 3600, sent)).toBe(false);
    expect(canEdit({ ...mine, deleted: true }, 'alice', 3600, sent)).toBe(false);
    expect(canEdit(mine, null, 3600, sent)).toBe(false);
  });

  it('leaves the window to the server when it is not known', () => {
    expect(canEdit(mine, 'alice', null, sent + 10 * 86_400_000)).toBe(true);
  });
});

describe('canDelete', () => {
  it('lets me delete my own message, at any time, room or private', () => {
    expect(canDelete(mine, { me: 'alice', isStaff: false }, 'room')).toBe(true);
    expect(canDelete(mine, { me: 'alice', isStaff: false }, 'private')).toBe(true);
  });

  it("lets staff delete anyone's room message, not private ones", () => {
    expect(canDelete(bobs, { me: 'alice', isStaff: false }, 'room')).toBe(false);
    expect(canDelete(bobs, { me: 'alice', isStaff: true }, 'room')).toBe(true);
    expect(canDelete(bobs, { me: 'alice', isStaff: true }, 'private')).toBe(false);
  });

  it('has nothing to delete on a tombstone', () => {
    expect(canDelete({ ...mine, deleted: true }, { me: 'alice', isStaff: true }, 'room')).toBe(false);
  });
});

describe('roomForAnotherEmoji', () => {
  const reaction = (emoji: string) => ({ emoji, count: 1, users: ['bob'] });
  it('is false at the limit of distinct emoji, and true when the limit is not known', () => {
    expect(roomForAnotherEmoji([reaction('👍')], 2)).toBe(true);
    expect(roomForAnotherEmoji([reaction('👍'), reaction('🎉')], 2)).toBe(false);
    expect(roomForAnotherEmoji([reaction('👍'), reaction('🎉')], null)).toBe(true);
  });
});

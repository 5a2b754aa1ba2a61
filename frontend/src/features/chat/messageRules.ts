/**
 * Who may do what to a message, by the server's rules, so that the screen offers only what the
 * server would take. The server checks again; these only spare the person a refusal.
 */
import type { MessageState, Reaction } from '@/lib/protocol';

/** What the server's `edit_window_closed` means, said here too when the window closed on screen. */
export const EDIT_TOO_LATE = 'This message can no longer be edited.';

/** The emoji the palette offers. */
export const COMMON_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

export interface Viewer {
  me: string | null;
  isStaff: boolean;
}

/**
 * My own message, not deleted, within the edit window (`editWindow` seconds after it was sent;
 * null: unknown, and the server says when it is too late).
 */
export function canEdit(message: MessageState, me: string | null, editWindow: number | null, now = Date.now()): boolean {
  if (me === null || message.user !== me || message.deleted) return false;
  return editWindow === null || now - Date.parse(message.timestamp) < editWindow * 1000;
}

/** My own message at any time; as staff, any room message. */
export function canDelete(message: MessageState, { me, isStaff }: Viewer, kind: 'room' | 'private'): boolean {
  if (me === null || message.deleted) return false;
  return message.user === me || (kind === 'room' && isStaff);
}

export function reactedBy(reaction: Reaction, me: string | null): boolean {
  return me !== null && reaction.users.includes(me);
}

/**
 * Whether a new emoji may go on the message: below the server's limit of distinct emoji (null:
 * unknown, the server says `too_many_reactions` when it is reached).
 */
export function roomForAnotherEmoji(reactions: readonly Reaction[], limit: number | null): boolean {
  return limit === null || reactions.length < limit;
}

import type { ClientLimits } from './hooks/useLimits';

/**
 * What the person may do to the messages of one list, and how: given by the app, which sends
 * them. Each promise settles with the server's answer; a rejection's message is for people.
 */
export interface MessageActions {
  /** Room messages carry reactions, and staff may delete any of them. */
  kind: 'room' | 'private';
  isStaff: boolean;
  limits: ClientLimits;
  edit(id: number, text: string): Promise<void>;
  remove(id: number): Promise<void>;
  /** `added`: set (true) or take away (false), never a toggle, so that trying again is harmless. */
  react(id: number, emoji: string, added: boolean): Promise<void>;
}

/** A rejection's message, for people. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.';
}

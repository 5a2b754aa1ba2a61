/** The counter shows from this share of the limit on. */
const COUNTER_FROM = 0.9;
const numbers = new Intl.NumberFormat();

/**
 * A text of `length` characters against the server's limit (null: unknown, nothing to check):
 * whether it is over, and what the counter says ("3,700 / 4,000 characters"; null: hidden).
 */
export function lengthCheck(length: number, maxLength: number | null): { over: boolean; counter: string | null } {
  if (maxLength === null || length < Math.floor(maxLength * COUNTER_FROM)) return { over: false, counter: null };
  const over = length > maxLength;
  const excess = over ? `: ${numbers.format(length - maxLength)} too many` : '';
  return { over, counter: `${numbers.format(length)} / ${numbers.format(maxLength)} characters${excess}` };
}

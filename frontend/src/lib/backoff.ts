/** Reconnect delays: exponential, capped, with jitter so that clients dropped together spread out. */

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  initialMs: number;
  /** Cap on the delay. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 15_000 };

/**
 * Delay before retry number `attempt` (0 for the first). "Equal jitter": half the exponential delay
 * is fixed and half random, so a delay never collapses to zero and a crowd of clients that lost the
 * same server does not come back in the same millisecond.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

import { backoffDelay } from './backoff';

const policy = { initialMs: 500, maxMs: 15_000 };

describe('backoffDelay', () => {
  it('doubles from the initial delay', () => {
    const top = (attempt: number) => backoffDelay(attempt, policy, () => 1);
    expect([0, 1, 2, 3, 4].map(top)).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('is capped at the maximum', () => {
    expect(backoffDelay(10, policy, () => 1)).toBe(15_000);
    expect(backoffDelay(50, policy, () => 1)).toBe(15_000);
  });

  it('keeps half the delay fixed and jitters the other half', () => {
    expect(backoffDelay(2, policy, () => 0)).toBe(1000);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(1500);
    for (let i = 0; i < 50; i += 1) {
      const delay = backoffDelay(3, policy);
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
});

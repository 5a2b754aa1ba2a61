import { Throttle } from './throttle';

describe('Throttle', () => {
  it('lets one call through per interval, and the next at once after a reset', () => {
    let now = 0;
    const throttle = new Throttle(2_000, () => now);
    expect(throttle.take()).toBe(true);
    now = 1_999;
    expect(throttle.take()).toBe(false);
    now = 2_000;
    expect(throttle.take()).toBe(true);
    throttle.reset();
    expect(throttle.take()).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './reconnect-backoff.js';

describe('ReconnectBackoff', () => {
  it('doubles from initialDelayMs up to maxDelayMs, with jitter of +-25 %', () => {
    const mid = new ReconnectBackoff({ initialDelayMs: 100, maxDelayMs: 500 }, () => 0.5);
    expect([1, 2, 3, 4, 5].map(() => mid.next())).toEqual([100, 200, 400, 500, 500]);
    const low = new ReconnectBackoff({ initialDelayMs: 100 }, () => 0);
    const high = new ReconnectBackoff({ initialDelayMs: 100 }, () => 0.999999);
    expect(low.next()).toBe(75);
    expect(high.next()).toBeCloseTo(125, 3);
  });

  it('gives up after maxAttempts and starts over on reset', () => {
    const b = new ReconnectBackoff({ initialDelayMs: 10, maxAttempts: 2 }, () => 0.5);
    expect(b.next()).toBe(10);
    expect(b.next()).toBe(20);
    expect(b.next()).toBeUndefined();
    expect(b.attempts).toBe(2);
    b.reset();
    expect(b.next()).toBe(10);
    expect(new ReconnectBackoff({ maxAttempts: 0 }).next()).toBeUndefined();
  });

  it('rejects impossible settings', () => {
    expect(() => new ReconnectBackoff({ initialDelayMs: 100, maxDelayMs: 50 })).toThrow(TypeError);
    expect(() => new ReconnectBackoff({ initialDelayMs: -1 })).toThrow(TypeError);
  });
});

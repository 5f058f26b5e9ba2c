import { describe, expect, test } from 'vitest';
import { Backoff, DEFAULT_BACKOFF_MS } from '@vidai/node';

describe('Backoff', () => {
  test('follows the schedule, repeats its last step, and starts over on reset', () => {
    const backoff = new Backoff([100, 250, 1000]);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 250, 1000, 1000, 1000]);
    expect(backoff.attempts).toBe(5);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(100);
  });

  test('the default schedule is 1 s, 2 s, 5 s, 10 s, then 30 s', () => {
    const backoff = new Backoff();
    expect(Array.from({ length: 7 }, () => backoff.next())).toEqual([1000, 2000, 5000, 10_000, 30_000, 30_000, 30_000]);
    expect(DEFAULT_BACKOFF_MS).toEqual([1000, 2000, 5000, 10_000, 30_000]);
  });

  test('rejects an empty schedule or bad delays with TypeError', () => {
    expect(() => new Backoff([])).toThrow(TypeError);
    expect(() => new Backoff([10, -1])).toThrow(TypeError);
    expect(() => new Backoff([Number.NaN])).toThrow(TypeError);
  });
});

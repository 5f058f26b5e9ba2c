import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimerSet } from './timer-set.js';

describe('TimerSet', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('runs each timer once after its delay and forgets it', () => {
    const timers = new TimerSet();
    const ran: string[] = [];
    timers.set(() => ran.push('a'), 100);
    timers.set(() => ran.push('b'), 50);
    expect(timers.size).toBe(2);
    vi.advanceTimersByTime(60);
    expect(ran).toEqual(['b']);
    expect(timers.size).toBe(1);
    vi.advanceTimersByTime(60);
    expect(ran).toEqual(['b', 'a']);
    expect(timers.size).toBe(0);
  });

  it('clear() cancels the timers that have not run, and the set can be used again', () => {
    const timers = new TimerSet();
    const ran: number[] = [];
    timers.set(() => ran.push(1), 10);
    timers.set(() => ran.push(2), 20);
    vi.advanceTimersByTime(15);
    timers.clear();
    vi.advanceTimersByTime(100);
    expect(ran).toEqual([1]);
    expect(timers.size).toBe(0);
    timers.set(() => ran.push(3), 10);
    vi.advanceTimersByTime(10);
    expect(ran).toEqual([1, 3]);
  });

  it('unref lets Node exit while the timer waits', () => {
    vi.useRealTimers();
    const timers = new TimerSet();
    const unrefSpy = vi.spyOn(globalThis, 'setTimeout');
    timers.set(() => {}, 60_000, { unref: true });
    const handle = unrefSpy.mock.results[0]!.value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    timers.set(() => {}, 60_000);
    expect((unrefSpy.mock.results[1]!.value as NodeJS.Timeout).hasRef()).toBe(true);
    unrefSpy.mockRestore();
    timers.clear();
  });
});

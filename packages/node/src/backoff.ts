/**
 * Reconnection delays for live sources: a fixed schedule of waits that grows with
 * each consecutive failure and stays at its last step, reset once the input has
 * been healthy for a while.
 */

/** The default reconnection schedule in ms: 1 s, 2 s, 5 s, 10 s, then 30 s for every later attempt. */
export const DEFAULT_BACKOFF_MS: readonly number[] = Object.freeze([1000, 2000, 5000, 10_000, 30_000]);

/**
 * A backoff schedule. `next()` returns the wait before the next attempt and counts
 * it; past the end of the schedule the last step repeats. `reset()` starts over.
 *
 * @example
 * ```ts
 * const backoff = new Backoff([100, 500]);
 * backoff.next(); // 100
 * backoff.next(); // 500
 * backoff.next(); // 500
 * backoff.reset();
 * ```
 */
export class Backoff {
  private readonly schedule: readonly number[];
  private count = 0;

  /** @param schedule waits in ms, one per attempt; at least one entry, each finite and >= 0. */
  constructor(schedule: readonly number[] = DEFAULT_BACKOFF_MS) {
    if (!Array.isArray(schedule) || schedule.length === 0) {
      throw new TypeError('Backoff schedule must be a non-empty array of delays in ms');
    }
    for (const delay of schedule) {
      if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
        throw new TypeError(`Backoff delays must be finite numbers >= 0 (ms), got ${String(delay)}`);
      }
    }
    this.schedule = [...schedule];
  }

  /** Number of delays handed out since the last reset (the current attempt number). */
  get attempts(): number {
    return this.count;
  }

  /** The wait in ms before the next attempt; counts the attempt. */
  next(): number {
    const index = Math.min(this.count, this.schedule.length - 1);
    this.count += 1;
    return this.schedule[index] as number;
  }

  /** Starts the schedule over (after the input was healthy). */
  reset(): void {
    this.count = 0;
  }
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (resolving, not rejecting:
 * callers check `signal.aborted` themselves). The timer is cleared on abort.
 */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The timer functions of every runtime vidai supports (core compiles without DOM or Node types). */
interface TimerGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
const platform = globalThis as unknown as TimerGlobals;

/** Options of {@link TimerSet.set}. */
export interface TimerOptions {
  /** In Node, let the process exit while the timer waits (`unref`). Ignored in browsers. */
  unref?: boolean;
}

/**
 * One-shot timers cancelled together, as when a connection, a clock or a pool of
 * workers is torn down: each timer leaves the set once it has run.
 *
 * @example
 * ```ts
 * const timers = new TimerSet();
 * timers.set(() => reconnect(), 1000);
 * // ...on close:
 * timers.clear();
 * ```
 */
export class TimerSet {
  private readonly pending = new Set<unknown>();

  /** Runs `fn` after `ms` unless {@link TimerSet.clear} comes first. */
  set(fn: () => void, ms: number, options: TimerOptions = {}): void {
    const handle = platform.setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, ms);
    if (options.unref) (handle as { unref?: () => void }).unref?.();
    this.pending.add(handle);
  }

  /** Timers that have not run yet. */
  get size(): number {
    return this.pending.size;
  }

  /** Cancels every timer that has not run yet. */
  clear(): void {
    for (const handle of this.pending) platform.clearTimeout(handle);
    this.pending.clear();
  }
}

/**
 * The reconnection schedule of the browser's WebRTC clients (`InferenceClient`,
 * `PeerLink`'s signaling): exponential backoff with jitter, so many clients that lost
 * the same server do not come back at the same instant.
 */

/** Reconnection policy. */
export interface ReconnectOptions {
  /** First delay, ms. Default: 500. */
  initialDelayMs?: number;
  /** Longest delay, ms. Default: 10000. */
  maxDelayMs?: number;
  /** Attempts before giving up (the client closes with an error). Default: Infinity. */
  maxAttempts?: number;
}

/**
 * Delays for consecutive reconnection attempts: `initialDelayMs * 2^attempt`, capped
 * at `maxDelayMs`, each scaled by a random factor in 0.75..1.25.
 *
 * @example
 * ```ts
 * const backoff = new ReconnectBackoff({ initialDelayMs: 500 });
 * const delay = backoff.next(); // about 500 ms, then 1000, 2000, ... up to 10 s
 * if (delay === undefined) giveUp(); else setTimeout(reconnect, delay);
 * backoff.reset(); // once connected again
 * ```
 */
export class ReconnectBackoff {
  private count = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly maxAttempts: number;

  /** @param random source of jitter in [0, 1) (injectable for tests). Default `Math.random`. */
  constructor(options: ReconnectOptions = {}, private readonly random: () => number = Math.random) {
    this.initial = options.initialDelayMs ?? 500;
    this.max = options.maxDelayMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (!(this.initial >= 0) || !(this.max >= this.initial)) {
      throw new TypeError(`ReconnectBackoff: need 0 <= initialDelayMs <= maxDelayMs, got ${options.initialDelayMs} and ${options.maxDelayMs}`);
    }
    if (!(this.maxAttempts >= 0)) throw new TypeError(`ReconnectBackoff: maxAttempts must be >= 0, got ${options.maxAttempts}`);
  }

  /** Attempts counted since the last reset. */
  get attempts(): number {
    return this.count;
  }

  /** The wait before the next attempt, ms (and counts it); undefined when no attempt is left. */
  next(): number | undefined {
    if (this.count >= this.maxAttempts) return undefined;
    const delay = Math.min(this.max, this.initial * 2 ** this.count) * (0.75 + this.random() * 0.5);
    this.count++;
    return delay;
  }

  /** Starts over (after a successful connection). */
  reset(): void {
    this.count = 0;
  }
}

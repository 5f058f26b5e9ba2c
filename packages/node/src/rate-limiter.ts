/**
 * A token-bucket rate limiter keyed by client (an IP address, a user id), used to
 * cap how often one client may send offers.
 */

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per minute, sustained. Default: 20. */
  perMinute?: number;
  /** Requests allowed at once before the rate applies. Default: 5. */
  burst?: number;
  /** Most clients remembered; the oldest are forgotten first. Default: 10000. */
  maxKeys?: number;
  /** Clock in ms (injectable for tests). Default: `performance.now`. */
  now?: () => number;
}

/** The verdict on one request. */
export interface RateLimitDecision {
  /** True when the request may proceed. */
  allowed: boolean;
  /** When refused: seconds until a request would be allowed. */
  retryAfterSeconds: number;
}

/**
 * Token buckets per key: each key starts with `burst` tokens, regains `perMinute`
 * per minute, and each request takes one.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ perMinute: 10, burst: 3 });
 * if (!limiter.take(req.socket.remoteAddress ?? '').allowed) res.writeHead(429).end();
 * ```
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: RateLimiterOptions = {}) {
    const perMinute = options.perMinute ?? 20;
    this.burst = options.burst ?? 5;
    this.maxKeys = options.maxKeys ?? 10_000;
    if (!(perMinute > 0)) throw new TypeError(`perMinute must be > 0, got ${options.perMinute}`);
    if (!(this.burst >= 1)) throw new TypeError(`burst must be >= 1, got ${options.burst}`);
    if (!(this.maxKeys >= 1)) throw new TypeError(`maxKeys must be >= 1, got ${options.maxKeys}`);
    this.perMs = perMinute / 60_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Takes one token for `key` if there is one. */
  take(key: string): RateLimitDecision {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
      // Map order is insertion order: re-insert so the oldest keys are evicted first.
      this.buckets.delete(key);
    } else {
      bucket = { tokens: this.burst, at: now };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /** Forgets one key (a client that went away). */
  delete(key: string): void {
    this.buckets.delete(key);
  }

  /** Forgets every key. */
  clear(): void {
    this.buckets.clear();
  }
}

/**
 * Hands values from a producer to one async-iterator consumer, with a bounded
 * buffer. Internal to the pipeline (not exported from the package).
 *
 * - `latestOnly`: the buffer holds one value and a new one replaces an unread one,
 *   so a slow consumer always gets the newest value and memory stays constant.
 * - otherwise: values queue in order and the producer awaits {@link ResultChannel.waitForSpace}
 *   before producing more (backpressure); the queue then never exceeds `capacity`.
 */
export class ResultChannel<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private reader: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  private spaceWaiters: Array<() => void> = [];
  private ended = false;
  private failure: { error: unknown } | undefined;

  /**
   * @param capacity unread values kept before the producer should wait (ignored when `latestOnly`).
   * @param latestOnly keep only the newest unread value.
   * @param onReturn called once when the consumer stops early (`break`, `return`, a throw in the loop).
   */
  constructor(
    private readonly capacity: number,
    private readonly latestOnly: boolean,
    private readonly onReturn: () => void,
  ) {}

  /** Delivers `value`; returns how many unread values it replaced (0 or 1). */
  push(value: T): number {
    if (this.ended) return 0;
    if (this.reader) {
      const reader = this.reader;
      this.reader = undefined;
      reader.resolve({ value, done: false });
      return 0;
    }
    if (this.latestOnly && this.buffer.length > 0) {
      this.buffer[0] = value;
      return 1;
    }
    this.buffer.push(value);
    return 0;
  }

  /** Resolves when fewer than `capacity` values are unread, or the channel has ended. */
  waitForSpace(): Promise<void> {
    if (this.ended || this.latestOnly || this.buffer.length < this.capacity) return Promise.resolve();
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /** Ends the channel: the consumer reads what is buffered, then `done` (or `error`, thrown once). */
  end(error?: { error: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.releaseSpace();
    if (this.reader && this.buffer.length === 0) {
      const reader = this.reader;
      this.reader = undefined;
      this.settleEnded(reader);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift() as T;
      this.releaseSpace();
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return new Promise((resolve, reject) => this.settleEnded({ resolve, reject }));
    if (this.reader) return Promise.reject(new TypeError('ResultChannel: next() called while a read is pending'));
    return new Promise((resolve, reject) => {
      this.reader = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.ended) {
      this.end();
      this.buffer.length = 0;
      this.onReturn();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settleEnded(reader: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) reader.reject(failure.error);
    else reader.resolve({ value: undefined, done: true });
  }

  private releaseSpace(): void {
    if (!this.ended && this.buffer.length >= this.capacity) return;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * Maps the RTP timestamps of a video track this page sends back to the capture times
 * of the local frames, so a result that names its frame by RTP timestamp (as the
 * inference server's do) can be drawn on that frame of the local preview.
 *
 * A sender derives a frame's RTP timestamp from its capture time: `90 * capture ms +
 * a random offset` (90 kHz clock, wrapping at 2^32). The offset is found from two
 * observations: each encoded frame's RTP timestamp with the time it left the encoder
 * (from an encoded transform on the sender: never before its capture), and the capture
 * times of the frames the preview shows (`requestVideoFrameCallback`'s `captureTime`).
 * The latest possible offset puts every frame just after capture plus the shortest
 * encoding delay seen; snapping that to the preview's capture times gives the exact
 * offset, as long as the shortest encoding delay is below one frame interval.
 */

/** Options of {@link RtpFrameClock}. */
export interface RtpFrameClockOptions {
  /** RTP clock rate, Hz. Default 90000 (every video codec over RTP). */
  clockRate?: number;
  /** Encoded and presented frames remembered for the calibration. Default 120. */
  window?: number;
  /** Largest difference between two clocks' readings of one frame, ms (rounding of the RTP clock to whole ms). Default 2 ms. */
  tolerance?: number;
}

/**
 * Pairs RTP timestamps of sent frames with local capture times (ms on the
 * `performance.now()` clock, the clock of `captureTime` in `requestVideoFrameCallback`).
 * Feed it {@link RtpFrameClock.encoded} and {@link RtpFrameClock.presented} (or use
 * {@link RtpFrameClock.frameTime} as the Overlay's `frameTime`), then ask
 * {@link RtpFrameClock.captureTime}.
 *
 * @example
 * ```ts
 * const overlay = Overlay.attach(video, { frameTime: clock.frameTime });
 * const t = clock.captureTime(message.rtpTimestamp); // the local frame's capture time, or undefined
 * if (t !== undefined) overlay.push({ ...message, timestamp: t });
 * ```
 */
export class RtpFrameClock {
  private readonly ticksPerMs: number;
  private readonly window: number;
  private readonly tolerance: number;
  /** First RTP timestamp seen: every other is read relative to it. */
  private base: number | undefined;
  /** Encoded frames: RTP time relative to `base` (ms) and when they left the encoder (ms). */
  private sent: Array<{ rtpMs: number; at: number }> = [];
  /** Capture times of presented frames, ascending (ms). */
  private captures: number[] = [];
  private offset: number | undefined;
  private dirty = false;

  constructor(options: RtpFrameClockOptions = {}) {
    this.ticksPerMs = (options.clockRate ?? 90_000) / 1000;
    this.window = options.window ?? 120;
    this.tolerance = options.tolerance ?? 2;
    if (!(this.ticksPerMs > 0 && this.window >= 2 && this.tolerance >= 0)) {
      throw new TypeError('RtpFrameClock: clockRate must be > 0, window >= 2 and tolerance >= 0.');
    }
  }

  /** Forgets everything (a new connection picks a new random RTP offset). */
  reset(): void {
    this.base = undefined;
    this.sent = [];
    this.offset = undefined;
    this.dirty = false;
  }

  /** An encoded frame with RTP timestamp `rtpTimestamp` left the encoder at `at` (ms, `performance.now()` clock). */
  encoded(rtpTimestamp: number, at: number): void {
    this.base ??= rtpTimestamp;
    this.sent.push({ rtpMs: this.relative(rtpTimestamp), at });
    if (this.sent.length > this.window) this.sent.shift();
    this.dirty = true;
  }

  /** The preview presented a frame captured at `captureTime` (ms, `performance.now()` clock). */
  presented(captureTime: number): void {
    const c = this.captures;
    if (c.length > 0 && captureTime <= c[c.length - 1]!) {
      if (captureTime === c[c.length - 1]) return;
      c.length = 0; // a new track or a clock jump
    }
    c.push(captureTime);
    if (c.length > this.window) c.shift();
    this.dirty = true;
  }

  /**
   * Use as the Overlay's `frameTime`: records the presented frame's capture time and
   * returns it (`performance.now()` when the browser gives none, e.g. between frames).
   */
  readonly frameTime = (_video: HTMLVideoElement, metadata?: VideoFrameCallbackMetadata): number => {
    const t = metadata?.captureTime;
    if (t === undefined) return performance.now();
    this.presented(t);
    return t;
  };

  /** True once RTP timestamps can be mapped. */
  get calibrated(): boolean {
    return this.calibrate() !== undefined;
  }

  /**
   * The capture time (ms, `performance.now()` clock) of the sent frame with this RTP
   * timestamp: exactly a presented frame's `captureTime` when the preview showed it.
   * Undefined until calibrated.
   */
  captureTime(rtpTimestamp: number): number | undefined {
    const offset = this.calibrate();
    if (offset === undefined || this.base === undefined) return undefined;
    const estimate = this.relative(rtpTimestamp) - offset;
    const near = this.nearest(estimate);
    return near !== undefined && Math.abs(near - estimate) <= this.tolerance ? near : estimate;
  }

  /** RTP time of `rtpTimestamp` relative to `base`, ms (signed 32-bit difference: wrap-safe for 6.6 h). */
  private relative(rtpTimestamp: number): number {
    return ((rtpTimestamp - this.base!) | 0) / this.ticksPerMs;
  }

  private nearest(t: number): number | undefined {
    let best: number | undefined;
    for (const c of this.captures) if (best === undefined || Math.abs(c - t) < Math.abs(best - t)) best = c;
    return best;
  }

  /** Offset such that capture time = relative RTP time - offset; undefined until frames of both kinds are known. */
  private calibrate(): number | undefined {
    if (!this.dirty) return this.offset;
    this.dirty = false;
    if (this.sent.length === 0 || this.captures.length === 0) return (this.offset = undefined);
    // No frame leaves the encoder before its capture: the largest offset allowed.
    let latest = -Infinity;
    for (const s of this.sent) latest = Math.max(latest, s.rtpMs - s.at);
    // Each encoded frame at its earliest-possible capture, paired with the last capture
    // shown at or before it; the smallest gap is the shortest encoding delay (a gap one
    // interval longer means the preview skipped that frame).
    const gaps: number[] = [];
    for (const s of this.sent) {
      const upper = s.rtpMs - latest;
      let c: number | undefined;
      // Captures are ascending: the first one beyond the bound ends the search.
      for (const capture of this.captures) {
        if (capture <= upper + this.tolerance) c = capture;
        else break;
      }
      if (c !== undefined) gaps.push(upper - c);
    }
    if (gaps.length === 0) return (this.offset = undefined);
    gaps.sort((a, b) => a - b);
    const shortest = gaps[0]!;
    const close = gaps.filter((g) => g <= shortest + this.tolerance);
    const delay = close[Math.floor(close.length / 2)]!;
    return (this.offset = latest + delay);
  }
}

/** Weight of the newest frame interval in the running estimate of the input interval. */
const INTERVAL_SMOOTHING = 1 / 8;

/**
 * A rate limiter driven by frame timestamps that keeps a fractional schedule:
 * the k-th accepted frame is the one nearest to `start + k * interval`, not the first
 * one at least `interval` after the previous accept. So 30 fps capped at 10 takes
 * exactly every 3rd frame even when timestamps are rounded to whole ms, and 25 fps
 * capped at 10 takes 10 frames a second on average (alternating gaps of 2 and 3
 * frames) without drifting.
 *
 * "Nearest" is judged with half the input's frame interval (a running average of
 * timestamp differences): a frame is due when `timestamp >= due - inputInterval / 2`,
 * so of two frames equally far from the due time the earlier one is taken. After a
 * gap longer than one interval the schedule restarts at the late frame instead of
 * bursting to catch up. Internal to the samplers.
 */
export class FrameSchedule {
  /** Scheduled time of the last accepted frame, NaN before the first. */
  private anchor = Number.NaN;
  private lastTimestamp = Number.NaN;
  /** Running average of the input frame interval in ms, 0 while unknown. */
  private inputInterval = 0;

  /** Timestamp (ms) of the last frame seen, NaN before the first. */
  get last(): number {
    return this.lastTimestamp;
  }

  /**
   * Feeds one frame and returns true when it is due given the current interval
   * between accepted frames (ms); a due frame is taken as accepted. The first frame
   * is always due.
   */
  tick(timestamp: number, intervalMs: number): boolean {
    const dt = timestamp - this.lastTimestamp;
    if (dt > 0 && this.inputInterval === 0) this.inputInterval = dt;
    // A pause counts as at most twice the usual interval, so it does not widen the tolerance.
    else if (dt > 0) this.inputInterval += (Math.min(dt, 2 * this.inputInterval) - this.inputInterval) * INTERVAL_SMOOTHING;
    this.lastTimestamp = timestamp;
    if (Number.isNaN(this.anchor)) {
      this.anchor = timestamp;
      return true;
    }
    const tolerance = Math.min(this.inputInterval, intervalMs) / 2;
    if (timestamp < this.anchor + intervalMs - tolerance) return false;
    this.anchor += intervalMs;
    // More than one interval behind (a pause in the input, or a slower input): restart here.
    if (this.anchor + intervalMs <= timestamp) this.anchor = timestamp;
    return true;
  }

  /** Forgets the schedule and the input interval. */
  reset(): void {
    this.anchor = Number.NaN;
    this.lastTimestamp = Number.NaN;
    this.inputInterval = 0;
  }
}

import type { DetectionResult } from '@vidai/core';

/** Options of a {@link ResultTimeline}. */
export interface ResultTimelineOptions {
  /** Results up to this age (frame time minus result time, ms) are drawn fully opaque. Default 500 ms. */
  maxAge?: number;
  /** After `maxAge`, a result fades to invisible over this many ms. Default 250 ms. */
  fade?: number;
  /**
   * A result whose timestamp is at most this far ahead of the frame (ms) still counts
   * as belonging to it (rounding between clocks). Default 1 ms.
   */
  tolerance?: number;
  /** Results waiting for their frame, at most; the oldest are dropped beyond. Default 32. */
  capacity?: number;
}

/** What to draw on one frame: the result and its opacity. */
export interface TimelinePick<R extends Pick<DetectionResult, 'timestamp'> = DetectionResult> {
  /** The newest result whose timestamp is not after the frame's. */
  result: R;
  /** Frame time minus result time in ms (0 when drawn on its own frame). */
  age: number;
  /** Opacity 0..1 from `maxAge` and `fade`. */
  alpha: number;
}

/**
 * Pairs detection results with the video frames they belong to. Results are pushed
 * as they arrive (possibly before their frame is shown, when detection runs on a
 * server, or after, when it runs locally); for each presented frame,
 * {@link ResultTimeline.at} returns the newest result whose timestamp is not later
 * than the frame's, so boxes are never drawn on a frame older than the one detected.
 * A result that has no newer successor stays on screen while it ages, then fades out.
 */
export class ResultTimeline<R extends Pick<DetectionResult, 'timestamp'> = DetectionResult> {
  private readonly maxAge: number;
  private readonly fade: number;
  private readonly tolerance: number;
  private readonly capacity: number;
  /** Pending results, sorted by timestamp. */
  private pending: R[] = [];
  private current: R | undefined;

  constructor(options: ResultTimelineOptions = {}) {
    this.maxAge = options.maxAge ?? 500;
    this.fade = options.fade ?? 250;
    this.tolerance = options.tolerance ?? 1;
    this.capacity = options.capacity ?? 32;
    if (!(this.maxAge >= 0 && this.fade >= 0 && this.tolerance >= 0 && this.capacity >= 1)) {
      throw new TypeError('ResultTimeline: maxAge, fade and tolerance must be >= 0 and capacity >= 1.');
    }
  }

  /** Adds a result; results may arrive out of order. */
  push(result: R): void {
    const p = this.pending;
    let i = p.length;
    while (i > 0 && p[i - 1]!.timestamp > result.timestamp) i--;
    p.splice(i, 0, result);
    if (p.length > this.capacity) p.splice(0, p.length - this.capacity);
  }

  /**
   * The result to draw on a frame with timestamp `frameTime` (ms, same clock as the
   * results), or undefined when none applies yet or the last one has faded out.
   * A frame time far before the current result (a seek or a loop) starts over.
   */
  at(frameTime: number): TimelinePick<R> | undefined {
    const limit = frameTime + this.tolerance;
    if (this.current && frameTime < this.current.timestamp - this.maxAge - this.fade) {
      // Time went backwards: a seek, a looped file or a restarted stream.
      this.current = undefined;
      this.pending = this.pending.filter((r) => r.timestamp <= limit + this.maxAge + this.fade);
    }
    let taken = 0;
    while (taken < this.pending.length && this.pending[taken]!.timestamp <= limit) taken++;
    if (taken > 0) {
      this.current = this.pending[taken - 1];
      this.pending.splice(0, taken);
    }
    const result = this.current;
    if (!result) return undefined;
    const age = Math.max(0, frameTime - result.timestamp);
    const alpha = age <= this.maxAge ? 1 : this.fade === 0 ? 0 : Math.max(0, 1 - (age - this.maxAge) / this.fade);
    if (alpha === 0) return undefined;
    return { result, age, alpha };
  }

  /** Number of results waiting for their frame. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Forgets every result. */
  clear(): void {
    this.pending = [];
    this.current = undefined;
  }
}

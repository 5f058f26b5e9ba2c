import type { Frame } from '../frame.js';
import type { Sampler } from '../sampler.js';
import { MotionMeter } from './motion-meter.js';
import { checkOptionsObject, numberOption } from './sampler-options.js';

/** Options of {@link MotionSampler}. */
export interface MotionSamplerOptions {
  /**
   * Fraction of thumbnail pixels (0..1) that must change for a frame to count as
   * motion. Default 0.005 (0.5%, about 12 pixels of a 64x36 thumbnail).
   */
  threshold?: number;
  /**
   * A thumbnail pixel counts as changed when its gray level differs by more than
   * this (gray levels, 0..255). Default 25.
   */
  pixelThreshold?: number;
  /** Width of the gray thumbnail the frames are compared on, in pixels. Default 64. */
  width?: number;
  /** Never accept two frames closer than this, in ms (strict). Default 0 (no limit). */
  minIntervalMs?: number;
  /**
   * Keep accepting frames for this long after the last frame with motion, in ms, so
   * an object that stops or leaves is still seen. Default 1000.
   */
  cooldownMs?: number;
  /**
   * Accept a frame when none was accepted for this long, in ms, even without motion,
   * so a static scene is still checked now and then. Default 5000; 0 disables it.
   */
  maxIntervalMs?: number;
}

/**
 * Accepts frames where something moved, by frame differencing on a small gray
 * thumbnail (see {@link grayThumbnail}). Each frame is compared with the last
 * **accepted** frame, not the previous one, so slow motion adds up until it is
 * seen and motion that happens while `minIntervalMs` holds frames back is still
 * caught once it allows them. The first frame (and the first after a reset, a
 * backwards timestamp or a change of frame size) is always accepted.
 *
 * A frame is accepted when at least `minIntervalMs` passed since the last accept
 * and: it has motion (changed fraction >= `threshold`), or the last motion was at
 * most `cooldownMs` ago, or `maxIntervalMs` passed since the last accept.
 * Per-frame cost is one thumbnail and one comparison of `width x height` bytes.
 *
 * @example
 * ```ts
 * const sampler = new MotionSampler({ threshold: 0.01, minIntervalMs: 100 });
 * ```
 */
export class MotionSampler implements Sampler {
  /** Always `motion`. */
  readonly name = 'motion';
  /** The options in use, defaults filled in. */
  readonly options: Readonly<Required<MotionSamplerOptions>>;
  private readonly meter: MotionMeter;
  private lastTimestamp = Number.NaN;
  private lastAccepted = Number.NaN;
  private lastMotion = Number.NEGATIVE_INFINITY;
  private change = Number.NaN;

  /** @throws TypeError for an option out of range (threshold outside 0..1, a negative time, ...). */
  constructor(options: MotionSamplerOptions = {}) {
    checkOptionsObject('motion', options);
    this.options = Object.freeze({
      threshold: numberOption('motion', 'threshold', options.threshold, 0.005, { min: 0, max: 1 }),
      pixelThreshold: numberOption('motion', 'pixelThreshold', options.pixelThreshold, 25, { min: 0, max: 255 }),
      width: numberOption('motion', 'width', options.width, 64, { min: 1, integer: true }),
      minIntervalMs: numberOption('motion', 'minIntervalMs', options.minIntervalMs, 0, { min: 0 }),
      cooldownMs: numberOption('motion', 'cooldownMs', options.cooldownMs, 1000, { min: 0 }),
      maxIntervalMs: numberOption('motion', 'maxIntervalMs', options.maxIntervalMs, 5000, { min: 0 }),
    });
    this.meter = new MotionMeter(this.options.width, this.options.pixelThreshold);
  }

  /**
   * Fraction of thumbnail pixels (0..1) that changed between the last frame given to
   * {@link accept} and the last accepted frame before it; NaN when there was nothing
   * to compare with. For logs and tuning `threshold`.
   */
  get lastChange(): number {
    return this.change;
  }

  /** Returns true when the frame shows motion, is in the cooldown, or is a keyframe. */
  accept(frame: Frame): boolean {
    const t = frame.timestamp;
    if (t < this.lastTimestamp) this.reset();
    this.lastTimestamp = t;
    const change = this.meter.measure(frame);
    this.change = change ?? Number.NaN;
    if (change === null) return this.take(t);

    const { threshold, minIntervalMs, cooldownMs, maxIntervalMs } = this.options;
    if (change >= threshold) this.lastMotion = t;
    const since = t - this.lastAccepted;
    if (since < minIntervalMs) return false;
    if (t - this.lastMotion <= cooldownMs || (maxIntervalMs > 0 && since >= maxIntervalMs)) return this.take(t);
    return false;
  }

  /** Forgets the reference frame and all times: the next frame is accepted. */
  reset(): void {
    this.meter.reset();
    this.lastTimestamp = Number.NaN;
    this.lastAccepted = Number.NaN;
    this.lastMotion = Number.NEGATIVE_INFINITY;
    this.change = Number.NaN;
  }

  private take(t: number): true {
    this.meter.commit();
    this.lastAccepted = t;
    return true;
  }
}

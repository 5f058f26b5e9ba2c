import type { DetectionResult } from '../detection.js';
import type { Frame } from '../frame.js';
import type { Sampler } from '../sampler.js';
import { FrameSchedule } from './frame-schedule.js';
import { MotionMeter } from './motion-meter.js';
import { booleanOption, checkOptionsObject, numberOption } from './sampler-options.js';

/** Options of {@link AdaptiveSampler}. */
export interface AdaptiveSamplerOptions {
  /** Rate in a quiet scene, in frames per second (> 0). Default 1, or `maxFps` when that is lower. */
  minFps?: number;
  /** Rate while there is activity, in frames per second (>= `minFps`). Default 10, or `minFps` when that is higher. */
  maxFps?: number;
  /**
   * Time for the rate to fall halfway from where it is toward `minFps` once the
   * activity stops, in ms (> 0). Default 2000.
   */
  halfLifeMs?: number;
  /**
   * Whether motion between frames counts as activity (one gray thumbnail and one
   * comparison per frame). When false only detections raise the rate. Default true.
   */
  motion?: boolean;
  /**
   * Fraction of thumbnail pixels (0..1) that must change against the last accepted
   * frame to count as motion. Default 0.005.
   */
  motionThreshold?: number;
  /** A thumbnail pixel counts as changed above this difference, in gray levels (0..255). Default 25. */
  pixelThreshold?: number;
  /** Width of the motion thumbnail, in pixels. Default 64. */
  width?: number;
}

/**
 * A rate that follows the scene: activity sets the rate to `maxFps`, and without
 * activity it decays exponentially toward `minFps`. Activity is motion against the
 * last accepted frame, and detections: while the results passed to {@link observe}
 * have detections the rate stays at `maxFps`, and it decays from the last one that
 * had some once a result comes back empty:
 *
 * ```
 * rate(t) = minFps + (maxFps - minFps) * 0.5 ^ ((t - lastActivity) / halfLifeMs)
 * ```
 *
 * A frame is accepted when it falls in the next slot of a schedule with interval
 * `1000 / rate(t)` ms (the same nearest-frame schedule as {@link FpsSampler}). Times
 * are frame timestamps, so results are paired with frames by `result.timestamp`. The
 * sampler starts at `maxFps` (a new scene is unknown) and accepts the first frame; a
 * backwards timestamp resets it.
 *
 * @example
 * ```ts
 * const sampler = new AdaptiveSampler({ minFps: 0.5, maxFps: 15 });
 * for await (const frame of source) {
 *   if (!sampler.accept(frame)) continue;
 *   sampler.observe(await detector.detect(frame));
 * }
 * ```
 */
export class AdaptiveSampler implements Sampler {
  /** Always `adaptive`. */
  readonly name = 'adaptive';
  /** The options in use, defaults filled in. */
  readonly options: Readonly<Required<AdaptiveSamplerOptions>>;
  private readonly meter: MotionMeter | undefined;
  private readonly schedule = new FrameSchedule();
  private lastActivity = Number.NaN;
  /** True while the last observed result had detections: the rate stays at `maxFps`. */
  private detecting = false;

  /** @throws TypeError for an option out of range (`minFps` <= 0, `maxFps` < `minFps`, ...). */
  constructor(options: AdaptiveSamplerOptions = {}) {
    checkOptionsObject('adaptive', options);
    const givenMax = numberOption('adaptive', 'maxFps', options.maxFps, Number.NaN, { min: 0, exclusiveMin: true });
    const minFps = numberOption('adaptive', 'minFps', options.minFps, Math.min(1, givenMax || 10), { min: 0, exclusiveMin: true });
    const maxFps = numberOption('adaptive', 'maxFps', options.maxFps, Math.max(10, minFps), { min: minFps });
    this.options = Object.freeze({
      minFps,
      maxFps,
      halfLifeMs: numberOption('adaptive', 'halfLifeMs', options.halfLifeMs, 2000, { min: 0, exclusiveMin: true }),
      motion: booleanOption('adaptive', 'motion', options.motion, true),
      motionThreshold: numberOption('adaptive', 'motionThreshold', options.motionThreshold, 0.005, { min: 0, max: 1 }),
      pixelThreshold: numberOption('adaptive', 'pixelThreshold', options.pixelThreshold, 25, { min: 0, max: 255 }),
      width: numberOption('adaptive', 'width', options.width, 64, { min: 1, integer: true }),
    });
    this.meter = this.options.motion ? new MotionMeter(this.options.width, this.options.pixelThreshold) : undefined;
  }

  /** The rate at the last frame's timestamp, in frames per second (`maxFps` before any frame). */
  get currentFps(): number {
    return this.rateAt(this.schedule.last);
  }

  /** Returns true when the frame falls in the next slot at the current rate. */
  accept(frame: Frame): boolean {
    const t = frame.timestamp;
    if (t < this.schedule.last) this.reset();
    if (Number.isNaN(this.lastActivity)) this.lastActivity = t;
    if (this.meter) {
      const change = this.meter.measure(frame);
      if (change === null || change >= this.options.motionThreshold) this.lastActivity = t;
    }
    const accepted = this.schedule.tick(t, 1000 / this.rateAt(t));
    if (accepted) this.meter?.commit();
    return accepted;
  }

  /**
   * Takes a detection result: while results have detections the rate stays at
   * `maxFps`; from the first result without any it decays from the time of the last
   * result that had some. Results for frames later than the last frame given to
   * {@link accept} (left over from before a source restart) are ignored.
   */
  observe(result: DetectionResult): void {
    if (!(result.timestamp <= this.schedule.last)) return;
    this.detecting = result.detections.length > 0;
    if (this.detecting && !(result.timestamp <= this.lastActivity)) this.lastActivity = result.timestamp;
  }

  /** Forgets the schedule, the motion reference and the activity: the next frame is accepted at `maxFps`. */
  reset(): void {
    this.schedule.reset();
    this.meter?.reset();
    this.lastActivity = Number.NaN;
    this.detecting = false;
  }

  private rateAt(t: number): number {
    const { minFps, maxFps, halfLifeMs } = this.options;
    const quiet = t - this.lastActivity;
    if (this.detecting || !(quiet > 0)) return maxFps;
    return minFps + (maxFps - minFps) * 0.5 ** (quiet / halfLifeMs);
  }
}

import type { Frame } from '../frame.js';
import type { Sampler } from '../sampler.js';
import { bhattacharyyaDistance, GrayHistogram } from './gray-histogram.js';
import { grayThumbnail } from './gray-thumbnail.js';
import { checkOptionsObject, numberOption } from './sampler-options.js';

/** Options of {@link SceneChangeSampler}. */
export interface SceneChangeSamplerOptions {
  /**
   * Bhattacharyya distance (0..1) between the frame's gray histogram and the last
   * accepted frame's at or above which the frame is accepted. Default 0.3.
   */
  threshold?: number;
  /** Number of histogram bins, an integer 2..256. Default 32. */
  bins?: number;
  /** Width of the gray thumbnail the histogram is taken from, in pixels. Default 64. */
  width?: number;
  /** Never accept two frames closer than this, in ms (strict). Default 0 (no limit). */
  minIntervalMs?: number;
}

/**
 * Accepts a frame when the picture changed as a whole (a cut, a camera switch, the
 * lights going on), judged by histograms rather than pixel positions so that motion
 * inside one scene does not trigger it.
 *
 * For each frame it takes the gray histogram of a small thumbnail (see
 * {@link grayThumbnail}) with `bins` soft (linearly shared) bins, and measures its
 * Bhattacharyya distance `sqrt(1 - sum(sqrt(p[i] * q[i])))` (OpenCV's
 * `HISTCMP_BHATTACHARYYA`; 0 = same histogram, 1 = no overlap) to the histogram of the
 * last accepted frame. The frame is accepted when the distance is >= `threshold` and
 * at least `minIntervalMs` passed since the last accept. The first frame (and the
 * first after a reset, a backwards timestamp or a change of frame size) is accepted.
 * Two different scenes with the same gray histogram are not told apart.
 *
 * @example
 * ```ts
 * const sampler = new SceneChangeSampler({ threshold: 0.25, minIntervalMs: 500 });
 * ```
 */
export class SceneChangeSampler implements Sampler {
  /** Always `scene`. */
  readonly name = 'scene';
  /** The options in use, defaults filled in. */
  readonly options: Readonly<Required<SceneChangeSamplerOptions>>;
  private readonly histogram: GrayHistogram;
  private reference: Float64Array;
  private current: Float64Array;
  private referenceSize = -1;
  private thumbnail: Uint8Array | undefined;
  private lastTimestamp = Number.NaN;
  private lastAccepted = Number.NaN;
  private distance = Number.NaN;

  /** @throws TypeError for an option out of range (threshold outside 0..1, bins outside 2..256, ...). */
  constructor(options: SceneChangeSamplerOptions = {}) {
    checkOptionsObject('scene', options);
    this.options = Object.freeze({
      threshold: numberOption('scene', 'threshold', options.threshold, 0.3, { min: 0, max: 1 }),
      bins: numberOption('scene', 'bins', options.bins, 32, { min: 2, max: 256, integer: true }),
      width: numberOption('scene', 'width', options.width, 64, { min: 1, integer: true }),
      minIntervalMs: numberOption('scene', 'minIntervalMs', options.minIntervalMs, 0, { min: 0 }),
    });
    this.histogram = new GrayHistogram(this.options.bins);
    this.reference = new Float64Array(this.options.bins);
    this.current = new Float64Array(this.options.bins);
  }

  /**
   * Distance (0..1) between the last frame given to {@link accept} and the last
   * accepted frame before it; NaN when there was nothing to compare with. For logs
   * and tuning `threshold`.
   */
  get lastDistance(): number {
    return this.distance;
  }

  /** Returns true when the frame's histogram is far enough from the last accepted one. */
  accept(frame: Frame): boolean {
    const t = frame.timestamp;
    if (t < this.lastTimestamp) this.reset();
    this.lastTimestamp = t;
    const thumb = grayThumbnail(frame, this.options.width, this.thumbnail ? { output: this.thumbnail } : {});
    this.thumbnail = thumb.data;
    this.histogram.compute(thumb.data, this.current);
    const size = frame.width * 65536 + frame.height;
    if (size !== this.referenceSize) {
      this.referenceSize = size;
      this.distance = Number.NaN;
      return this.take(t);
    }
    this.distance = bhattacharyyaDistance(this.reference, this.current);
    if (t - this.lastAccepted < this.options.minIntervalMs) return false;
    return this.distance >= this.options.threshold ? this.take(t) : false;
  }

  /** Forgets the reference frame and all times: the next frame is accepted. */
  reset(): void {
    this.referenceSize = -1;
    this.lastTimestamp = Number.NaN;
    this.lastAccepted = Number.NaN;
    this.distance = Number.NaN;
  }

  private take(t: number): true {
    [this.reference, this.current] = [this.current, this.reference];
    this.lastAccepted = t;
    return true;
  }
}

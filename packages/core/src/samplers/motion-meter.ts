import type { Frame } from '../frame.js';
import { grayThumbnail } from './gray-thumbnail.js';

/**
 * Fraction of pixels whose gray levels differ by more than `pixelThreshold`
 * between two images of the same length.
 */
export function changedFraction(a: Uint8Array, b: Uint8Array, pixelThreshold: number): number {
  let changed = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d > pixelThreshold || -d > pixelThreshold) changed++;
  }
  return a.length === 0 ? 0 : changed / a.length;
}

/**
 * Measures how much a frame differs from a reference frame (the last one
 * committed) on gray thumbnails. Two thumbnail buffers are kept and swapped, so
 * measuring allocates nothing once the frame size is stable. Internal to the samplers.
 */
export class MotionMeter {
  /** Thumbnail of the last committed frame. */
  private reference: Uint8Array | undefined;
  /** Frame size (`width * 65536 + height`) of the reference. */
  private referenceSize = -1;
  /** Thumbnail of the last measured frame; never the same array as `reference`. */
  private scratch: Uint8Array | undefined;
  private scratchSize = -1;
  /** True when `scratch` holds a measurement not committed yet. */
  private fresh = false;

  /**
   * @param width - thumbnail width in pixels.
   * @param pixelThreshold - a pixel counts as changed when its gray level differs by more than this.
   */
  constructor(
    private readonly width: number,
    private readonly pixelThreshold: number,
  ) {}

  /**
   * Makes the frame's thumbnail and returns the fraction (0..1) of its pixels that
   * changed against the reference, or `null` when there is no comparable reference
   * (nothing committed yet, or the frame size changed).
   */
  measure(frame: Frame): number | null {
    const thumb = grayThumbnail(frame, this.width, this.scratch ? { output: this.scratch } : {});
    this.scratch = thumb.data;
    this.scratchSize = frame.width * 65536 + frame.height;
    this.fresh = true;
    if (!this.reference || this.referenceSize !== this.scratchSize) return null;
    return changedFraction(thumb.data, this.reference, this.pixelThreshold);
  }

  /** Makes the last measured frame the reference (the old reference becomes scratch space). */
  commit(): void {
    if (!this.fresh || !this.scratch) return;
    this.fresh = false;
    const old = this.reference;
    this.reference = this.scratch;
    this.referenceSize = this.scratchSize;
    this.scratch = old;
    this.scratchSize = -1;
  }

  /** Forgets the reference. */
  reset(): void {
    this.reference = undefined;
    this.referenceSize = -1;
    this.scratch = undefined;
    this.scratchSize = -1;
    this.fresh = false;
  }
}

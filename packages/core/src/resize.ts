/**
 * Sampling positions and weights of bilinear resizing along one axis.
 *
 * Destination sample `d` reads source samples `i0[d]` and `i1[d]` (already multiplied
 * by the table's `step`) and blends them as `s[i0] + (s[i1] - s[i0]) * w[d]`.
 * Positions follow OpenCV's `INTER_LINEAR`: pixel centers are aligned
 * (`src = (dst + 0.5) * srcSize / dstSize - 0.5`) and positions outside the source
 * are clamped to the border pixel.
 *
 * @internal
 */
export interface LinearAxis {
  /** Offset of the left/top tap, in units of `step`. */
  readonly i0: Int32Array;
  /** Offset of the right/bottom tap (equal to `i0` at the borders). */
  readonly i1: Int32Array;
  /** Weight of the `i1` tap, 0..1. */
  readonly w: Float64Array;
}

const MAX_CACHED_AXES = 32;
const axisCache = new Map<string, LinearAxis>();

/**
 * The cached {@link LinearAxis} for resizing `srcSize` samples to `dstSize`. Tap
 * indices are `(index >> shift) * step`: `step` turns pixel indices into byte offsets
 * (bytes per pixel for x, the row stride for y) and `shift = 1` addresses a
 * half-resolution chroma plane with the same weights.
 *
 * @internal
 */
export function linearAxis(srcSize: number, dstSize: number, step = 1, shift = 0): LinearAxis {
  const key = `${srcSize}>${dstSize}*${step}>>${shift}`;
  const cached = axisCache.get(key);
  if (cached !== undefined) return cached;
  const i0 = new Int32Array(dstSize);
  const i1 = new Int32Array(dstSize);
  const w = new Float64Array(dstSize);
  const ratio = srcSize / dstSize;
  const last = srcSize - 1;
  for (let d = 0; d < dstSize; d++) {
    const s = (d + 0.5) * ratio - 0.5;
    let x = Math.floor(s);
    let f = s - x;
    if (x < 0) {
      x = 0;
      f = 0;
    }
    if (x >= last) {
      x = last;
      f = 0;
    }
    const x1 = x < last ? x + 1 : last;
    i0[d] = (x >> shift) * step;
    i1[d] = (x1 >> shift) * step;
    w[d] = f;
  }
  const axis: LinearAxis = { i0, i1, w };
  if (axisCache.size >= MAX_CACHED_AXES) {
    const oldest = axisCache.keys().next().value;
    if (oldest !== undefined) axisCache.delete(oldest);
  }
  axisCache.set(key, axis);
  return axis;
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`resizeBilinear: ${name} must be a positive integer, got ${String(value)}.`);
  }
}

/**
 * Resizes interleaved 8-bit pixels with bilinear interpolation that agrees with
 * OpenCV's `cv.resize(..., INTER_LINEAR)` (aligned pixel centers, clamped borders) to
 * within one gray level; results are rounded to nearest.
 *
 * @param src - Interleaved pixels, `srcW * srcH * channels` bytes, no row padding.
 * @param srcW - Source width in pixels.
 * @param srcH - Source height in pixels.
 * @param channels - Bytes per pixel (1 gray, 3 rgb/bgr, 4 rgba, any positive integer).
 * @param dstW - Destination width in pixels.
 * @param dstH - Destination height in pixels.
 * @param out - Reused when given and at least `dstW * dstH * channels` long.
 * @returns The resized pixels, `dstW * dstH * channels` long (a view of `out` when it was reused).
 * @throws TypeError for non-positive or non-integer sizes, or `src` shorter than its size.
 *
 * @example
 * ```ts
 * const thumb = resizeBilinear(rgb, 1280, 720, 3, 160, 90);
 * ```
 */
export function resizeBilinear(
  src: Uint8Array | Uint8ClampedArray,
  srcW: number,
  srcH: number,
  channels: number,
  dstW: number,
  dstH: number,
  out?: Uint8Array,
): Uint8Array {
  checkSize('srcW', srcW);
  checkSize('srcH', srcH);
  checkSize('channels', channels);
  checkSize('dstW', dstW);
  checkSize('dstH', dstH);
  const srcLength = srcW * srcH * channels;
  if (src.length < srcLength) {
    throw new TypeError(`resizeBilinear: a ${srcW}x${srcH}x${channels} image needs ${srcLength} bytes, got ${src.length}.`);
  }
  const length = dstW * dstH * channels;
  const dst = out === undefined || out.length < length ? new Uint8Array(length) : out.length === length ? out : out.subarray(0, length);
  const xs = linearAxis(srcW, dstW, channels);
  const ys = linearAxis(srcH, dstH, srcW * channels);
  const { i0: x0, i1: x1, w: wx } = xs;
  let o = 0;
  for (let dy = 0; dy < dstH; dy++) {
    const r0 = ys.i0[dy]!;
    const r1 = ys.i1[dy]!;
    const fy = ys.w[dy]!;
    for (let dx = 0; dx < dstW; dx++) {
      const a0 = r0 + x0[dx]!;
      const a1 = r0 + x1[dx]!;
      const b0 = r1 + x0[dx]!;
      const b1 = r1 + x1[dx]!;
      const fx = wx[dx]!;
      for (let c = 0; c < channels; c++) {
        const p = src[a0 + c]!;
        const q = src[b0 + c]!;
        const top = p + (src[a1 + c]! - p) * fx;
        const bottom = q + (src[b1 + c]! - q) * fx;
        dst[o++] = (top + (bottom - top) * fy + 0.5) | 0;
      }
    }
  }
  return dst;
}

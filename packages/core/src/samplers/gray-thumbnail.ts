import type { Frame } from '../frame.js';
import { validateFrame } from '../validate-frame.js';

/** A small 8-bit gray image, row-major with no padding. */
export interface GrayThumbnail {
  /** `width * height` gray levels, 0..255 (full range). */
  data: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** Options of {@link grayThumbnail}. */
export interface GrayThumbnailOptions {
  /**
   * Most source pixels read per thumbnail pixel along each axis. The cost of a
   * thumbnail is at most `width * height * samplesPerAxis²` reads whatever the
   * frame size. Default 4 (16 samples per thumbnail pixel).
   */
  samplesPerAxis?: number;
  /**
   * An array to write into, reused when its length is exactly the thumbnail's
   * `width * height` (so a caller can keep two buffers and swap them); otherwise a
   * new array is allocated. Default: allocate.
   */
  output?: Uint8Array;
}

const DEFAULT_SAMPLES_PER_AXIS = 4;

/** BT.601 luma weights scaled to sum to 256: gray = (77 R + 150 G + 29 B) / 256. */
const WR = 77;
const WG = 150;
const WB = 29;

/**
 * Size of the thumbnail {@link grayThumbnail} makes: `width` (never wider than the
 * frame) by the height that keeps the aspect ratio (at least 1).
 */
export function grayThumbnailSize(frameWidth: number, frameHeight: number, width: number): { width: number; height: number } {
  const w = Math.min(width, frameWidth);
  return { width: w, height: Math.max(1, Math.min(frameHeight, Math.round((frameHeight * w) / frameWidth))) };
}

/**
 * Source coordinates sampled for each thumbnail cell along one axis: `k` evenly
 * spaced positions inside each cell `[floor(i*src/dst), floor((i+1)*src/dst))`.
 */
function samplePositions(src: number, dst: number, k: number): Int32Array {
  const positions = new Int32Array(dst * k);
  for (let i = 0; i < dst; i++) {
    const start = Math.floor((i * src) / dst);
    const span = Math.max(1, Math.floor(((i + 1) * src) / dst) - start);
    for (let j = 0; j < k; j++) positions[i * k + j] = start + Math.floor(((2 * j + 1) * span) / (2 * k));
  }
  return positions;
}

/**
 * Shrinks a frame to a small gray image by averaging each thumbnail pixel's area of
 * the source: exactly (every source pixel) when the frame is at most
 * `samplesPerAxis` times the thumbnail's size, otherwise over an evenly spaced
 * `samplesPerAxis x samplesPerAxis` grid of that area, so the cost does not grow with
 * the frame. All arithmetic is integer except one scaling per thumbnail pixel.
 *
 * Gray is BT.601 luma (0.299 R + 0.587 G + 0.114 B) for `rgba` (alpha ignored),
 * `rgb` and `bgr`; the bytes themselves for `gray`; and for `i420` / `nv12` the Y
 * plane, expanded from limited range (16..235) to full range (0..255) so that the
 * same picture gives about the same gray levels in every format.
 *
 * @param frame - the frame to shrink.
 * @param width - thumbnail width in pixels (a positive integer; default 64). A frame
 *   narrower than this is not enlarged.
 * @throws {@link VidaiError} `invalid-frame` / `unsupported-format` for a frame whose
 *   data does not match its size and format; `TypeError` for a bad `width` or option.
 *
 * @example
 * ```ts
 * const thumb = grayThumbnail(frame, 64); // 64x36 for a 16:9 frame
 * ```
 */
export function grayThumbnail(frame: Frame, width = 64, options: GrayThumbnailOptions = {}): GrayThumbnail {
  if (!Number.isInteger(width) || width < 1) {
    throw new TypeError(`grayThumbnail: width must be a positive integer, got ${String(width)}.`);
  }
  const samplesPerAxis = options.samplesPerAxis ?? DEFAULT_SAMPLES_PER_AXIS;
  if (!Number.isInteger(samplesPerAxis) || samplesPerAxis < 1) {
    throw new TypeError(`grayThumbnail: samplesPerAxis must be a positive integer, got ${String(samplesPerAxis)}.`);
  }
  validateFrame(frame);
  const { data, format, width: fw, height: fh } = frame;
  const size = grayThumbnailSize(fw, fh, width);
  const tw = size.width;
  const th = size.height;
  const out = options.output !== undefined && options.output.length === tw * th ? options.output : new Uint8Array(tw * th);

  const kx = Math.min(samplesPerAxis, Math.max(1, Math.floor(fw / tw)));
  const ky = Math.min(samplesPerAxis, Math.max(1, Math.floor(fh / th)));
  const xs = samplePositions(fw, tw, kx);
  const ys = samplePositions(fh, th, ky);
  const count = kx * ky;

  if (format === 'gray' || format === 'i420' || format === 'nv12') {
    // One byte per pixel in the first (Y or gray) plane.
    const limited = format !== 'gray';
    for (let ty = 0; ty < th; ty++) {
      let o = ty * tw;
      for (let tx = 0; tx < tw; tx++, o++) {
        let sum = 0;
        for (let j = 0; j < ky; j++) {
          const row = ys[ty * ky + j]! * fw;
          for (let i = 0; i < kx; i++) sum += data[row + xs[tx * kx + i]!]!;
        }
        const mean = sum / count;
        const v = limited ? ((mean - 16) * 255) / 219 : mean;
        out[o] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
      }
    }
  } else {
    // Color: where a pixel's three samples are (step between pixels, offsets of the
    // second and third sample from the first) and their luma weights. Packed
    // rgb/bgr/rgba interleave them; gbrp keeps planes green, blue, red.
    const n = fw * fh;
    const layout: [step: number, off1: number, off2: number, w0: number, w1: number, w2: number] =
      format === 'gbrp'
        ? [1, n, 2 * n, WG, WB, WR]
        : format === 'bgr'
          ? [3, 1, 2, WB, WG, WR]
          : [format === 'rgba' ? 4 : 3, 1, 2, WR, WG, WB];
    const [step, off1, off2, w0, w1, w2] = layout;
    const divisor = count * 256;
    const half = divisor >> 1;
    for (let ty = 0; ty < th; ty++) {
      let o = ty * tw;
      for (let tx = 0; tx < tw; tx++, o++) {
        let sum = 0;
        for (let j = 0; j < ky; j++) {
          const row = ys[ty * ky + j]! * fw;
          for (let i = 0; i < kx; i++) {
            const p = (row + xs[tx * kx + i]!) * step;
            sum += w0 * data[p]! + w1 * data[p + off1]! + w2 * data[p + off2]!;
          }
        }
        out[o] = ((sum + half) / divisor) | 0;
      }
    }
  }
  return { data: out, width: tw, height: th };
}

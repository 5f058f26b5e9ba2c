import type { Frame } from './frame.js';
import { validateFrame } from './validate-frame.js';

const KR = 0.299;
const KB = 0.114;
const KG = 1 - KR - KB;
const Y_RANGE = 255 / 219;
const C_RANGE = 255 / 224;

/**
 * Coefficients of BT.601 limited-range ("TV range", Y in 16..235, Cb/Cr in 16..240)
 * YUV to RGB, the conversion ffmpeg applies by default to untagged SD and webcam video:
 *
 * ```
 * R = y * (Y - 16) + rv * (V - 128)
 * G = y * (Y - 16) - gu * (U - 128) - gv * (V - 128)
 * B = y * (Y - 16) + bu * (U - 128)
 * ```
 *
 * each clamped to 0..255.
 */
export const BT601_LIMITED: Readonly<{ y: number; rv: number; gu: number; gv: number; bu: number }> = Object.freeze({
  y: Y_RANGE,
  rv: 2 * (1 - KR) * C_RANGE,
  gu: ((2 * (1 - KB) * KB) / KG) * C_RANGE,
  gv: ((2 * (1 - KR) * KR) / KG) * C_RANGE,
  bu: 2 * (1 - KB) * C_RANGE,
});

const { y: CY, rv: CRV, gu: CGU, gv: CGV, bu: CBU } = BT601_LIMITED;

/**
 * Converts planar YUV 4:2:0 to packed RGB. `uBase`/`vBase` are the byte offsets of the
 * first U and V samples, `cStep` the distance between two chroma samples of a row and
 * `cStride` the distance between two chroma rows (i420: 1 and ceil(w/2); nv12: 2 and 2*ceil(w/2)).
 */
function yuv420ToRgb(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  uBase: number,
  vBase: number,
  cStep: number,
  cStride: number,
  out: Uint8Array,
): Uint8Array {
  let o = 0;
  for (let y = 0; y < height; y++) {
    const yRow = y * width;
    const cRow = (y >> 1) * cStride;
    for (let x = 0; x < width; x++) {
      const c = cRow + (x >> 1) * cStep;
      const l = CY * (data[yRow + x]! - 16);
      const u = data[uBase + c]! - 128;
      const v = data[vBase + c]! - 128;
      const r = l + CRV * v;
      const g = l - CGU * u - CGV * v;
      const b = l + CBU * u;
      out[o] = r <= 0 ? 0 : r >= 255 ? 255 : (r + 0.5) | 0;
      out[o + 1] = g <= 0 ? 0 : g >= 255 ? 255 : (g + 0.5) | 0;
      out[o + 2] = b <= 0 ? 0 : b >= 255 ? 255 : (b + 0.5) | 0;
      o += 3;
    }
  }
  return out;
}

function rgbOut(width: number, height: number, out: Uint8Array | undefined): Uint8Array {
  const length = width * height * 3;
  if (out === undefined || out.length < length) return new Uint8Array(length);
  return out.length === length ? out : out.subarray(0, length);
}

function checkYuvArgs(name: string, data: Uint8Array | Uint8ClampedArray, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new TypeError(`${name}: width and height must be positive integers, got ${width}x${height}.`);
  }
  const expected = width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  if (data.length < expected) {
    throw new TypeError(`${name}: a ${width}x${height} frame needs ${expected} bytes, got ${data.length}.`);
  }
}

/**
 * Converts an I420 (YUV 4:2:0 planar: Y plane, then U, then V, chroma planes
 * `ceil(width/2)` x `ceil(height/2)`) image to packed 8-bit RGB with BT.601 limited range
 * ({@link BT601_LIMITED}). Each chroma sample covers its 2x2 block of pixels, as in
 * ffmpeg's default conversion; values are rounded to nearest (ffmpeg's fast path
 * truncates, so its output is on average about one level lower).
 *
 * @param out - Reused when given and at least `width * height * 3` long.
 * @returns The RGB bytes, `width * height * 3` long (a view of `out` when it was reused).
 *
 * @example
 * ```ts
 * const rgb = i420ToRgb(frame.data, frame.width, frame.height);
 * ```
 */
export function i420ToRgb(data: Uint8Array | Uint8ClampedArray, width: number, height: number, out?: Uint8Array): Uint8Array {
  checkYuvArgs('i420ToRgb', data, width, height);
  const cw = Math.ceil(width / 2);
  const uBase = width * height;
  const vBase = uBase + cw * Math.ceil(height / 2);
  return yuv420ToRgb(data, width, height, uBase, vBase, 1, cw, rgbOut(width, height, out));
}

/**
 * Converts an NV12 (Y plane, then one plane of interleaved U,V pairs at half
 * resolution) image to packed 8-bit RGB, with the same conversion as {@link i420ToRgb}.
 *
 * @param out - Reused when given and at least `width * height * 3` long.
 * @returns The RGB bytes, `width * height * 3` long (a view of `out` when it was reused).
 */
export function nv12ToRgb(data: Uint8Array | Uint8ClampedArray, width: number, height: number, out?: Uint8Array): Uint8Array {
  checkYuvArgs('nv12ToRgb', data, width, height);
  const uBase = width * height;
  return yuv420ToRgb(data, width, height, uBase, uBase + 1, 2, 2 * Math.ceil(width / 2), rgbOut(width, height, out));
}

/**
 * Converts a frame of any {@link PixelFormat} to packed 8-bit RGB (alpha dropped, gray
 * replicated, YUV converted as {@link i420ToRgb}). Useful for thumbnails and encoders.
 *
 * @param out - Reused when given and at least `width * height * 3` long.
 * @returns The RGB bytes, `width * height * 3` long (a view of `out` when it was reused).
 * @throws {@link VidaiError} `invalid-frame` or `unsupported-format` (see {@link validateFrame}).
 */
export function frameToRgb(frame: Frame, out?: Uint8Array): Uint8Array {
  validateFrame(frame);
  const { data, width, height } = frame;
  const n = width * height;
  switch (frame.format) {
    case 'i420':
      return i420ToRgb(data, width, height, out);
    case 'nv12':
      return nv12ToRgb(data, width, height, out);
    case 'rgb': {
      const rgb = rgbOut(width, height, out);
      rgb.set(data);
      return rgb;
    }
    case 'rgba': {
      const rgb = rgbOut(width, height, out);
      for (let i = 0, s = 0, o = 0; i < n; i++, s += 4, o += 3) {
        rgb[o] = data[s]!;
        rgb[o + 1] = data[s + 1]!;
        rgb[o + 2] = data[s + 2]!;
      }
      return rgb;
    }
    case 'bgr': {
      const rgb = rgbOut(width, height, out);
      for (let i = 0, o = 0; i < n; i++, o += 3) {
        rgb[o] = data[o + 2]!;
        rgb[o + 1] = data[o + 1]!;
        rgb[o + 2] = data[o]!;
      }
      return rgb;
    }
    case 'gbrp': {
      const rgb = rgbOut(width, height, out);
      for (let i = 0, o = 0; i < n; i++, o += 3) {
        rgb[o] = data[2 * n + i]!;
        rgb[o + 1] = data[i]!;
        rgb[o + 2] = data[n + i]!;
      }
      return rgb;
    }
    case 'gray': {
      const rgb = rgbOut(width, height, out);
      for (let i = 0, o = 0; i < n; i++, o += 3) {
        const v = data[i]!;
        rgb[o] = v;
        rgb[o + 1] = v;
        rgb[o + 2] = v;
      }
      return rgb;
    }
  }
}

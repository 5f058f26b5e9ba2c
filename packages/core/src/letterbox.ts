import type { Box } from './detection.js';
import type { Frame } from './frame.js';
import { BT601_LIMITED } from './color-convert.js';
import { linearAxis, type LinearAxis } from './resize.js';
import { validateFrame } from './validate-frame.js';

/** How a frame is fitted into a model's input tensor by {@link letterbox}. */
export interface LetterboxOptions {
  /** Model input size in pixels: a number for square, or `{ width, height }`. */
  size: number | { width: number; height: number };
  /** Pad value written in the tensor's 0..255 pixel space before normalization. Default 114. */
  padValue?: number;
  /**
   * Where the resized frame sits: `'top-left'` (YOLOX: padding only right and bottom)
   * or `'center'` (YOLOv5/v8: padding split, the odd pixel going right/bottom). Default `'center'`.
   */
  align?: 'center' | 'top-left';
  /** Channel order of the tensor. Default `'rgb'`. */
  channelOrder?: 'rgb' | 'bgr';
  /**
   * Multiplier of the 0..255 pixel values: `value = (pixel * scale - mean[c]) / std[c]`.
   * Default `1 / 255`. YOLOX uses `1` (raw 0..255).
   */
  scale?: number;
  /** Per tensor channel (in `channelOrder`) mean subtracted after `scale`. Default `[0, 0, 0]`. */
  mean?: [number, number, number];
  /** Per tensor channel (in `channelOrder`) divisor applied after `mean`. Default `[1, 1, 1]`. */
  std?: [number, number, number];
  /** Allow upscaling frames smaller than the model input. Default `true`. */
  allowUpscale?: boolean;
  /**
   * How the resized size is rounded: `'round'` (`round(w * scale)`, as Ultralytics
   * YOLOv5/v8) or `'floor'` (`int(w * scale)`, as YOLOX's `preproc`). The two differ by
   * at most one pixel, only when `w * scale` is not an integer. Default `'round'`.
   */
  rounding?: 'round' | 'floor';
  /**
   * Minimal padding: when set, the tensor is not the whole `size` but the resized frame
   * padded up to the next multiple of this many pixels on each side (Ultralytics'
   * "auto" letterbox). With `size` 416 and 32, a 1280x720 frame gives a 416x256 tensor
   * instead of 416x416, and the model does about 40% less work. `size` still bounds the
   * resize. Needs a model whose input height and width are dynamic (see
   * {@link withDynamicInputSize}) and whose graph takes any multiple of its largest
   * stride (32 for YOLO heads). Default: none (pad to `size`).
   */
  padMultiple?: number;
}

/** The geometry of one letterbox: how source pixels map to model pixels. */
export interface LetterboxTransform {
  /** Factor from source to model pixels, `min(dstWidth / srcWidth, dstHeight / srcHeight)` (capped at 1 without upscaling). */
  scale: number;
  /** Padding in model pixels on the left. */
  padX: number;
  /** Padding in model pixels on the top. */
  padY: number;
  /** Source frame width in pixels (its `displayWidth` when the frame has one). */
  srcWidth: number;
  /** Source frame height in pixels (its `displayHeight` when the frame has one). */
  srcHeight: number;
  /** Model input width in pixels. */
  dstWidth: number;
  /** Model input height in pixels. */
  dstHeight: number;
  /**
   * Width of the resized frame inside the tensor, in model pixels (`srcWidth * scale`
   * rounded). Always set by {@link letterbox}; may be left out of hand-made transforms.
   */
  contentWidth?: number;
  /** Height of the resized frame inside the tensor, in model pixels. See `contentWidth`. */
  contentHeight?: number;
  /**
   * Exact horizontal factor of the resize, `contentWidth / srcWidth` (differs from
   * `scale` by the rounding of the size). {@link modelToSourceBox} uses it when present.
   */
  scaleX?: number;
  /** Exact vertical factor of the resize, `contentHeight / srcHeight`. See `scaleX`. */
  scaleY?: number;
}

/** The output of {@link letterbox}: an NCHW float tensor ready for a session, and its geometry. */
export interface LetterboxResult {
  /** Planar float pixels, `3 * dstHeight * dstWidth` values. */
  tensor: Float32Array;
  /** `[1, 3, H, W]` */
  dims: [1, 3, number, number];
  /** How source pixels map into the tensor; pass it to {@link modelToSourceBox}. */
  transform: LetterboxTransform;
}

interface Resolved {
  dstWidth: number;
  dstHeight: number;
  padValue: number;
  center: boolean;
  bgr: boolean;
  scale: number;
  mean: readonly number[];
  std: readonly number[];
  allowUpscale: boolean;
  floor: boolean;
  padMultiple: number | undefined;
}

const ZERO3 = [0, 0, 0] as const;
const ONE3 = [1, 1, 1] as const;

function finite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`letterbox: ${name} must be a finite number, got ${String(value)}.`);
  }
  return value;
}

function positiveInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new TypeError(`letterbox: ${name} must be a positive integer (pixels), got ${String(value)}.`);
  }
  return value;
}

function triple(name: string, value: unknown, fallback: readonly number[], nonZero: boolean): readonly number[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length !== 3) {
    throw new TypeError(`letterbox: ${name} must be an array of 3 numbers, got ${String(value)}.`);
  }
  for (let i = 0; i < 3; i++) {
    const v = finite(`${name}[${i}]`, value[i]);
    if (nonZero && v === 0) throw new TypeError(`letterbox: ${name}[${i}] must not be 0.`);
  }
  return value as number[];
}

function resolveOptions(options: LetterboxOptions): Resolved {
  if (options === null || typeof options !== 'object') throw new TypeError('letterbox: options must be an object with a `size`.');
  const { size } = options;
  let dstWidth: number;
  let dstHeight: number;
  if (typeof size === 'number') {
    dstWidth = dstHeight = positiveInt('size', size);
  } else if (size !== null && typeof size === 'object') {
    dstWidth = positiveInt('size.width', size.width);
    dstHeight = positiveInt('size.height', size.height);
  } else {
    throw new TypeError(`letterbox: size must be a number or { width, height }, got ${String(size)}.`);
  }
  const align = options.align ?? 'center';
  if (align !== 'center' && align !== 'top-left') throw new TypeError(`letterbox: align must be 'center' or 'top-left', got ${String(align)}.`);
  const channelOrder = options.channelOrder ?? 'rgb';
  if (channelOrder !== 'rgb' && channelOrder !== 'bgr') {
    throw new TypeError(`letterbox: channelOrder must be 'rgb' or 'bgr', got ${String(channelOrder)}.`);
  }
  const rounding = options.rounding ?? 'round';
  if (rounding !== 'round' && rounding !== 'floor') throw new TypeError(`letterbox: rounding must be 'round' or 'floor', got ${String(rounding)}.`);
  return {
    dstWidth,
    dstHeight,
    padValue: finite('padValue', options.padValue ?? 114),
    center: align === 'center',
    bgr: channelOrder === 'bgr',
    scale: finite('scale', options.scale ?? 1 / 255),
    mean: triple('mean', options.mean, ZERO3, false),
    std: triple('std', options.std, ONE3, true),
    allowUpscale: options.allowUpscale ?? true,
    floor: rounding === 'floor',
    padMultiple: options.padMultiple === undefined ? undefined : positiveInt('padMultiple', options.padMultiple),
  };
}

/** The resize factor of a `srcWidth` x `srcHeight` picture fitted into the target size. */
function scaleOf(srcWidth: number, srcHeight: number, o: Resolved): number {
  const scale = Math.min(o.dstWidth / srcWidth, o.dstHeight / srcHeight);
  return !o.allowUpscale && scale > 1 ? 1 : scale;
}

/** `n` rounded up to a multiple of `m`. @internal */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

function transformOf(srcWidth: number, srcHeight: number, o: Resolved): Required<LetterboxTransform> {
  let { dstWidth, dstHeight } = o;
  const scale = scaleOf(srcWidth, srcHeight, o);
  // The epsilon keeps floor(416 / w * w) at 416 when the division is not exact.
  const fit = (n: number, max: number) => {
    const v = o.floor ? Math.floor(n * scale + 1e-9) : Math.round(n * scale);
    return v < 1 ? 1 : v > max ? max : v;
  };
  const contentWidth = fit(srcWidth, dstWidth);
  const contentHeight = fit(srcHeight, dstHeight);
  const m = o.padMultiple;
  if (m !== undefined) {
    dstWidth = roundUp(contentWidth, m);
    dstHeight = roundUp(contentHeight, m);
  }
  return {
    scale,
    padX: o.center ? (dstWidth - contentWidth) >> 1 : 0,
    padY: o.center ? (dstHeight - contentHeight) >> 1 : 0,
    srcWidth,
    srcHeight,
    dstWidth,
    dstHeight,
    contentWidth,
    contentHeight,
    scaleX: contentWidth / srcWidth,
    scaleY: contentHeight / srcHeight,
  };
}

/**
 * The geometry {@link letterbox} would use for a `srcWidth` x `srcHeight` frame,
 * without touching pixels (for example to map boxes, or to resize with a canvas).
 *
 * @throws TypeError for invalid sizes or options.
 */
export function letterboxTransform(srcWidth: number, srcHeight: number, options: LetterboxOptions): Required<LetterboxTransform> {
  return transformOf(positiveInt('srcWidth', srcWidth), positiveInt('srcHeight', srcHeight), resolveOptions(options));
}

/** Where the content goes and how each color is normalized. */
interface Target {
  /** The whole tensor (for padding). */
  dst: Float32Array;
  /** The tensor planes that receive red, green and blue. */
  red: Float32Array;
  green: Float32Array;
  blue: Float32Array;
  /** value = v * k + b, per color. */
  kR: number;
  bR: number;
  kG: number;
  bG: number;
  kB: number;
  bB: number;
  /** Row length of the tensor (model width). */
  stride: number;
  /** Size of one channel plane. */
  plane: number;
  padX: number;
  padY: number;
  width: number;
  height: number;
}

function fillPadding(t: Target, pads: readonly number[]): void {
  const { dst, stride, plane, padX, padY, width, height } = t;
  const right = padX + width;
  const contentEnd = (padY + height) * stride;
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    const v = pads[c]!;
    if (padY > 0) dst.fill(v, base, base + padY * stride);
    if (contentEnd < plane) dst.fill(v, base + contentEnd, base + plane);
    if (padX > 0 || right < stride) {
      for (let y = padY, row = base + padY * stride; y < padY + height; y++, row += stride) {
        if (padX > 0) dst.fill(v, row, row + padX);
        if (right < stride) dst.fill(v, row + right, row + stride);
      }
    }
  }
}

/** Planes and coefficients of the first, second and third byte of a packed pixel. */
interface PackedPlanes {
  P0: Float32Array;
  P1: Float32Array;
  P2: Float32Array;
  k0: number;
  b0: number;
  k1: number;
  b1: number;
  k2: number;
  b2: number;
}

/** `swap`: the first byte of a pixel is blue (bgr) rather than red. */
function packedPlanes(t: Target, swap: boolean): PackedPlanes {
  return swap
    ? { P0: t.blue, P1: t.green, P2: t.red, k0: t.kB, b0: t.bB, k1: t.kG, b1: t.bG, k2: t.kR, b2: t.bR }
    : { P0: t.red, P1: t.green, P2: t.blue, k0: t.kR, b0: t.bR, k1: t.kG, b1: t.bG, k2: t.kB, b2: t.bB };
}

/**
 * Packed pixels already at the content size (a frame the decoder scaled, e.g.
 * `FfmpegSource` with `fitWithin`): each byte normalized straight into its plane. Gives
 * exactly the values of the bilinear kernels, whose taps all have weight 0 at scale 1.
 */
function copyPacked(
  src: Uint8Array | Uint8ClampedArray,
  bpp: number,
  { P0, P1, P2, k0, b0, k1, b1, k2, b2 }: PackedPlanes,
  t: Target,
): void {
  const { stride, padX, padY, width, height } = t;
  let i = 0;
  for (let y = 0; y < height; y++) {
    const row = (padY + y) * stride + padX;
    for (let o = row; o < row + width; o++, i += bpp) {
      P0[o] = src[i]! * k0 + b0;
      P1[o] = src[i + 1]! * k1 + b1;
      P2[o] = src[i + 2]! * k2 + b2;
    }
  }
}

/**
 * The planes of a `gbrp` frame (green, blue, red) with their tensor planes and
 * coefficients, in that order.
 */
function gbrpPlanes(t: Target): Array<[plane: Float32Array, k: number, b: number]> {
  return [
    [t.green, t.kG, t.bG],
    [t.blue, t.kB, t.bB],
    [t.red, t.kR, t.bR],
  ];
}

/**
 * Planar `gbrp` pixels already at the content size, plane by plane. Without
 * normalization (`value = pixel`, as YOLOX takes its input) the bytes are converted by
 * the engine's `TypedArray.set`, a whole plane at once when the content spans the
 * tensor's rows. Same values as {@link copyPacked}.
 */
function copyPlanar(src: Uint8Array | Uint8ClampedArray, t: Target): void {
  const { stride, padX, padY, width, height } = t;
  const n = width * height;
  gbrpPlanes(t).forEach(([plane, k, b], c) => {
    const from = c * n;
    if (k === 1 && b === 0) {
      if (width === stride) plane.set(src.subarray(from, from + n), padY * stride);
      else for (let y = 0; y < height; y++) plane.set(src.subarray(from + y * width, from + (y + 1) * width), (padY + y) * stride + padX);
      return;
    }
    let i = from;
    for (let y = 0; y < height; y++) {
      const row = (padY + y) * stride + padX;
      for (let o = row; o < row + width; o++, i++) plane[o] = src[i]! * k + b;
    }
  });
}

/** Planar `gbrp` pixels, each plane resized bilinearly as {@link resizePackedBytes} does one channel. */
function resizePlanar(src: Uint8Array | Uint8ClampedArray, xs: LinearAxis, ys: LinearAxis, frameWidth: number, frameHeight: number, t: Target): void {
  const { stride, padX, padY, width, height } = t;
  const { i0: x0, i1: x1, w: wx } = xs;
  gbrpPlanes(t).forEach(([plane, k, b], c) => {
    const base = c * frameWidth * frameHeight;
    for (let dy = 0; dy < height; dy++) {
      const r0 = base + ys.i0[dy]!;
      const r1 = base + ys.i1[dy]!;
      const fy = ys.w[dy]!;
      let o = (padY + dy) * stride + padX;
      for (let dx = 0; dx < width; dx++, o++) {
        const fx = wx[dx]!;
        const p = src[r0 + x0[dx]!]!;
        const q = src[r1 + x0[dx]!]!;
        const top = p + (src[r0 + x1[dx]!]! - p) * fx;
        const bottom = q + (src[r1 + x1[dx]!]! - q) * fx;
        plane[o] = (top + (bottom - top) * fy) * k + b;
      }
    }
  });
}

/** Gray pixels already at the content size; see {@link copyPacked}. */
function copyGray(src: Uint8Array | Uint8ClampedArray, t: Target): void {
  const { red, green, blue, kR, bR, kG, bG, kB, bB, stride, padX, padY, width, height } = t;
  let i = 0;
  for (let y = 0; y < height; y++) {
    const row = (padY + y) * stride + padX;
    for (let o = row; o < row + width; o++, i++) {
      const v = src[i]!;
      red[o] = v * kR + bR;
      green[o] = v * kG + bG;
      blue[o] = v * kB + bB;
    }
  }
}

/**
 * Packed 8-bit pixels with 3 or 4 bytes per pixel, output rows `from` to `to`:
 * bilinear taps, normalization and the planar write in one pass, one byte read per
 * channel and tap.
 */
function resizePackedBytes(
  src: Uint8Array | Uint8ClampedArray,
  xs: LinearAxis,
  ys: LinearAxis,
  { P0, P1, P2, k0, b0, k1, b1, k2, b2 }: PackedPlanes,
  t: Target,
  from: number,
  to: number,
): void {
  const { stride, padX, padY, width } = t;
  const { i0: x0, i1: x1, w: wx } = xs;
  for (let dy = from; dy < to; dy++) {
    const r0 = ys.i0[dy]!;
    const r1 = ys.i1[dy]!;
    const fy = ys.w[dy]!;
    let o = (padY + dy) * stride + padX;
    for (let dx = 0; dx < width; dx++, o++) {
      const a0 = r0 + x0[dx]!;
      const a1 = r0 + x1[dx]!;
      const c0 = r1 + x0[dx]!;
      const c1 = r1 + x1[dx]!;
      const fx = wx[dx]!;
      let p = src[a0]!;
      let q = src[c0]!;
      let top = p + (src[a1]! - p) * fx;
      let bottom = q + (src[c1]! - q) * fx;
      P0[o] = (top + (bottom - top) * fy) * k0 + b0;
      p = src[a0 + 1]!;
      q = src[c0 + 1]!;
      top = p + (src[a1 + 1]! - p) * fx;
      bottom = q + (src[c1 + 1]! - q) * fx;
      P1[o] = (top + (bottom - top) * fy) * k1 + b1;
      p = src[a0 + 2]!;
      q = src[c0 + 2]!;
      top = p + (src[a1 + 2]! - p) * fx;
      bottom = q + (src[c1 + 2]! - q) * fx;
      P2[o] = (top + (bottom - top) * fy) * k2 + b2;
    }
  }
}

/**
 * Same as {@link resizePackedBytes}, reading each tap's channels with one little-endian
 * 32-bit load (a third of the loads: the kernel's main cost). Every tap of rows `from`
 * to `to` must have 4 readable bytes.
 */
function resizePackedWords(
  src: DataView,
  xs: LinearAxis,
  ys: LinearAxis,
  { P0, P1, P2, k0, b0, k1, b1, k2, b2 }: PackedPlanes,
  t: Target,
  from: number,
  to: number,
): void {
  const { stride, padX, padY, width } = t;
  const { i0: x0, i1: x1, w: wx } = xs;
  for (let dy = from; dy < to; dy++) {
    const r0 = ys.i0[dy]!;
    const r1 = ys.i1[dy]!;
    const fy = ys.w[dy]!;
    let o = (padY + dy) * stride + padX;
    for (let dx = 0; dx < width; dx++, o++) {
      const fx = wx[dx]!;
      const a0 = src.getUint32(r0 + x0[dx]!, true);
      const a1 = src.getUint32(r0 + x1[dx]!, true);
      const c0 = src.getUint32(r1 + x0[dx]!, true);
      const c1 = src.getUint32(r1 + x1[dx]!, true);
      let p = a0 & 255;
      let q = c0 & 255;
      let top = p + ((a1 & 255) - p) * fx;
      let bottom = q + ((c1 & 255) - q) * fx;
      P0[o] = (top + (bottom - top) * fy) * k0 + b0;
      p = (a0 >>> 8) & 255;
      q = (c0 >>> 8) & 255;
      top = p + (((a1 >>> 8) & 255) - p) * fx;
      bottom = q + (((c1 >>> 8) & 255) - q) * fx;
      P1[o] = (top + (bottom - top) * fy) * k1 + b1;
      p = (a0 >>> 16) & 255;
      q = (c0 >>> 16) & 255;
      top = p + (((a1 >>> 16) & 255) - p) * fx;
      bottom = q + (((c1 >>> 16) & 255) - q) * fx;
      P2[o] = (top + (bottom - top) * fy) * k2 + b2;
    }
  }
}

/**
 * Packed rgb/bgr/rgba: 32-bit reads for every output row whose taps stay inside the
 * data (all rows for rgba; with 3 bytes per pixel the last pixel of the frame has
 * only 3), byte reads for the rest.
 */
function resizePacked(src: Uint8Array | Uint8ClampedArray, xs: LinearAxis, ys: LinearAxis, swap: boolean, t: Target): void {
  const planes = packedPlanes(t, swap);
  const lastTap = xs.i1[t.width - 1]!;
  let safe = t.height;
  while (safe > 0 && ys.i1[safe - 1]! + lastTap + 4 > src.length) safe--;
  if (safe > 0) resizePackedWords(new DataView(src.buffer, src.byteOffset, src.byteLength), xs, ys, planes, t, 0, safe);
  if (safe < t.height) resizePackedBytes(src, xs, ys, planes, t, safe, t.height);
}

function resizeGray(src: Uint8Array | Uint8ClampedArray, xs: LinearAxis, ys: LinearAxis, t: Target): void {
  const { red, green, blue, kR, bR, kG, bG, kB, bB, stride, padX, padY, width, height } = t;
  const { i0: x0, i1: x1, w: wx } = xs;
  for (let dy = 0; dy < height; dy++) {
    const r0 = ys.i0[dy]!;
    const r1 = ys.i1[dy]!;
    const fy = ys.w[dy]!;
    let o = (padY + dy) * stride + padX;
    for (let dx = 0; dx < width; dx++, o++) {
      const fx = wx[dx]!;
      const p = src[r0 + x0[dx]!]!;
      const q = src[r1 + x0[dx]!]!;
      const top = p + (src[r0 + x1[dx]!]! - p) * fx;
      const v = top + (q + (src[r1 + x1[dx]!]! - q) * fx - top) * fy;
      red[o] = v * kR + bR;
      green[o] = v * kG + bG;
      blue[o] = v * kB + bB;
    }
  }
}

const { y: CY, rv: CRV, gu: CGU, gv: CGV, bu: CBU } = BT601_LIMITED;

/**
 * YUV 4:2:0: Y, U and V are each interpolated bilinearly at the output position (the
 * chroma taps read the 2x2 block that covers each luma tap, as `i420ToRgb` does), then
 * converted with BT.601 limited range. This equals converting first and resizing
 * after, except in saturated colors where the per-pixel clamp makes them differ.
 */
function resizeYuv(
  src: Uint8Array | Uint8ClampedArray,
  xs: LinearAxis,
  ys: LinearAxis,
  xc: LinearAxis,
  yc: LinearAxis,
  uBase: number,
  vBase: number,
  t: Target,
): void {
  const { red, green, blue, kR, bR, kG, bG, kB, bB, stride, padX, padY, width, height } = t;
  const { i0: x0, i1: x1, w: wx } = xs;
  const { i0: cx0, i1: cx1 } = xc;
  for (let dy = 0; dy < height; dy++) {
    const r0 = ys.i0[dy]!;
    const r1 = ys.i1[dy]!;
    const fy = ys.w[dy]!;
    const u0 = uBase + yc.i0[dy]!;
    const u1 = uBase + yc.i1[dy]!;
    const v0 = vBase + yc.i0[dy]!;
    const v1 = vBase + yc.i1[dy]!;
    let o = (padY + dy) * stride + padX;
    for (let dx = 0; dx < width; dx++, o++) {
      const fx = wx[dx]!;
      const xa = x0[dx]!;
      const xb = x1[dx]!;
      const ca = cx0[dx]!;
      const cb = cx1[dx]!;
      let p = src[r0 + xa]!;
      let q = src[r1 + xa]!;
      let top = p + (src[r0 + xb]! - p) * fx;
      const l = CY * (top + (q + (src[r1 + xb]! - q) * fx - top) * fy - 16);
      p = src[u0 + ca]!;
      q = src[u1 + ca]!;
      top = p + (src[u0 + cb]! - p) * fx;
      const u = top + (q + (src[u1 + cb]! - q) * fx - top) * fy - 128;
      p = src[v0 + ca]!;
      q = src[v1 + ca]!;
      top = p + (src[v0 + cb]! - p) * fx;
      const v = top + (q + (src[v1 + cb]! - q) * fx - top) * fy - 128;
      // Math.min/max compile to branch-free instructions.
      red[o] = Math.min(Math.max(l + CRV * v, 0), 255) * kR + bR;
      green[o] = Math.min(Math.max(l - CGU * u - CGV * v, 0), 255) * kG + bG;
      blue[o] = Math.min(Math.max(l + CBU * u, 0), 255) * kB + bB;
    }
  }
}

/**
 * The transform of a frame that shows a `displayWidth` x `displayHeight` picture scaled
 * down, in display pixels: {@link modelToSourceBox} then maps boxes straight to the picture.
 */
function inDisplayPixels(t: Required<LetterboxTransform>, displayWidth: number, displayHeight: number, o: Resolved): Required<LetterboxTransform> {
  return {
    ...t,
    scale: scaleOf(displayWidth, displayHeight, o),
    srcWidth: displayWidth,
    srcHeight: displayHeight,
    scaleX: t.contentWidth / displayWidth,
    scaleY: t.contentHeight / displayHeight,
  };
}

/**
 * Fits a frame into a model's input tensor, keeping its aspect ratio: resizes it
 * bilinearly (as OpenCV's `INTER_LINEAR`), pads the rest with `padValue`, reorders
 * channels and normalizes, all in one pass, writing planar NCHW floats. Any
 * {@link PixelFormat} is accepted: gray is replicated to three channels, `i420`/`nv12`
 * are converted with BT.601 limited range (see {@link i420ToRgb}). A packed or gray
 * frame already at the resized size (scaled by its decoder) is only converted and padded.
 *
 * For a frame with `displayWidth`/`displayHeight`, the returned `transform` is in display
 * pixels (`srcWidth`/`srcHeight` are the display size), so boxes map back to the picture
 * the frame shows.
 *
 * Interpolation tables are cached per geometry, so with `out` given a call on frames
 * of an already seen size allocates only a few small objects, never per pixel.
 *
 * @param frame - The frame to convert; validated first.
 * @param options - Model input size, alignment, channel order and normalization.
 * @param out - Reused when given and at least `3 * H * W` long (the result's `tensor`
 *   is then `out` or a view of its start); otherwise a new array is allocated.
 * @throws {@link VidaiError} `invalid-frame` or `unsupported-format` for a bad frame;
 *   TypeError for invalid options.
 *
 * @example
 * ```ts
 * const { tensor, dims, transform } = letterbox(frame, { size: 416, align: 'top-left', channelOrder: 'bgr', scale: 1 });
 * const output = await session.run({ images: new ort.Tensor('float32', tensor, dims) });
 * // ... decode boxes in model pixels, then:
 * const box = modelToSourceBox(modelBox, transform);
 * ```
 */
export function letterbox(frame: Frame, options: LetterboxOptions, out?: Float32Array): LetterboxResult {
  validateFrame(frame);
  const o = resolveOptions(options);
  const geometry = transformOf(frame.width, frame.height, o);
  const transform =
    frame.displayWidth === undefined ? geometry : inDisplayPixels(geometry, frame.displayWidth, frame.displayHeight!, o);
  const { dstWidth, dstHeight, contentWidth, contentHeight } = transform;
  const plane = dstWidth * dstHeight;
  const length = 3 * plane;
  if (out !== undefined && !(out instanceof Float32Array)) throw new TypeError('letterbox: out must be a Float32Array.');
  const dst = out === undefined || out.length < length ? new Float32Array(length) : out.length === length ? out : out.subarray(0, length);

  const { scale, mean, std } = o;
  // Normalization of tensor channels 0..2, then per color.
  const k = [scale / std[0]!, scale / std[1]!, scale / std[2]!];
  const b = [-mean[0]! / std[0]!, -mean[1]! / std[1]!, -mean[2]! / std[2]!];
  const r = o.bgr ? 2 : 0;
  const bl = 2 - r;
  const target: Target = {
    dst,
    red: dst.subarray(r * plane, (r + 1) * plane),
    green: dst.subarray(plane, 2 * plane),
    blue: dst.subarray(bl * plane, (bl + 1) * plane),
    kR: k[r]!,
    bR: b[r]!,
    kG: k[1]!,
    bG: b[1]!,
    kB: k[bl]!,
    bB: b[bl]!,
    stride: dstWidth,
    plane,
    padX: transform.padX,
    padY: transform.padY,
    width: contentWidth,
    height: contentHeight,
  };
  const pad = o.padValue;
  fillPadding(target, [pad * k[0]! + b[0]!, pad * k[1]! + b[1]!, pad * k[2]! + b[2]!]);

  const { data, width, height, format } = frame;
  const resized = width !== contentWidth || height !== contentHeight;
  switch (format) {
    case 'rgb':
    case 'rgba':
    case 'bgr': {
      const bpp = format === 'rgba' ? 4 : 3;
      if (!resized) {
        copyPacked(data, bpp, packedPlanes(target, format === 'bgr'), target);
        break;
      }
      const xs = linearAxis(width, contentWidth, bpp);
      const ys = linearAxis(height, contentHeight, width * bpp);
      resizePacked(data, xs, ys, format === 'bgr', target);
      break;
    }
    case 'gray':
      if (!resized) {
        copyGray(data, target);
        break;
      }
      resizeGray(data, linearAxis(width, contentWidth), linearAxis(height, contentHeight, width), target);
      break;
    case 'gbrp':
      if (!resized) {
        copyPlanar(data, target);
        break;
      }
      resizePlanar(data, linearAxis(width, contentWidth), linearAxis(height, contentHeight, width), width, height, target);
      break;
    case 'i420':
    case 'nv12': {
      const cw = Math.ceil(width / 2);
      const nv12 = format === 'nv12';
      const uBase = width * height;
      const vBase = nv12 ? uBase + 1 : uBase + cw * Math.ceil(height / 2);
      const cStep = nv12 ? 2 : 1;
      resizeYuv(
        data,
        linearAxis(width, contentWidth),
        linearAxis(height, contentHeight, width),
        linearAxis(width, contentWidth, cStep, 1),
        linearAxis(height, contentHeight, cw * cStep, 1),
        uBase,
        vBase,
        target,
      );
      break;
    }
  }
  return { tensor: dst, dims: [1, 3, dstHeight, dstWidth], transform };
}

/**
 * Maps a box from model-input pixels back to source-frame pixels: removes the
 * padding, undoes the resize (per axis with `scaleX`/`scaleY` when the transform has
 * them, else with `scale`) and clips to the frame (`0..srcWidth`, `0..srcHeight`).
 * Returns a new box.
 *
 * @example
 * ```ts
 * const sourceBox = modelToSourceBox([x1, y1, x2, y2], result.transform);
 * ```
 */
export function modelToSourceBox(box: Box, t: LetterboxTransform): Box {
  const sx = t.scaleX ?? t.scale;
  const sy = t.scaleY ?? t.scale;
  const w = t.srcWidth;
  const h = t.srcHeight;
  const clip = (v: number, max: number) => (v < 0 ? 0 : v > max ? max : v);
  return [
    clip((box[0] - t.padX) / sx, w),
    clip((box[1] - t.padY) / sy, h),
    clip((box[2] - t.padX) / sx, w),
    clip((box[3] - t.padY) / sy, h),
  ];
}

/**
 * Synthetic frames for sampler tests: a picture described by a function of the
 * pixel position, rendered in any pixel format at any timestamp.
 */
import type { Frame, PixelFormat } from '../../src/frame.js';

/** An RGB color, 0..255 per channel. */
export type Rgb = readonly [r: number, g: number, b: number];

/** A picture: the color of pixel (x, y). */
export type Picture = (x: number, y: number) => Rgb;

/** Every pixel format a frame may have. */
export const ALL_FORMATS: readonly PixelFormat[] = ['rgba', 'rgb', 'bgr', 'gray', 'i420', 'nv12'];

const clamp = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
const luma = ([r, g, b]: Rgb): number => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * Renders `picture` as a `width x height` frame in `format`. YUV formats use BT.601
 * limited range (Y 16..235), as decoders produce them.
 */
export function renderFrame(
  picture: Picture,
  { width, height, format, timestamp = 0, seq = 0 }: { width: number; height: number; format: PixelFormat; timestamp?: number; seq?: number },
): Frame {
  const n = width * height;
  const pixels: Rgb[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.push(picture(x, y));
  let data: Uint8Array;
  switch (format) {
    case 'rgba':
      data = new Uint8Array(n * 4);
      pixels.forEach(([r, g, b], i) => data.set([r, g, b, 255], i * 4));
      break;
    case 'rgb':
      data = new Uint8Array(n * 3);
      pixels.forEach(([r, g, b], i) => data.set([r, g, b], i * 3));
      break;
    case 'bgr':
      data = new Uint8Array(n * 3);
      pixels.forEach(([r, g, b], i) => data.set([b, g, r], i * 3));
      break;
    case 'gray':
      data = new Uint8Array(n);
      pixels.forEach((p, i) => (data[i] = clamp(luma(p))));
      break;
    case 'i420':
    case 'nv12': {
      const cw = Math.ceil(width / 2);
      const ch = Math.ceil(height / 2);
      data = new Uint8Array(n + 2 * cw * ch);
      pixels.forEach((p, i) => (data[i] = clamp(16 + (luma(p) * 219) / 255)));
      for (let cy = 0; cy < ch; cy++) {
        for (let cx = 0; cx < cw; cx++) {
          const [r, g, b] = pixels[Math.min(height - 1, cy * 2) * width + Math.min(width - 1, cx * 2)]!;
          const u = clamp(128 + (-0.1687 * r - 0.3313 * g + 0.5 * b) * (224 / 255));
          const v = clamp(128 + (0.5 * r - 0.4187 * g - 0.0813 * b) * (224 / 255));
          const c = cy * cw + cx;
          if (format === 'i420') {
            data[n + c] = u;
            data[n + cw * ch + c] = v;
          } else {
            data[n + 2 * c] = u;
            data[n + 2 * c + 1] = v;
          }
        }
      }
      break;
    }
  }
  return { data, width, height, format, timestamp, seq };
}

/** A uniform background with an axis-aligned square of another color. */
export function squareOn(background: Rgb, square: Rgb, left: number, top: number, size: number): Picture {
  return (x, y) => (x >= left && x < left + size && y >= top && y < top + size ? square : background);
}

/** Timestamp in whole ms of frame `index` of a `fps` stream starting at `start` (rounded, as containers store it). */
export function frameTime(index: number, fps = 30, start = 0): number {
  return start + Math.round((index * 1000) / fps);
}

/** Timestamps only: frames with empty 1x1 gray data, for samplers that look only at time. */
export function timedFrames(timestamps: readonly number[]): Frame[] {
  return timestamps.map((timestamp, seq) => ({ data: new Uint8Array(1), width: 1, height: 1, format: 'gray', timestamp, seq }));
}

/** Indices of the frames a predicate accepted. */
export function acceptedIndices(frames: readonly Frame[], accept: (frame: Frame) => boolean): number[] {
  const indices: number[] = [];
  frames.forEach((frame, i) => {
    if (accept(frame)) indices.push(i);
  });
  return indices;
}

/** A deterministic pseudo-random generator (LCG) giving numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `picture` with deterministic noise of up to `amplitude` gray levels added to every channel. */
export function withNoise(picture: Picture, amplitude: number, seed: number): Picture {
  const random = seededRandom(seed);
  return (x, y) => {
    const d = Math.round((random() * 2 - 1) * amplitude);
    const [r, g, b] = picture(x, y);
    return [clamp(r + d), clamp(g + d), clamp(b + d)];
  };
}

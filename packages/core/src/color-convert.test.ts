import { describe, expect, it } from 'vitest';
import { BT601_LIMITED, frameToRgb, i420ToRgb, nv12ToRgb } from './color-convert.js';
import { isVidaiError } from './errors.js';
import type { Frame, PixelFormat } from './frame.js';

/** I420 bytes of a picture given as per-pixel Y and per-2x2-block U, V. */
function i420(width: number, height: number, y: (x: number, y: number) => number, uv: (cx: number, cy: number) => [number, number]): Uint8Array {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const data = new Uint8Array(width * height + 2 * cw * ch);
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) data[j * width + i] = y(i, j);
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const [u, v] = uv(i, j);
      data[width * height + j * cw + i] = u;
      data[width * height + cw * ch + j * cw + i] = v;
    }
  }
  return data;
}

/** The same picture as NV12 (interleaved chroma). */
function toNv12(data: Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  const c = Math.ceil(width / 2) * Math.ceil(height / 2);
  const out = new Uint8Array(data.length);
  out.set(data.subarray(0, n));
  for (let i = 0; i < c; i++) {
    out[n + 2 * i] = data[n + i]!;
    out[n + 2 * i + 1] = data[n + c + i]!;
  }
  return out;
}

describe('BT601_LIMITED', () => {
  it('has the textbook BT.601 limited-range coefficients', () => {
    expect(BT601_LIMITED.y).toBeCloseTo(1.164, 3);
    expect(BT601_LIMITED.rv).toBeCloseTo(1.596, 3);
    expect(BT601_LIMITED.gu).toBeCloseTo(0.392, 3);
    expect(BT601_LIMITED.gv).toBeCloseTo(0.813, 3);
    expect(BT601_LIMITED.bu).toBeCloseTo(2.017, 3);
  });
});

describe('i420ToRgb / nv12ToRgb', () => {
  it('converts reference colors', () => {
    const cases: Array<[[number, number, number], [number, number, number]]> = [
      [[16, 128, 128], [0, 0, 0]],
      [[235, 128, 128], [255, 255, 255]],
      [[126, 128, 128], [128, 128, 128]],
      [[81, 90, 240], [254, 0, 0]],
      [[145, 54, 34], [0, 255, 1]],
      [[41, 240, 110], [0, 0, 255]],
      [[126, 100, 150], [163, 121, 72]],
    ];
    for (const [[y, u, v], rgb] of cases) {
      const data = i420(4, 2, () => y, () => [u, v]);
      const out = i420ToRgb(data, 4, 2);
      expect([...out.subarray(0, 3)], `yuv ${y},${u},${v}`).toEqual(rgb);
      expect([...nv12ToRgb(toNv12(data, 4, 2), 4, 2).subarray(0, 3)]).toEqual(rgb);
    }
  });

  it('gives each chroma sample to its 2x2 block, also on odd sizes', () => {
    const w = 5;
    const h = 3;
    // Chroma block (cx, cy) has U = 100 + 20 * cx, V = 100 + 20 * cy; Y is constant.
    const data = i420(w, h, () => 120, (cx, cy) => [100 + 20 * cx, 100 + 20 * cy]);
    const rgb = i420ToRgb(data, w, h);
    const nv12 = nv12ToRgb(toNv12(data, w, h), w, h);
    expect(nv12).toEqual(rgb);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const single = i420ToRgb(i420(1, 1, () => 120, () => [100 + 20 * (x >> 1), 100 + 20 * (y >> 1)]), 1, 1);
        expect([...rgb.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)], `pixel ${x},${y}`).toEqual([...single]);
      }
    }
  });

  it('reuses out when large enough and throws TypeError on bad input', () => {
    const data = i420(2, 2, () => 16, () => [128, 128]);
    const out = new Uint8Array(12).fill(9);
    expect(i420ToRgb(data, 2, 2, out)).toBe(out);
    expect([...out]).toEqual(new Array(12).fill(0));
    expect(i420ToRgb(data, 2, 2, new Uint8Array(3)).length).toBe(12);
    expect(() => i420ToRgb(data, 4, 4)).toThrow(TypeError);
    expect(() => nv12ToRgb(data, 0, 2)).toThrow(TypeError);
  });
});

describe('frameToRgb', () => {
  const make = (format: PixelFormat, data: number[], width = 2, height = 1): Frame => ({
    data: Uint8Array.from(data),
    width,
    height,
    format,
    timestamp: 0,
    seq: 0,
  });

  it('converts every packed format to rgb', () => {
    const rgb = [1, 2, 3, 4, 5, 6];
    expect([...frameToRgb(make('rgb', rgb))]).toEqual(rgb);
    expect([...frameToRgb(make('bgr', [3, 2, 1, 6, 5, 4]))]).toEqual(rgb);
    expect([...frameToRgb(make('rgba', [1, 2, 3, 99, 4, 5, 6, 99]))]).toEqual(rgb);
    expect([...frameToRgb(make('gray', [7, 8]))]).toEqual([7, 7, 7, 8, 8, 8]);
  });

  it('converts yuv frames like i420ToRgb and nv12ToRgb', () => {
    const data = i420(6, 4, (x, y) => 40 + x * 20 + y, (cx, cy) => [90 + cx * 30, 200 - cy * 50]);
    const i = frameToRgb({ data, width: 6, height: 4, format: 'i420', timestamp: 0, seq: 0 });
    expect(i).toEqual(i420ToRgb(data, 6, 4));
    expect(frameToRgb({ data: toNv12(data, 6, 4), width: 6, height: 4, format: 'nv12', timestamp: 0, seq: 0 })).toEqual(i);
  });

  it('validates the frame', () => {
    let caught: unknown;
    try {
      frameToRgb(make('rgb', [1, 2, 3]));
    } catch (err) {
      caught = err;
    }
    expect(isVidaiError(caught, 'invalid-frame')).toBe(true);
  });
});

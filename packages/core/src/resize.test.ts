import { describe, expect, it } from 'vitest';
import { linearAxis, resizeBilinear } from './resize.js';

describe('linearAxis', () => {
  it('aligns pixel centers and clamps at the borders (OpenCV INTER_LINEAR positions)', () => {
    // 2 -> 4: src = (d + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25
    const up = linearAxis(2, 4);
    expect([...up.i0]).toEqual([0, 0, 0, 1]);
    expect([...up.i1]).toEqual([1, 1, 1, 1]);
    expect([...up.w]).toEqual([0, 0.25, 0.75, 0]);
    // 5 -> 2: src = (d + 0.5) * 2.5 - 0.5 = 0.75, 3.25
    const down = linearAxis(5, 2);
    expect([...down.i0]).toEqual([0, 3]);
    expect([...down.i1]).toEqual([1, 4]);
    expect(down.w[0]).toBeCloseTo(0.75, 12);
    expect(down.w[1]).toBeCloseTo(0.25, 12);
  });

  it('scales tap offsets by step and addresses half-resolution planes with shift', () => {
    const a = linearAxis(6, 4, 3);
    const plain = linearAxis(6, 4);
    expect([...a.i0]).toEqual([...plain.i0].map((i) => i * 3));
    const half = linearAxis(6, 4, 2, 1);
    expect([...half.i0]).toEqual([...plain.i0].map((i) => (i >> 1) * 2));
    expect([...half.w]).toEqual([...plain.w]);
  });

  it('returns the cached table for a geometry it has seen', () => {
    expect(linearAxis(1280, 416, 4)).toBe(linearAxis(1280, 416, 4));
    expect(linearAxis(1280, 416, 4)).not.toBe(linearAxis(1280, 416, 3));
  });
});

describe('resizeBilinear', () => {
  it('matches values computed by OpenCV for a 2x2 -> 4x4 upscale', () => {
    // cv.resize(matFromArray(2, 2, CV_8UC1, [0, 100, 200, 50]), dst, Size(4, 4), 0, 0, INTER_LINEAR)
    const opencv = [0, 25, 75, 100, 50, 59, 78, 88, 150, 128, 84, 63, 200, 162, 87, 50];
    const ours = resizeBilinear(Uint8Array.of(0, 100, 200, 50), 2, 2, 1, 4, 4);
    // Exact halves (162.5, 87.5) round up here; OpenCV's fixed point rounds them down.
    expect([...ours]).toEqual([0, 25, 75, 100, 50, 59, 78, 88, 150, 128, 84, 63, 200, 163, 88, 50]);
    expect(ours.every((v, i) => Math.abs(v - opencv[i]!) <= 1)).toBe(true);
  });

  it('averages 2x2 blocks on an exact half downscale, per channel', () => {
    const src = Uint8Array.of(
      // row 0: two rgb pixels, row 1: two rgb pixels
      10, 20, 30, 50, 60, 70,
      90, 100, 110, 130, 140, 150,
    );
    expect([...resizeBilinear(src, 2, 2, 3, 1, 1)]).toEqual([70, 80, 90]);
  });

  it('keeps an image unchanged at the same size and a constant image constant at any size', () => {
    const src = new Uint8Array(7 * 5 * 4).map((_, i) => (i * 37) % 256);
    expect(resizeBilinear(src, 7, 5, 4, 7, 5)).toEqual(src);
    const flat = new Uint8ClampedArray(9 * 4 * 2).fill(77);
    for (const [w, h] of [[3, 2], [20, 11], [1, 1]] as const) {
      expect(resizeBilinear(flat, 9, 4, 2, w, h).every((v) => v === 77)).toBe(true);
    }
  });

  it('interpolates a horizontal ramp linearly', () => {
    // 0, 10, ..., 90 upscaled x2: interior samples sit at quarter positions.
    const src = Uint8Array.from({ length: 10 }, (_, i) => i * 10);
    const out = resizeBilinear(src, 10, 1, 1, 20, 1);
    expect([...out]).toEqual([0, 3, 8, 13, 18, 23, 28, 33, 38, 43, 48, 53, 58, 63, 68, 73, 78, 83, 88, 90]);
  });

  it('reuses out when it is large enough', () => {
    const src = new Uint8Array(8 * 8).fill(9);
    const exact = new Uint8Array(16);
    expect(resizeBilinear(src, 8, 8, 1, 4, 4, exact)).toBe(exact);
    const larger = new Uint8Array(100);
    const view = resizeBilinear(src, 8, 8, 1, 4, 4, larger);
    expect(view.buffer).toBe(larger.buffer);
    expect(view.length).toBe(16);
    const small = new Uint8Array(4);
    const fresh = resizeBilinear(src, 8, 8, 1, 4, 4, small);
    expect(fresh.buffer).not.toBe(small.buffer);
    expect(fresh.length).toBe(16);
  });

  it('throws TypeError on bad sizes or short input', () => {
    const src = new Uint8Array(12);
    expect(() => resizeBilinear(src, 0, 4, 3, 2, 2)).toThrow(TypeError);
    expect(() => resizeBilinear(src, 2, 2, 3, 2.5, 2)).toThrow(TypeError);
    expect(() => resizeBilinear(src, 2, 2, 0, 2, 2)).toThrow(TypeError);
    expect(() => resizeBilinear(src, 4, 4, 3, 2, 2)).toThrow(/needs 48 bytes/);
  });
});

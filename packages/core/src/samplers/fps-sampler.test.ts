import { describe, expect, it } from 'vitest';
import { acceptedIndices, frameTime, seededRandom, timedFrames } from '../../test/helpers/synthetic-video.js';
import { FpsSampler } from './fps-sampler.js';

const run = (fps: number, timestamps: number[]) => {
  const sampler = new FpsSampler({ fps });
  return acceptedIndices(timedFrames(timestamps), (f) => sampler.accept(f));
};
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const everyKth = (count: number, k: number) => range(Math.ceil(count / k), (i) => i * k);

describe('FpsSampler', () => {
  it('takes exactly every 3rd frame of 30 fps capped at 10, however timestamps are rounded', () => {
    const n = 300;
    expect(run(10, range(n, (i) => (i * 1000) / 30))).toEqual(everyKth(n, 3));
    expect(run(10, range(n, (i) => frameTime(i, 30)))).toEqual(everyKth(n, 3));
    expect(run(10, range(n, (i) => Math.floor((i * 1000) / 30)))).toEqual(everyKth(n, 3));
    expect(run(10, range(n, (i) => 1_700_000_000_000 + Math.ceil((i * 1000) / 30)))).toEqual(everyKth(n, 3));
    expect(run(15, range(n, (i) => frameTime(i, 30)))).toEqual(everyKth(n, 2));
  });

  it('takes 10 frames a second from 25 fps without drift (gaps of 2 and 3 frames)', () => {
    const accepted = run(10, range(25 * 60, (i) => i * 40));
    expect(accepted.slice(0, 9)).toEqual([0, 2, 5, 7, 10, 12, 15, 17, 20]);
    expect(accepted).toHaveLength(600);
    for (let second = 0; second < 60; second++) {
      expect(accepted.filter((i) => i * 40 >= second * 1000 && i * 40 < (second + 1) * 1000)).toHaveLength(10);
    }
  });

  it('keeps the average rate under timestamp jitter', () => {
    const random = seededRandom(7);
    const timestamps = range(30 * 60, (i) => Math.round((i * 1000) / 30 + (random() - 0.5) * 8));
    const accepted = run(10, timestamps);
    expect(Math.abs(accepted.length - 600)).toBeLessThanOrEqual(2);
    // Never two accepted frames in a row at 30 fps input and a 10 fps cap.
    for (let k = 1; k < accepted.length; k++) expect(accepted[k]! - accepted[k - 1]!).toBeGreaterThanOrEqual(2);
  });

  it('passes every frame of an input slower than the cap, and takes fractional rates', () => {
    expect(run(30, range(50, (i) => i * 100))).toEqual(range(50, (i) => i));
    // 0.5 fps of a 10 fps input: one frame every 2 s.
    expect(run(0.5, range(100, (i) => i * 100))).toEqual([0, 20, 40, 60, 80]);
  });

  it('restarts the schedule after a pause instead of bursting', () => {
    const timestamps = [...range(30, (i) => frameTime(i)), ...range(30, (i) => 10_000 + frameTime(i))];
    expect(run(10, timestamps)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45, 48, 51, 54, 57]);
  });

  it('starts over when timestamps go backwards (source restart), and on reset()', () => {
    const timestamps = [...range(10, (i) => 5000 + frameTime(i)), ...range(10, (i) => frameTime(i))];
    expect(run(10, timestamps)).toEqual([0, 3, 6, 9, 10, 13, 16, 19]);
    const sampler = new FpsSampler({ fps: 1 });
    const frames = timedFrames([0, 100, 200]);
    expect(sampler.accept(frames[0]!)).toBe(true);
    expect(sampler.accept(frames[1]!)).toBe(false);
    sampler.reset();
    expect(sampler.accept(frames[2]!)).toBe(true);
  });

  it('throws TypeError for a zero, negative or non-finite fps', () => {
    for (const fps of [0, -10, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new FpsSampler({ fps })).toThrow(TypeError);
    expect(new FpsSampler().fps).toBe(10);
  });
});

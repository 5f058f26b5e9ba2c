import { describe, expect, it } from 'vitest';
import type { Frame, PixelFormat } from '../frame.js';
import {
  ALL_FORMATS,
  acceptedIndices,
  frameTime,
  renderFrame,
  squareOn,
  withNoise,
  type Picture,
} from '../../test/helpers/synthetic-video.js';
import { grayThumbnail } from './gray-thumbnail.js';
import { changedFraction } from './motion-meter.js';
import { MotionSampler, type MotionSamplerOptions } from './motion-sampler.js';

const W = 160;
const H = 90;
const BACKGROUND = [128, 128, 128] as const;
const WHITE = [230, 230, 230] as const;

/**
 * A 16 px bright square at x = 20 that moves 8 px per frame during frames
 * `from..to` (inclusive) and stands still before and after, at 30 fps.
 */
function movingSquare(count: number, from: number, to: number, format: PixelFormat = 'gray'): Frame[] {
  return Array.from({ length: count }, (_, i) => {
    const steps = i < from ? 0 : Math.min(i, to) - from + 1;
    return renderFrame(squareOn(BACKGROUND, WHITE, 20 + 8 * steps, 37, 16), { width: W, height: H, format, timestamp: frameTime(i), seq: i });
  });
}

const run = (frames: Frame[], options: MotionSamplerOptions) => {
  const sampler = new MotionSampler(options);
  return acceptedIndices(frames, (f) => sampler.accept(f));
};
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const only: MotionSamplerOptions = { cooldownMs: 0, maxIntervalMs: 0 };

describe('MotionSampler', () => {
  it('accepts the first frame and the frames where the square moves, in every pixel format', () => {
    for (const format of ALL_FORMATS) {
      expect(run(movingSquare(40, 10, 19, format), only), format).toEqual([0, ...range(10, 19)]);
    }
  });

  it('keeps accepting for cooldownMs after the motion stops', () => {
    // Motion ends at frame 19 (633 ms); frames 20 and 21 are within 90 ms, 22 is 100 ms later.
    expect(run(movingSquare(40, 10, 19), { ...only, cooldownMs: 90 })).toEqual([0, ...range(10, 21)]);
    expect(run(movingSquare(60, 10, 19), { maxIntervalMs: 0 })).toEqual([0, ...range(10, 49)]);
  });

  it('never accepts more often than minIntervalMs', () => {
    expect(run(movingSquare(40, 10, 19), { ...only, minIntervalMs: 90 })).toEqual([0, 10, 13, 16, 19]);
  });

  it('compares with the last accepted frame, so motion held back by minIntervalMs is still seen', () => {
    // The square stops at frame 14; frame 16 is the first allowed after 13 and shows where it stopped.
    expect(run(movingSquare(40, 10, 14), { ...only, minIntervalMs: 90 })).toEqual([0, 10, 13, 16]);
  });

  it('adds up slow motion that no two consecutive frames show', () => {
    // A faint square creeping 1 px per frame: each step changes thumbnail pixels by less than pixelThreshold.
    const frames = Array.from({ length: 40 }, (_, i) =>
      renderFrame(squareOn(BACKGROUND, [160, 160, 160], 20 + i, 37, 16), { width: W, height: H, format: 'rgb', timestamp: frameTime(i) }),
    );
    const thumbs = frames.map((f) => grayThumbnail(f, 64).data);
    for (let i = 1; i < thumbs.length; i++) expect(changedFraction(thumbs[i]!, thumbs[i - 1]!, 25)).toBe(0);
    const accepted = run(frames, only);
    expect(accepted.length).toBeGreaterThanOrEqual(8);
    expect(accepted.length).toBeLessThan(30);
  });

  it('accepts a static scene only every maxIntervalMs, ignoring noise below pixelThreshold', () => {
    const still = squareOn(BACKGROUND, WHITE, 40, 30, 16);
    const frames = Array.from({ length: 91 }, (_, i) =>
      renderFrame(withNoise(still, 10, i + 1), { width: W, height: H, format: 'rgba', timestamp: frameTime(i) }),
    );
    expect(run(frames, { maxIntervalMs: 1000 })).toEqual([0, 30, 60, 90]);
    expect(run(frames, { maxIntervalMs: 0 })).toEqual([0]);
    // The same noise counts as motion everywhere once pixelThreshold no longer hides it.
    expect(run(frames, { maxIntervalMs: 0, cooldownMs: 0, pixelThreshold: 0 })).toHaveLength(91);
  });

  it('rejects motion covering less than threshold of the picture', () => {
    const tiny = (i: number): Picture => squareOn(BACKGROUND, WHITE, 20 + 8 * i, 37, 4);
    const frames = Array.from({ length: 6 }, (_, i) => renderFrame(tiny(i), { width: W, height: H, format: 'gray', timestamp: frameTime(i) }));
    const sampler = new MotionSampler({ ...only, threshold: 0.01 });
    expect(acceptedIndices(frames, (f) => sampler.accept(f))).toEqual([0]);
    expect(sampler.lastChange).toBeGreaterThan(0);
    expect(sampler.lastChange).toBeLessThan(0.01);
    expect(run(frames, { ...only, threshold: sampler.lastChange })).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reports the changed fraction of the last frame', () => {
    const sampler = new MotionSampler(only);
    const [first, , , second] = movingSquare(4, 1, 3);
    sampler.accept(first!);
    expect(sampler.lastChange).toBeNaN();
    sampler.accept(second!);
    // The square moved 24 px (9.6 thumbnail px): two 6.4 x 6.4 squares of change, about 82 of 2304 pixels.
    expect(sampler.lastChange).toBeGreaterThan(60 / 2304);
    expect(sampler.lastChange).toBeLessThan(100 / 2304);
  });

  it('starts over on reset(), on a backwards timestamp and on a new frame size', () => {
    const frames = movingSquare(5, 99, 99);
    const sampler = new MotionSampler(only);
    expect(acceptedIndices(frames, (f) => sampler.accept(f))).toEqual([0]);
    sampler.reset();
    expect(sampler.accept(frames[4]!)).toBe(true);
    expect(sampler.accept({ ...frames[4]!, timestamp: 10 })).toBe(true);
    expect(sampler.accept({ ...frames[4]!, timestamp: 11 })).toBe(false);
    const bigger = renderFrame(squareOn(BACKGROUND, WHITE, 20, 37, 16), { width: 320, height: 180, format: 'gray', timestamp: 12 });
    expect(sampler.accept(bigger)).toBe(true);
  });

  it('throws TypeError for options out of range', () => {
    const bad: MotionSamplerOptions[] = [
      { threshold: -0.1 },
      { threshold: 1.5 },
      { pixelThreshold: -1 },
      { pixelThreshold: 300 },
      { width: 0 },
      { width: 10.5 },
      { minIntervalMs: -1 },
      { cooldownMs: Number.NaN },
      { maxIntervalMs: -5 },
    ];
    for (const options of bad) expect(() => new MotionSampler(options), JSON.stringify(options)).toThrow(TypeError);
    expect(new MotionSampler().options).toEqual({
      threshold: 0.005,
      pixelThreshold: 25,
      width: 64,
      minIntervalMs: 0,
      cooldownMs: 1000,
      maxIntervalMs: 5000,
    });
  });
});

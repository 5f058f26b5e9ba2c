import { describe, expect, it } from 'vitest';
import type { Box, DetectionResult } from '../detection.js';
import type { Frame } from '../frame.js';
import { acceptedIndices, frameTime, renderFrame, squareOn, timedFrames } from '../../test/helpers/synthetic-video.js';
import { AdaptiveSampler, type AdaptiveSamplerOptions } from './adaptive-sampler.js';

const range = <T = number>(n: number, f: (i: number) => T = (i) => i as T): T[] => Array.from({ length: n }, (_, i) => f(i));
const gaps = (indices: number[]) => indices.slice(1).map((v, i) => v - indices[i]!);
const quiet = (count: number) => timedFrames(range(count, (i) => frameTime(i)));
const options: AdaptiveSamplerOptions = { minFps: 1, maxFps: 10, halfLifeMs: 1000 };

function result(frame: Frame, detections: number): DetectionResult {
  return {
    seq: frame.seq,
    timestamp: frame.timestamp,
    width: frame.width,
    height: frame.height,
    detections: range(detections, () => ({ box: [0, 0, 1, 1] as Box, score: 0.9, classId: 0, label: 'person' })),
    timings: { preprocess: 0, inference: 0, postprocess: 0 },
  };
}

/** An 80x45 gray frame with a square that moves 2 px a frame during frames `from..to` (30 fps). */
function squareFrames(count: number, from: number, to: number): Frame[] {
  return range(count, (i) => {
    const steps = i < from ? 0 : Math.min(i, to) - from + 1;
    return renderFrame(squareOn([100, 100, 100], [220, 220, 220], 5 + 2 * steps, 15, 10), {
      width: 80,
      height: 45,
      format: 'gray',
      timestamp: frameTime(i),
      seq: i,
    });
  });
}

describe('AdaptiveSampler', () => {
  it('starts at maxFps and decays toward minFps in a quiet scene', () => {
    const sampler = new AdaptiveSampler(options);
    expect(sampler.name).toBe('adaptive');
    const accepted = acceptedIndices(quiet(30 * 20), (f) => sampler.accept(f));
    expect(accepted.slice(0, 2)).toEqual([0, 3]);
    const perSecond = range(20, (s) => accepted.filter((i) => i >= s * 30 && i < (s + 1) * 30).length);
    // 10 fps falling to 5.5 over the first second, then halving its excess every second.
    expect(perSecond[0]).toBe(8);
    for (let s = 1; s < 20; s++) expect(perSecond[s]!).toBeLessThanOrEqual(perSecond[s - 1]!);
    expect(perSecond.slice(10)).toEqual(Array(10).fill(1));
    // Long after the activity the rate is minFps: one frame in 30.
    expect(gaps(accepted).slice(-5)).toEqual([30, 30, 30, 30, 30]);
    expect(sampler.currentFps).toBeCloseTo(1, 4);
  });

  it('follows the decay formula between minFps and maxFps', () => {
    const sampler = new AdaptiveSampler(options);
    expect(sampler.currentFps).toBe(10);
    const [a, b, c] = timedFrames([0, 1000, 3000]);
    sampler.accept(a!);
    sampler.accept(b!);
    expect(sampler.currentFps).toBeCloseTo(5.5, 10);
    sampler.accept(c!);
    expect(sampler.currentFps).toBeCloseTo(1 + 9 / 8, 10);
  });

  it('stays at maxFps while results have detections, and not for empty results', () => {
    const frames = quiet(30 * 20);
    // Every accepted frame from 14 s on gets a result with `detections` detections.
    const run = (detections: number) => {
      const sampler = new AdaptiveSampler(options);
      return acceptedIndices(frames, (f) => {
        if (!sampler.accept(f)) return false;
        if (f.timestamp >= 14_000) sampler.observe(result(f, detections));
        return true;
      });
    };
    const idle = run(0);
    const first = idle.find((i) => frameTime(i) >= 14_000)!;
    expect(gaps(idle.filter((i) => i >= first))).toEqual(Array(gaps(idle.filter((i) => i >= first)).length).fill(30));
    const active = run(2);
    expect(active.filter((i) => i >= first)).toEqual(range(Math.ceil((600 - first) / 3), (k) => first + 3 * k));
  });

  it('ignores results for frames it has not seen (left over from before a restart)', () => {
    const sampler = new AdaptiveSampler(options);
    const frames = quiet(30 * 12);
    const accepted = acceptedIndices(frames, (f) => {
      const ok = sampler.accept(f);
      if (ok && f.seq > 300) sampler.observe(result({ ...f, timestamp: f.timestamp + 5000 }, 3));
      return ok;
    });
    // Still about 1 fps: the stray results did not raise the rate.
    for (const gap of gaps(accepted.filter((i) => i > 300))) expect(gap).toBeGreaterThanOrEqual(29);
  });

  it('goes back to maxFps when the scene moves, unless motion is off', () => {
    const frames = squareFrames(30 * 12, 300, 329);
    const withMotion = new AdaptiveSampler(options);
    const accepted = acceptedIndices(frames, (f) => withMotion.accept(f));
    const before = accepted.filter((i) => i < 300);
    for (const gap of gaps(before).slice(-3)) expect(gap).toBeGreaterThanOrEqual(25);
    expect(accepted.filter((i) => i >= 300 && i < 330)).toEqual(range(10, (k) => 300 + 3 * k));

    const noMotion = new AdaptiveSampler({ ...options, motion: false });
    const blind = acceptedIndices(frames, (f) => noMotion.accept(f));
    const blindGaps = gaps(blind.filter((i) => i >= 240));
    expect(blindGaps.length).toBeGreaterThanOrEqual(3);
    for (const gap of blindGaps) expect(gap).toBeGreaterThanOrEqual(25);
  });

  it('starts over at maxFps on a backwards timestamp and on reset()', () => {
    const sampler = new AdaptiveSampler(options);
    const frames = quiet(30 * 10);
    acceptedIndices(frames, (f) => sampler.accept(f));
    expect(sampler.currentFps).toBeLessThan(1.1);
    const restarted = timedFrames(range(10, (i) => frameTime(i)));
    const fresh = new AdaptiveSampler(options);
    const expected = acceptedIndices(restarted, (f) => fresh.accept(f));
    expect(expected.slice(0, 2)).toEqual([0, 3]);
    expect(acceptedIndices(restarted, (f) => sampler.accept(f))).toEqual(expected);
    sampler.reset();
    expect(sampler.currentFps).toBe(10);
    expect(sampler.accept(restarted[9]!)).toBe(true);
  });

  it('throws TypeError for options out of range', () => {
    const bad: AdaptiveSamplerOptions[] = [
      { minFps: 0 },
      { minFps: -1 },
      { minFps: 5, maxFps: 2 },
      { maxFps: Number.POSITIVE_INFINITY },
      { halfLifeMs: 0 },
      { motionThreshold: 1.2 },
      { pixelThreshold: -3 },
      { width: 0 },
      { motion: 'yes' as unknown as boolean },
    ];
    for (const o of bad) expect(() => new AdaptiveSampler(o), JSON.stringify(o)).toThrow(TypeError);
    // A default bound gives way to the other one rather than throwing.
    expect(new AdaptiveSampler({ minFps: 20 }).options).toMatchObject({ minFps: 20, maxFps: 20 });
    expect(new AdaptiveSampler({ maxFps: 0.5 }).options).toMatchObject({ minFps: 0.5, maxFps: 0.5 });
    expect(new AdaptiveSampler().options).toEqual({
      minFps: 1,
      maxFps: 10,
      halfLifeMs: 2000,
      motion: true,
      motionThreshold: 0.005,
      pixelThreshold: 25,
      width: 64,
    });
  });
});

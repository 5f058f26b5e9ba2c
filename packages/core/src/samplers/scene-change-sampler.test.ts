import { describe, expect, it } from 'vitest';
import type { Frame, PixelFormat } from '../frame.js';
import { ALL_FORMATS, acceptedIndices, frameTime, renderFrame, withNoise, type Picture } from '../../test/helpers/synthetic-video.js';
import { bhattacharyyaDistance, GrayHistogram } from './gray-histogram.js';
import { SceneChangeSampler, type SceneChangeSamplerOptions } from './scene-change-sampler.js';

const W = 128;
const H = 72;
const level = (v: number) => [v, v, v] as const;

/** A dark horizontal gradient with a bright 12 px square moving 3 px a frame. */
const sceneA =
  (i: number): Picture =>
  (x, y) =>
    x >= 10 + 3 * i && x < 22 + 3 * i && y >= 30 && y < 42 ? level(240) : level(30 + Math.floor((x * 80) / W));
/** A bright diagonal pattern. */
const sceneB: Picture = (x, y) => level(150 + ((x + y) % 40) * 2);
/** Mid-gray and near-black checkerboard. */
const sceneC: Picture = (x, y) => ((x >> 3) + (y >> 3)) % 2 === 0 ? level(90) : level(10);

function cut(scenes: ((i: number) => Picture)[], lengths: number[], format: PixelFormat = 'gray'): Frame[] {
  const frames: Frame[] = [];
  scenes.forEach((scene, k) => {
    for (let i = 0; i < lengths[k]!; i++) {
      const n = frames.length;
      frames.push(renderFrame(scene(i), { width: W, height: H, format, timestamp: frameTime(n), seq: n }));
    }
  });
  return frames;
}

const run = (frames: Frame[], options: SceneChangeSamplerOptions = {}) => {
  const sampler = new SceneChangeSampler(options);
  return acceptedIndices(frames, (f) => sampler.accept(f));
};

describe('SceneChangeSampler', () => {
  it('accepts the first frame and the cut, not the motion inside a scene, in every pixel format', () => {
    for (const format of ALL_FORMATS) {
      expect(run(cut([sceneA, () => sceneB], [30, 30], format)), format).toEqual([0, 30]);
    }
  });

  it('holds back a second cut within minIntervalMs and takes the new scene once allowed', () => {
    const frames = cut([sceneA, () => sceneB, () => sceneC], [30, 3, 27]);
    expect(run(frames)).toEqual([0, 30, 33]);
    // Frame 33 is 100 ms after the cut at 30; frame 36 is 200 ms after and still differs from B.
    expect(run(frames, { minIntervalMs: 200 })).toEqual([0, 30, 36]);
  });

  it('ignores pixel noise and a one-level brightness change, and threshold decides the rest', () => {
    const noisy = Array.from({ length: 30 }, (_, i) =>
      renderFrame(withNoise(sceneB, 12, i + 1), { width: W, height: H, format: 'rgb', timestamp: frameTime(i) }),
    );
    expect(run(noisy)).toEqual([0]);

    const sampler = new SceneChangeSampler();
    sampler.accept(renderFrame(() => level(127), { width: W, height: H, format: 'gray', timestamp: 0 }));
    expect(sampler.accept(renderFrame(() => level(128), { width: W, height: H, format: 'gray', timestamp: 33 }))).toBe(false);
    expect(sampler.lastDistance).toBeGreaterThan(0);
    expect(sampler.lastDistance).toBeLessThan(0.1);
    expect(run(noisy, { threshold: 0 })).toHaveLength(30);
  });

  it('compares with the last accepted frame, so a slow drift is accepted once it adds up', () => {
    const frames = Array.from({ length: 60 }, (_, i) =>
      renderFrame(() => level(40 + i), { width: W, height: H, format: 'gray', timestamp: frameTime(i) }),
    );
    // One level a frame is far below the threshold between neighbours...
    const neighbours = new SceneChangeSampler({ threshold: 1 });
    neighbours.accept(frames[0]!);
    neighbours.accept(frames[1]!);
    expect(neighbours.lastDistance).toBeLessThan(0.15);
    // ...but adds up against the last accepted frame.
    const accepted = run(frames, { threshold: 0.5 });
    expect(accepted.length).toBeGreaterThan(3);
    expect(accepted.length).toBeLessThan(30);
  });

  it('reports the Bhattacharyya distance to the last accepted frame', () => {
    const sampler = new SceneChangeSampler({ threshold: 1 });
    const black = renderFrame(() => level(0), { width: W, height: H, format: 'gray', timestamp: 0 });
    sampler.accept(black);
    expect(sampler.lastDistance).toBeNaN();
    sampler.accept({ ...black, timestamp: 10 });
    expect(sampler.lastDistance).toBe(0);
    expect(sampler.accept({ ...renderFrame(() => level(255), { width: W, height: H, format: 'gray' }), timestamp: 20 })).toBe(true);
    expect(sampler.lastDistance).toBeCloseTo(1, 12);
  });

  it('starts over on reset(), on a backwards timestamp and on a new frame size', () => {
    const frames = cut([sceneA], [5]);
    const sampler = new SceneChangeSampler();
    expect(acceptedIndices(frames, (f) => sampler.accept(f))).toEqual([0]);
    sampler.reset();
    expect(sampler.accept(frames[4]!)).toBe(true);
    expect(sampler.accept({ ...frames[4]!, timestamp: 1 })).toBe(true);
    expect(sampler.accept({ ...frames[4]!, timestamp: 2 })).toBe(false);
    expect(sampler.accept(renderFrame(sceneA(0), { width: 64, height: 36, format: 'gray', timestamp: 3 }))).toBe(true);
  });

  it('throws TypeError for options out of range', () => {
    const bad: SceneChangeSamplerOptions[] = [{ threshold: -0.5 }, { threshold: 2 }, { bins: 1 }, { bins: 300 }, { bins: 7.5 }, { width: 0 }, { minIntervalMs: -1 }];
    for (const options of bad) expect(() => new SceneChangeSampler(options), JSON.stringify(options)).toThrow(TypeError);
    expect(new SceneChangeSampler().options).toEqual({ threshold: 0.3, bins: 32, width: 64, minIntervalMs: 0 });
  });
});

describe('GrayHistogram', () => {
  it('splits each level between the two nearest bins and sums to 1', () => {
    const histogram = new GrayHistogram(4); // bin centres at 32, 96, 160, 224
    // Levels outside the outer centres go whole to the outer bins.
    expect([...histogram.compute(new Uint8Array([0, 31, 224, 255]))]).toEqual([0.5, 0, 0, 0.5]);
    const between = histogram.compute(new Uint8Array([64]));
    expect(between[0]! + between[1]!).toBeCloseTo(1, 12);
    expect(between[0]).toBeCloseTo(0.5 - 1 / 128, 12);
  });

  it('gives distance 0 for equal histograms and 1 for disjoint ones', () => {
    const histogram = new GrayHistogram(32);
    const a = histogram.compute(new Uint8Array([10, 20, 200]));
    expect(bhattacharyyaDistance(a, histogram.compute(new Uint8Array([200, 20, 10])))).toBe(0);
    expect(bhattacharyyaDistance(histogram.compute(new Uint8Array([0])), histogram.compute(new Uint8Array([255])))).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { acceptedIndices, frameTime, timedFrames } from '../../test/helpers/synthetic-video.js';
import { EveryNSampler } from './every-n-sampler.js';

const frames = timedFrames(Array.from({ length: 12 }, (_, i) => frameTime(i)));

describe('EveryNSampler', () => {
  it('accepts frames 0, n, 2n, ...', () => {
    const sampler = new EveryNSampler({ n: 3 });
    expect(sampler.name).toBe('every-n');
    expect(acceptedIndices(frames, (f) => sampler.accept(f))).toEqual([0, 3, 6, 9]);
    expect(acceptedIndices(frames, (f) => new EveryNSampler({ n: 5 }).accept(f))).toEqual(frames.map((_, i) => i));
  });

  it('accepts every frame with n = 1 (the default)', () => {
    const sampler = new EveryNSampler();
    expect(sampler.n).toBe(1);
    expect(acceptedIndices(frames, (f) => sampler.accept(f))).toHaveLength(12);
  });

  it('counts frames as given, not by seq, and restarts on reset()', () => {
    const sampler = new EveryNSampler({ n: 4 });
    const gappy = frames.map((f, i) => ({ ...f, seq: i * 7 + 3 }));
    expect(acceptedIndices(gappy.slice(0, 6), (f) => sampler.accept(f))).toEqual([0, 4]);
    sampler.reset();
    expect(acceptedIndices(gappy.slice(0, 6), (f) => sampler.accept(f))).toEqual([0, 4]);
  });

  it('throws TypeError for n < 1 or not an integer', () => {
    for (const n of [0, -2, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3' as unknown as number]) {
      expect(() => new EveryNSampler({ n })).toThrow(TypeError);
    }
  });
});

import { describe, expect, it } from 'vitest';
import * as core from '@vidai/core';
import { acceptedIndices, frameTime, timedFrames } from '../../test/helpers/synthetic-video.js';
import { AdaptiveSampler } from './adaptive-sampler.js';
import { createSampler, isSamplerKind, samplerKinds, type SamplerKind } from './create-sampler.js';
import { EveryNSampler } from './every-n-sampler.js';
import { FpsSampler } from './fps-sampler.js';
import { MotionSampler } from './motion-sampler.js';
import { SceneChangeSampler } from './scene-change-sampler.js';

describe('createSampler', () => {
  it('makes each kind, named after the kind', () => {
    const classes = { 'every-n': EveryNSampler, fps: FpsSampler, motion: MotionSampler, adaptive: AdaptiveSampler, scene: SceneChangeSampler };
    expect([...samplerKinds].sort()).toEqual(Object.keys(classes).sort());
    for (const kind of samplerKinds) {
      const sampler = createSampler(kind);
      expect(sampler).toBeInstanceOf(classes[kind]);
      expect(sampler.name).toBe(kind);
      expect(typeof sampler.reset).toBe('function');
      expect(isSamplerKind(kind)).toBe(true);
    }
    expect(isSamplerKind('every')).toBe(false);
    expect(isSamplerKind(3)).toBe(false);
  });

  it('passes the options through', () => {
    const frames = timedFrames(Array.from({ length: 12 }, (_, i) => frameTime(i)));
    const everyFour = createSampler('every-n', { n: 4 });
    expect(acceptedIndices(frames, (f) => everyFour.accept(f))).toEqual([0, 4, 8]);
    const fps = createSampler('fps', { fps: 5 });
    expect(acceptedIndices(frames, (f) => fps.accept(f))).toEqual([0, 6]);
    expect(createSampler('motion', { cooldownMs: 0 }).options.cooldownMs).toBe(0);
    expect(createSampler('adaptive', { maxFps: 20 }).options.maxFps).toBe(20);
    expect(createSampler('scene', { bins: 16 }).options.bins).toBe(16);
  });

  it('throws TypeError for bad options and unknown kinds', () => {
    expect(() => createSampler('fps', { fps: -1 })).toThrow(TypeError);
    expect(() => createSampler('fps', { fps: 0 })).toThrow(/option fps must be a finite number > 0, got 0/);
    expect(() => createSampler('every-n', { n: 0 })).toThrow(/option n must be an integer >= 1/);
    expect(() => createSampler('motion', { threshold: 1.1 })).toThrow(/threshold must be a finite number >= 0 <= 1/);
    expect(() => createSampler('scene', { threshold: -0.1 })).toThrow(TypeError);
    expect(() => createSampler('adaptive', { minFps: -2 })).toThrow(TypeError);
    expect(() => createSampler('every-n', null as never)).toThrow(TypeError);
    expect(() => createSampler('random' as SamplerKind)).toThrow(/Unknown sampler kind "random"; use one of every-n, fps, motion, adaptive, scene/);
  });

  it('is exported from @vidai/core with every sampler and grayThumbnail', () => {
    for (const name of [
      'createSampler',
      'samplerKinds',
      'isSamplerKind',
      'EveryNSampler',
      'FpsSampler',
      'MotionSampler',
      'AdaptiveSampler',
      'SceneChangeSampler',
      'grayThumbnail',
      'grayThumbnailSize',
    ]) {
      expect(core, name).toHaveProperty(name);
    }
    expect(core.createSampler('fps')).toBeInstanceOf(core.FpsSampler);
  });
});

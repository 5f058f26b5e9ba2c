import { describe, expectTypeOf, it } from 'vitest';
import { AdaptiveSampler, createSampler, type FpsSampler, type MotionSampler, type Sampler, type SamplerKind } from '@vidai/core';

describe('createSampler types', () => {
  it('returns the class of the kind and checks its options', () => {
    expectTypeOf(createSampler('fps', { fps: 5 })).toEqualTypeOf<FpsSampler>();
    expectTypeOf(createSampler('motion')).toEqualTypeOf<MotionSampler>();
    expectTypeOf(createSampler('adaptive', { minFps: 1 })).toExtend<Sampler>();
    expectTypeOf(createSampler('adaptive').observe).toBeFunction();
    expectTypeOf<SamplerKind>().toEqualTypeOf<'every-n' | 'fps' | 'motion' | 'adaptive' | 'scene'>();
    expectTypeOf(createSampler).parameter(0).toEqualTypeOf<SamplerKind>();
    expectTypeOf(new AdaptiveSampler().currentFps).toBeNumber();

    // @ts-expect-error options of another kind
    createSampler('fps', { n: 3 });
    // @ts-expect-error unknown kind
    createSampler('every');
    // @ts-expect-error a string where a number goes
    createSampler('motion', { threshold: '0.1' });
  });
});

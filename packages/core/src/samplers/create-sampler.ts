import type { Sampler } from '../sampler.js';
import { AdaptiveSampler, type AdaptiveSamplerOptions } from './adaptive-sampler.js';
import { EveryNSampler, type EveryNSamplerOptions } from './every-n-sampler.js';
import { FpsSampler, type FpsSamplerOptions } from './fps-sampler.js';
import { MotionSampler, type MotionSamplerOptions } from './motion-sampler.js';
import { SceneChangeSampler, type SceneChangeSamplerOptions } from './scene-change-sampler.js';

/** The options of each kind of sampler {@link createSampler} makes. */
export interface SamplerOptionsByKind {
  /** {@link EveryNSampler}. */
  'every-n': EveryNSamplerOptions;
  /** {@link FpsSampler}. */
  fps: FpsSamplerOptions;
  /** {@link MotionSampler}. */
  motion: MotionSamplerOptions;
  /** {@link AdaptiveSampler}. */
  adaptive: AdaptiveSamplerOptions;
  /** {@link SceneChangeSampler}. */
  scene: SceneChangeSamplerOptions;
}

/** The sampler class each kind of {@link createSampler} makes. */
export interface SamplerByKind {
  /** {@link EveryNSampler}. */
  'every-n': EveryNSampler;
  /** {@link FpsSampler}. */
  fps: FpsSampler;
  /** {@link MotionSampler}. */
  motion: MotionSampler;
  /** {@link AdaptiveSampler}. */
  adaptive: AdaptiveSampler;
  /** {@link SceneChangeSampler}. */
  scene: SceneChangeSampler;
}

/** A kind of sampler by the name the CLI and configs use: `every-n`, `fps`, `motion`, `adaptive`, `scene`. */
export type SamplerKind = keyof SamplerOptionsByKind;

/** Every {@link SamplerKind}, for help texts and validating user input. */
export const samplerKinds: readonly SamplerKind[] = Object.freeze(['every-n', 'fps', 'motion', 'adaptive', 'scene']);

/** True when `value` names a {@link SamplerKind}. */
export function isSamplerKind(value: unknown): value is SamplerKind {
  return typeof value === 'string' && (samplerKinds as readonly string[]).includes(value);
}

/**
 * Makes a sampler by kind. The returned sampler's `name` is the kind.
 *
 * @param kind - `every-n` ({@link EveryNSampler}), `fps` ({@link FpsSampler}),
 *   `motion` ({@link MotionSampler}), `adaptive` ({@link AdaptiveSampler}) or
 *   `scene` ({@link SceneChangeSampler}).
 * @param options - that sampler's options; omitted fields take their defaults.
 * @throws TypeError for an unknown kind or a bad option (a negative or zero fps,
 *   `n` < 1, a threshold outside 0..1, ...).
 *
 * @example
 * ```ts
 * const sampler = createSampler('motion', { threshold: 0.01, maxIntervalMs: 2000 });
 * for await (const frame of source) if (sampler.accept(frame)) await detector.detect(frame);
 * ```
 */
export function createSampler<K extends SamplerKind>(kind: K, options?: SamplerOptionsByKind[K]): SamplerByKind[K];
export function createSampler(kind: SamplerKind, options?: SamplerOptionsByKind[SamplerKind]): Sampler {
  switch (kind) {
    case 'every-n':
      return new EveryNSampler(options as EveryNSamplerOptions | undefined);
    case 'fps':
      return new FpsSampler(options as FpsSamplerOptions | undefined);
    case 'motion':
      return new MotionSampler(options as MotionSamplerOptions | undefined);
    case 'adaptive':
      return new AdaptiveSampler(options as AdaptiveSamplerOptions | undefined);
    case 'scene':
      return new SceneChangeSampler(options as SceneChangeSamplerOptions | undefined);
    default:
      throw new TypeError(`Unknown sampler kind ${JSON.stringify(kind)}; use one of ${samplerKinds.join(', ')}.`);
  }
}

import type { Frame } from '../frame.js';
import type { Sampler } from '../sampler.js';
import { checkOptionsObject, numberOption } from './sampler-options.js';

/** Options of {@link EveryNSampler}. */
export interface EveryNSamplerOptions {
  /** Accept one frame in every `n` (an integer >= 1). Default 1 (every frame). */
  n?: number;
}

/**
 * Accepts the 1st frame it is given and then every `n`-th one: frames 0, n, 2n, ...
 * counted in the order they reach the sampler (gaps in `seq` do not matter).
 *
 * @example
 * ```ts
 * const sampler = new EveryNSampler({ n: 5 }); // frames 0, 5, 10, ...
 * if (sampler.accept(frame)) await detector.detect(frame);
 * ```
 */
export class EveryNSampler implements Sampler {
  /** Always `every-n`. */
  readonly name = 'every-n';
  /** The `n` in use. */
  readonly n: number;
  private count = 0;

  /** @throws TypeError when `n` is not an integer >= 1. */
  constructor(options: EveryNSamplerOptions = {}) {
    checkOptionsObject('every-n', options);
    this.n = numberOption('every-n', 'n', options.n, 1, { min: 1, integer: true });
  }

  /** Returns true for frames 0, n, 2n, ... since construction or the last {@link reset}. */
  accept(_frame: Frame): boolean {
    const accepted = this.count === 0;
    this.count = (this.count + 1) % this.n;
    return accepted;
  }

  /** Starts counting again: the next frame is accepted. */
  reset(): void {
    this.count = 0;
  }
}

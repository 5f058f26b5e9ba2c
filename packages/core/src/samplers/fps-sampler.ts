import type { Frame } from '../frame.js';
import type { Sampler } from '../sampler.js';
import { FrameSchedule } from './frame-schedule.js';
import { checkOptionsObject, numberOption } from './sampler-options.js';

/** Options of {@link FpsSampler}. */
export interface FpsSamplerOptions {
  /** Most frames accepted per second of frame time (> 0, may be fractional). Default 10. */
  fps?: number;
}

/**
 * Caps the rate of accepted frames at `fps` per second of frame time
 * (`frame.timestamp`, ms), keeping a fractional schedule: 30 fps input capped at 10
 * gives exactly every 3rd frame, 25 fps capped at 10 gives 10 frames a second on
 * average without drift, and an input slower than the cap passes whole. The
 * accepted frame for each slot is the one nearest the slot's time, so timestamps
 * rounded to whole ms or a little jitter do not shift the pattern. When timestamps
 * go backwards (the source restarted) the sampler starts over and accepts that
 * frame; after a pause it restarts the schedule instead of bursting.
 *
 * @example
 * ```ts
 * const sampler = new FpsSampler({ fps: 5 });
 * ```
 */
export class FpsSampler implements Sampler {
  /** Always `fps`. */
  readonly name = 'fps';
  /** The cap in frames per second. */
  readonly fps: number;
  private readonly intervalMs: number;
  private readonly schedule = new FrameSchedule();

  /** @throws TypeError when `fps` is not a finite number > 0. */
  constructor(options: FpsSamplerOptions = {}) {
    checkOptionsObject('fps', options);
    this.fps = numberOption('fps', 'fps', options.fps, 10, { min: 0, exclusiveMin: true });
    this.intervalMs = 1000 / this.fps;
  }

  /** Returns true when the frame falls in the next slot of the schedule. */
  accept(frame: Frame): boolean {
    if (frame.timestamp < this.schedule.last) this.schedule.reset();
    return this.schedule.tick(frame.timestamp, this.intervalMs);
  }

  /** Forgets the schedule: the next frame is accepted. */
  reset(): void {
    this.schedule.reset();
  }
}

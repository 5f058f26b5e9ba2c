import type { DetectionResult } from './detection.js';
import type { Frame } from './frame.js';

/**
 * Decides which frames reach the detector. A sampler is a small deterministic
 * object: given the same frames (and results) it makes the same decisions.
 */
export interface Sampler {
  /** A short name for logs and metrics (`every-n`, `fps`, `motion`, ...). */
  readonly name: string;
  /** Returns true when `frame` should be detected. Called once per frame, in order. */
  accept(frame: Frame): boolean;
  /** Receives each detection result, for samplers that adapt to what is found. */
  observe?(result: DetectionResult): void;
  /** Forgets all state (for example after a source reconnects). */
  reset?(): void;
}

/** A sampler that accepts every frame. */
export const acceptAll: Sampler = { name: 'all', accept: () => true };

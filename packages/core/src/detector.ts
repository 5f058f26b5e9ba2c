import type { DetectionResult } from './detection.js';
import type { Frame } from './frame.js';
import { ErrorCodes, VidaiError } from './errors.js';

/** Anything that turns a frame into detections. */
export interface Detector {
  /**
   * Detects objects in `frame`; boxes come back in the frame's pixel coordinates (its
   * display pixels when it has `displayWidth`/`displayHeight`).
   */
  detect(frame: Frame, options?: DetectOptions): Promise<DetectionResult>;
  /** Releases the detector (and the session, when the detector owns it). Safe to call twice. */
  close(): Promise<void>;
}

/** Per-call overrides of a detector's thresholds. */
export interface DetectOptions {
  /** Minimum score in 0..1 (default: the detector's `scoreThreshold`). */
  scoreThreshold?: number;
  /** IoU threshold of NMS in 0..1 (default: the detector's `iouThreshold`). */
  iouThreshold?: number;
  /** Abort the detection; the promise rejects with code `aborted`. */
  signal?: AbortSignal;
}

/**
 * Checks the options of one `detect()` call: an already aborted signal gives the
 * `aborted` error, and thresholds must be numbers in 0..1 (a `TypeError` otherwise).
 */
export function checkDetectOptions(options: DetectOptions): void {
  if (options.signal?.aborted) throw abortedError(options.signal);
  if (options.scoreThreshold !== undefined) checkUnitInterval('scoreThreshold', options.scoreThreshold);
  if (options.iouThreshold !== undefined) checkUnitInterval('iouThreshold', options.iouThreshold);
}

/** The error a detection rejects with when its `signal` aborts. */
export function abortedError(signal: AbortSignal): VidaiError {
  return new VidaiError(ErrorCodes.ABORTED, 'Detection was aborted.', { cause: signal.reason });
}

/** `value`, when it is a number in 0..1; a `TypeError` naming `name` otherwise. @internal */
export function checkUnitInterval(name: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new TypeError(`${name} must be a number in 0..1, got ${value}`);
  return value;
}

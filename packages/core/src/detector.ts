import type { DetectionResult } from './detection.js';
import type { Frame } from './frame.js';

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

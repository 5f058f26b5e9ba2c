/** A box in pixels as `[x1, y1, x2, y2]` (top-left and bottom-right corners). */
export type Box = [x1: number, y1: number, x2: number, y2: number];

/** One detected object. `box` is in source-frame pixel coordinates. */
export interface Detection {
  /** `[x1, y1, x2, y2]` in the pixels of the frame given to the detector. */
  box: Box;
  /** Confidence in 0..1 (objectness x class probability for YOLOX/YOLOv5). */
  score: number;
  /** Index into the model's labels. */
  classId: number;
  /** Human-readable class name, or `class <id>` when the model has no labels. */
  label: string;
}

/** Time spent in each stage of one detection, in milliseconds. */
export interface StageTimings {
  /** Letterbox, resize and normalization. */
  preprocess: number;
  /** `session.run`. */
  inference: number;
  /** Output decoding and NMS. */
  postprocess: number;
  /** Other stages reported by sources and transports (decode, transport, ...). */
  [stage: string]: number;
}

/** The result of detecting one frame: plain, serializable data. */
export interface DetectionResult {
  /** The frame's `seq`. */
  seq: number;
  /** The frame's `timestamp` (ms), so a result can be paired with its frame. */
  timestamp: number;
  /**
   * Width of the source frame in pixels, its `displayWidth` when it has one (the
   * coordinate space of the boxes).
   */
  width: number;
  /** Height of the source frame in pixels, its `displayHeight` when it has one. */
  height: number;
  /** Detections, highest score first. */
  detections: Detection[];
  /** Per-stage timings in ms. */
  timings: StageTimings;
}

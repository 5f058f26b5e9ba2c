/** Options shared by the YOLO output decoders. */
export interface DecoderOptions {
  /** Candidates scoring below this are skipped while decoding. 0..1, default 0.25. */
  scoreThreshold?: number;
  /**
   * Class allowlist as a mask indexed by class id: a candidate whose best class has a
   * falsy entry (or no entry) is skipped. Default: every class is kept.
   */
  classMask?: ArrayLike<number | boolean>;
}

/** Default score threshold of the decoders and the detector (0.25). */
export const DEFAULT_SCORE_THRESHOLD = 0.25;

/**
 * Index of the largest of `count` class scores stored from `output[start]` (the first
 * one on ties). Shared by the decoders' hot loops; small enough for V8 to inline.
 * @internal
 */
export function bestClass(output: Float32Array, start: number, count: number): number {
  let best = 0;
  let bestValue = output[start]!;
  for (let c = 1; c < count; c++) {
    const v = output[start + c]!;
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

/**
 * A growable set of detection candidates stored in flat typed arrays: the
 * decoders write into it and NMS reads from it, so a frame with thousands of
 * anchors allocates no object per anchor and a detector can reuse one set for
 * every frame.
 *
 * Boxes are `[x1, y1, x2, y2]` in MODEL input pixels (the letterboxed tensor),
 * not in source-frame pixels.
 *
 * @example
 * ```ts
 * const candidates = new DetectionCandidates();
 * decodeYolov8(output, dims, { scoreThreshold: 0.25 }, candidates);
 * for (let i = 0; i < candidates.count; i++) console.log(candidates.scores[i]);
 * ```
 */
export class DetectionCandidates {
  /** Number of candidates held; entries at and past `count` are stale. */
  count = 0;
  /** `count * 4` numbers: `x1, y1, x2, y2` of each candidate, in model pixels. */
  boxes: Float32Array;
  /** Score of each candidate, 0..1. */
  scores: Float32Array;
  /** Class id of each candidate. */
  classIds: Int32Array;

  /** @param capacity - initial number of candidates the arrays hold (default 256); they grow as needed. */
  constructor(capacity = 256) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError(`capacity must be a positive integer, got ${capacity}`);
    this.boxes = new Float32Array(capacity * 4);
    this.scores = new Float32Array(capacity);
    this.classIds = new Int32Array(capacity);
  }

  /** Number of candidates the arrays can hold before growing. */
  get capacity(): number {
    return this.scores.length;
  }

  /** Empties the set, keeping its storage. */
  clear(): void {
    this.count = 0;
  }

  /** Appends one candidate (box corners in model pixels). */
  push(x1: number, y1: number, x2: number, y2: number, score: number, classId: number): void {
    if (this.count === this.scores.length) this.grow();
    const i = this.count++;
    const b = i * 4;
    this.boxes[b] = x1;
    this.boxes[b + 1] = y1;
    this.boxes[b + 2] = x2;
    this.boxes[b + 3] = y2;
    this.scores[i] = score;
    this.classIds[i] = classId;
  }

  private grow(): void {
    const capacity = this.scores.length * 2;
    const boxes = new Float32Array(capacity * 4);
    boxes.set(this.boxes);
    const scores = new Float32Array(capacity);
    scores.set(this.scores);
    const classIds = new Int32Array(capacity);
    classIds.set(this.classIds);
    this.boxes = boxes;
    this.scores = scores;
    this.classIds = classIds;
  }
}

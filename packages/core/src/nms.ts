import type { DetectionCandidates } from './candidates.js';

/** Options of {@link nonMaxSuppression}. */
export interface NmsOptions {
  /**
   * A candidate is suppressed when its IoU with a kept, higher-scoring candidate
   * (of the same class unless `agnostic`) is greater than this. 0..1, default 0.45.
   */
  iouThreshold?: number;
  /**
   * Candidates scoring below this are dropped before anything else. 0..1, default 0
   * (keep all: the decoders already apply the detector's score threshold).
   */
  scoreThreshold?: number;
  /**
   * Only the `topK` highest-scoring candidates take part in suppression; the rest
   * are dropped. Bounds the work on frames with many candidates. Default 1000.
   */
  topK?: number;
  /** At most this many candidates are kept. Default 100. */
  maxDetections?: number;
  /**
   * When true, boxes suppress each other whatever their class (class-agnostic NMS).
   * Default false: only boxes of the same class suppress each other.
   */
  agnostic?: boolean;
}

/** Default IoU threshold of NMS (0.45). */
export const DEFAULT_IOU_THRESHOLD = 0.45;
/** Default number of candidates that take part in NMS (1000). */
export const DEFAULT_NMS_TOP_K = 1000;
/** Default maximum number of detections kept per frame (100). */
export const DEFAULT_MAX_DETECTIONS = 100;

/**
 * Greedy non-maximum suppression over a candidate set.
 *
 * Candidates are first filtered by score, their indices sorted by score (highest
 * first, ties by index) and cut to `topK`; each remaining candidate is then compared
 * only with the boxes already kept (at most `maxDetections`), so the cost is
 * O(n log n + topK x maxDetections), never quadratic in the raw candidates.
 *
 * @returns indices into `candidates` of the kept boxes, highest score first.
 *
 * @example
 * ```ts
 * const keep = nonMaxSuppression(candidates, { iouThreshold: 0.45 });
 * for (const i of keep) console.log(candidates.classIds[i], candidates.scores[i]);
 * ```
 */
export function nonMaxSuppression(candidates: DetectionCandidates, options: NmsOptions = {}): Int32Array {
  const iouThreshold = options.iouThreshold ?? DEFAULT_IOU_THRESHOLD;
  const scoreThreshold = options.scoreThreshold ?? 0;
  const topK = options.topK ?? DEFAULT_NMS_TOP_K;
  const maxDetections = options.maxDetections ?? DEFAULT_MAX_DETECTIONS;
  const agnostic = options.agnostic ?? false;
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new TypeError(`iouThreshold must be in 0..1, got ${iouThreshold}`);
  if (!Number.isInteger(topK) || topK < 0) throw new TypeError(`topK must be a non-negative integer, got ${topK}`);
  if (!Number.isInteger(maxDetections) || maxDetections < 0) {
    throw new TypeError(`maxDetections must be a non-negative integer, got ${maxDetections}`);
  }

  const { boxes, scores, classIds, count } = candidates;
  const order = new Uint32Array(count);
  let n = 0;
  for (let i = 0; i < count; i++) if (scores[i]! >= scoreThreshold) order[n++] = i;
  const sorted = order.subarray(0, n).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const limit = Math.min(n, topK);

  const kept = new Int32Array(Math.min(limit, maxDetections));
  const keptAreas = new Float32Array(kept.length);
  let k = 0;
  for (let s = 0; s < limit && k < kept.length; s++) {
    const i = sorted[s]!;
    const b = i * 4;
    const x1 = boxes[b]!;
    const y1 = boxes[b + 1]!;
    const x2 = boxes[b + 2]!;
    const y2 = boxes[b + 3]!;
    const area = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
    const cls = classIds[i]!;
    let suppressed = false;
    for (let j = 0; j < k; j++) {
      const kj = kept[j]!;
      if (!agnostic && classIds[kj] !== cls) continue;
      const kb = kj * 4;
      const w = Math.min(x2, boxes[kb + 2]!) - Math.max(x1, boxes[kb]!);
      if (w <= 0) continue;
      const h = Math.min(y2, boxes[kb + 3]!) - Math.max(y1, boxes[kb + 1]!);
      if (h <= 0) continue;
      const inter = w * h;
      const union = area + keptAreas[j]! - inter;
      if (union > 0 && inter / union > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) {
      keptAreas[k] = area;
      kept[k++] = i;
    }
  }
  return kept.subarray(0, k);
}

/**
 * Intersection over union of two `[x1, y1, x2, y2]` boxes (0 when they do not
 * overlap or both are empty).
 */
export function boxIou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const w = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!);
  const h = Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return union > 0 ? inter / union : 0;
}

import { DEFAULT_SCORE_THRESHOLD, DetectionCandidates, bestClass, type DecoderOptions } from './candidates.js';
import { checkOutputSize, formatDims } from './output-shape.js';
import { ErrorCodes, VidaiError } from './errors.js';

/**
 * Decodes a YOLOv5-style output `[1, A, 5 + C]`: each row is `cx, cy, w, h` in model
 * pixels, then objectness, then C class probabilities (all already decoded and
 * passed through a sigmoid by the export). Score = objectness x best class probability;
 * one candidate per row (its best class). Also decodes YOLOX exports made with
 * `decode_in_inference`, YOLOv7 and other anchor-based exports of the same layout.
 *
 * Rows whose objectness is below the threshold are skipped before the class scan
 * (class probabilities are at most 1, so their score cannot reach it).
 *
 * @param output - the raw output tensor data.
 * @param dims - its dims, `[1, A, 5 + C]` (or `[A, 5 + C]`).
 * @param out - a candidate set to reuse; it is cleared first. Default: a new one.
 * @returns the candidates, boxes `[x1, y1, x2, y2]` in model input pixels.
 */
export function decodeYolov5(
  output: Float32Array,
  dims: readonly number[],
  options: DecoderOptions = {},
  out: DetectionCandidates = new DetectionCandidates(),
): DetectionCandidates {
  const [rows, width] = rowLayout(dims, 'YOLOv5');
  checkOutputSize(output, dims);
  const threshold = options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  const mask = options.classMask;
  const numClasses = width - 5;
  out.clear();
  for (let r = 0, base = 0; r < rows; r++, base += width) {
    const objectness = output[base + 4]!;
    if (objectness < threshold) continue;
    const best = bestClass(output, base + 5, numClasses);
    const score = objectness * output[base + 5 + best]!;
    if (score < threshold || (mask !== undefined && !mask[best])) continue;
    const cx = output[base]!;
    const cy = output[base + 1]!;
    const hw = output[base + 2]! / 2;
    const hh = output[base + 3]! / 2;
    out.push(cx - hw, cy - hh, cx + hw, cy + hh, score, best);
  }
  return out;
}

/**
 * Rows and row width of a `[1, A, 5 + C]` output; throws `model-shape-mismatch`
 * for any other shape.
 * @internal
 */
export function rowLayout(dims: readonly number[], family: string): [rows: number, width: number] {
  const d = dims.length === 2 ? [1, ...dims] : dims;
  if (d.length !== 3 || d[0] !== 1 || !(d[2]! >= 6)) {
    throw new VidaiError(
      ErrorCodes.MODEL_SHAPE_MISMATCH,
      `Model output shape ${formatDims(dims)} is not a ${family} output [1, anchors, 5 + classes]; ` +
        `check the model or pass the family that matches it.`,
      { details: { dims: [...dims], family } },
    );
  }
  return [d[1]!, d[2]!];
}

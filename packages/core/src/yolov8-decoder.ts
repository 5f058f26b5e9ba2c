import { DEFAULT_SCORE_THRESHOLD, DetectionCandidates, type DecoderOptions } from './candidates.js';
import { ErrorCodes, VidaiError } from './errors.js';
import { checkOutputSize, formatDims } from './output-shape.js';

/**
 * Decodes a YOLOv8 / YOLO11 output `[1, 4 + C, N]`: channel-major, so anchor `j` has
 * `cx, cy, w, h` (model pixels) at `output[k * N + j]` for k = 0..3 and its C class
 * scores after them. There is no objectness: score = best class score; one candidate
 * per anchor (its best class). Reading anchor by anchor walks C rows side by side,
 * which stays within a few cache lines per step.
 *
 * @param output - the raw output tensor data.
 * @param dims - its dims, `[1, 4 + C, N]` (or `[4 + C, N]`).
 * @param out - a candidate set to reuse; it is cleared first. Default: a new one.
 * @returns the candidates, boxes `[x1, y1, x2, y2]` in model input pixels.
 */
export function decodeYolov8(
  output: Float32Array,
  dims: readonly number[],
  options: DecoderOptions = {},
  out: DetectionCandidates = new DetectionCandidates(),
): DetectionCandidates {
  const d = dims.length === 2 ? [1, ...dims] : dims;
  if (d.length !== 3 || d[0] !== 1 || !(d[1]! >= 5)) {
    throw new VidaiError(
      ErrorCodes.MODEL_SHAPE_MISMATCH,
      `Model output shape ${formatDims(dims)} is not a YOLOv8 output [1, 4 + classes, anchors]; ` +
        `check the model or pass the family that matches it.`,
      { details: { dims: [...dims], family: 'yolov8' } },
    );
  }
  checkOutputSize(output, dims);
  const channels = d[1]!;
  const n = d[2]!;
  const numClasses = channels - 4;
  const threshold = options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  const mask = options.classMask;
  const classBase = 4 * n;
  out.clear();
  for (let j = 0; j < n; j++) {
    let best = 0;
    let score = output[classBase + j]!;
    for (let c = 1, k = classBase + n + j; c < numClasses; c++, k += n) {
      const p = output[k]!;
      if (p > score) {
        score = p;
        best = c;
      }
    }
    if (score < threshold || (mask !== undefined && !mask[best])) continue;
    const cx = output[j]!;
    const cy = output[n + j]!;
    const hw = output[2 * n + j]! / 2;
    const hh = output[3 * n + j]! / 2;
    out.push(cx - hw, cy - hh, cx + hw, cy + hh, score, best);
  }
  return out;
}

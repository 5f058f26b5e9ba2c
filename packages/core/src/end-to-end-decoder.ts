import { DEFAULT_SCORE_THRESHOLD, DetectionCandidates, type DecoderOptions } from './candidates.js';
import { ErrorCodes, VidaiError } from './errors.js';
import { checkOutputSize, formatDims } from './output-shape.js';

/**
 * Column layouts of end-to-end outputs:
 * - `'xyxy-score-class'`: `x1, y1, x2, y2, score, class` (YOLOv10, Ultralytics
 *   `nms=True` exports; 6 columns);
 * - `'batch-xyxy-class-score'`: `batch, x1, y1, x2, y2, class, score` (YOLOv7
 *   `--end2end` ONNX Runtime exports; 7 columns).
 */
export type EndToEndLayout = 'xyxy-score-class' | 'batch-xyxy-class-score';

/** Options of {@link decodeEndToEnd}. */
export interface EndToEndDecodeOptions extends DecoderOptions {
  /** Column layout. Default: `'xyxy-score-class'` for 6 columns, `'batch-xyxy-class-score'` for 7. */
  layout?: EndToEndLayout;
}

/**
 * Decodes the output of a model that includes its own NMS, `[1, N, 6]` or `[1, N, 7]`
 * (see {@link EndToEndLayout}): boxes are already final, so only the score threshold
 * and the class mask apply, and the result needs no further NMS. Rows of padding
 * (score 0) are skipped by the threshold.
 *
 * @param dims - `[1, N, 6 | 7]` or `[N, 6 | 7]`.
 * @param out - a candidate set to reuse; it is cleared first. Default: a new one.
 * @returns the candidates, boxes `[x1, y1, x2, y2]` in model input pixels, in model order.
 */
export function decodeEndToEnd(
  output: Float32Array,
  dims: readonly number[],
  options: EndToEndDecodeOptions = {},
  out: DetectionCandidates = new DetectionCandidates(),
): DetectionCandidates {
  const d = dims.length === 2 ? [1, ...dims] : dims;
  const width = d[2];
  if (d.length !== 3 || d[0] !== 1 || (width !== 6 && width !== 7)) {
    throw new VidaiError(
      ErrorCodes.MODEL_SHAPE_MISMATCH,
      `Model output shape ${formatDims(dims)} is not an end-to-end output [1, detections, 6 | 7]; ` +
        `check the model or pass the family that matches it.`,
      { details: { dims: [...dims], family: 'end-to-end' } },
    );
  }
  checkOutputSize(output, dims);
  const layout = options.layout ?? (width === 6 ? 'xyxy-score-class' : 'batch-xyxy-class-score');
  const boxAt = layout === 'xyxy-score-class' ? 0 : 1;
  const scoreAt = layout === 'xyxy-score-class' ? 4 : 6;
  const classAt = 5;
  if (width < (layout === 'xyxy-score-class' ? 6 : 7)) {
    throw new VidaiError(ErrorCodes.MODEL_SHAPE_MISMATCH, `Layout '${layout}' needs 7 columns; the output ${formatDims(dims)} has ${width}.`, {
      details: { dims: [...dims], layout },
    });
  }
  const threshold = options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  const mask = options.classMask;
  const rows = d[1]!;
  out.clear();
  for (let r = 0, base = 0; r < rows; r++, base += width) {
    const score = output[base + scoreAt]!;
    if (!(score >= threshold)) continue;
    const classId = Math.round(output[base + classAt]!);
    if (classId < 0 || (mask !== undefined && !mask[classId])) continue;
    const b = base + boxAt;
    out.push(output[b]!, output[b + 1]!, output[b + 2]!, output[b + 3]!, score, classId);
  }
  return out;
}

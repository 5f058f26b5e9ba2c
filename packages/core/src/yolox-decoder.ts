import { DEFAULT_SCORE_THRESHOLD, DetectionCandidates, bestClass, type DecoderOptions } from './candidates.js';
import { ErrorCodes, VidaiError } from './errors.js';
import { checkOutputSize, formatDims } from './output-shape.js';
import { decodeYolov5, rowLayout } from './yolov5-decoder.js';

/** The strides of the three YOLOX (and YOLOv5/v8) detection heads, in model pixels. */
export const DEFAULT_STRIDES: readonly number[] = Object.freeze([8, 16, 32]);

/** Options of {@link decodeYolox}. */
export interface YoloxDecodeOptions extends DecoderOptions {
  /** Width of the model input in pixels (e.g. 416). */
  inputWidth: number;
  /** Height of the model input in pixels (e.g. 416). */
  inputHeight: number;
  /** Strides of the heads, in the order the export concatenates them. Default `[8, 16, 32]`. */
  strides?: readonly number[];
  /**
   * True when the export already decoded the boxes (`decode_in_inference`): rows are
   * then `cx, cy, w, h` in model pixels and no grid decode is done. Default false
   * (the raw head output of the official YOLOX ONNX files).
   */
  decoded?: boolean;
}

/**
 * Number of anchor points of an anchor-free head: the sum over `strides` of
 * `ceil(height / s) x ceil(width / s)` (3549 for 416x416, 8400 for 640x640).
 */
export function anchorPointCount(inputWidth: number, inputHeight: number, strides: readonly number[] = DEFAULT_STRIDES): number {
  let n = 0;
  for (const s of strides) n += Math.ceil(inputHeight / s) * Math.ceil(inputWidth / s);
  return n;
}

/**
 * Decodes a YOLOX output `[1, A, 5 + C]`. Each row is the raw regression
 * `(dx, dy, log w, log h)` of one anchor point, then objectness and C class
 * probabilities (already passed through a sigmoid). Rows are ordered by stride, then
 * row-major over each stride's grid; a box is
 * `cx = (dx + gx) x s`, `cy = (dy + gy) x s`, `w = exp(log w) x s`, `h = exp(log h) x s`.
 * Score = objectness x best class probability; one candidate per anchor (its best class).
 *
 * The score test runs before the box decode, and rows whose objectness alone is below
 * the threshold skip the class scan, so most anchors cost one comparison.
 *
 * @param out - a candidate set to reuse; it is cleared first. Default: a new one.
 * @returns the candidates, boxes `[x1, y1, x2, y2]` in model input pixels.
 *
 * @example
 * ```ts
 * const candidates = decodeYolox(output.data as Float32Array, output.dims, { inputWidth: 416, inputHeight: 416 });
 * const keep = nonMaxSuppression(candidates);
 * ```
 */
export function decodeYolox(
  output: Float32Array,
  dims: readonly number[],
  options: YoloxDecodeOptions,
  out: DetectionCandidates = new DetectionCandidates(),
): DetectionCandidates {
  if (options.decoded) return decodeYolov5(output, dims, options, out);
  const { inputWidth, inputHeight } = options;
  if (!(inputWidth > 0 && inputHeight > 0)) {
    throw new TypeError(`inputWidth and inputHeight must be positive, got ${inputWidth}x${inputHeight}`);
  }
  const strides = options.strides ?? DEFAULT_STRIDES;
  const [rows, width] = rowLayout(dims, 'YOLOX');
  checkOutputSize(output, dims);
  const expected = anchorPointCount(inputWidth, inputHeight, strides);
  if (rows !== expected) {
    throw new VidaiError(
      ErrorCodes.MODEL_SHAPE_MISMATCH,
      `Model output shape ${formatDims(dims)} has ${rows} anchors, but a YOLOX head with strides ` +
        `${strides.join('/')} on a ${inputWidth}x${inputHeight} input has ${expected}; ` +
        `pass the model's real inputSize, or decoded: true if the export decodes boxes itself.`,
      { details: { dims: [...dims], expected, inputWidth, inputHeight } },
    );
  }
  const threshold = options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  const mask = options.classMask;
  const numClasses = width - 5;
  out.clear();
  let base = 0;
  for (const stride of strides) {
    const gridW = Math.ceil(inputWidth / stride);
    const gridH = Math.ceil(inputHeight / stride);
    for (let gy = 0; gy < gridH; gy++) {
      for (let gx = 0; gx < gridW; gx++, base += width) {
        const objectness = output[base + 4]!;
        if (objectness < threshold) continue;
        const best = bestClass(output, base + 5, numClasses);
        const score = objectness * output[base + 5 + best]!;
        if (score < threshold || (mask !== undefined && !mask[best])) continue;
        const cx = (output[base]! + gx) * stride;
        const cy = (output[base + 1]! + gy) * stride;
        const hw = (Math.exp(output[base + 2]!) * stride) / 2;
        const hh = (Math.exp(output[base + 3]!) * stride) / 2;
        out.push(cx - hw, cy - hh, cx + hw, cy + hh, score, best);
      }
    }
  }
  return out;
}

/**
 * Tells a raw YOLOX head output from one whose boxes are already decoded, from the
 * values: raw rows hold grid offsets (|dx|, |dy| of a few units at most) while decoded
 * rows hold centres in model pixels, which average about half the input size.
 *
 * @param dims - `[1, A, 5 + C]`.
 * @returns true when the mean |x| + |y| of the first two columns is below 16.
 */
export function isRawYoloxOutput(output: Float32Array, dims: readonly number[]): boolean {
  const [rows, width] = rowLayout(dims, 'YOLOX');
  checkOutputSize(output, dims);
  let sum = 0;
  for (let r = 0, base = 0; r < rows; r++, base += width) sum += Math.abs(output[base]!) + Math.abs(output[base + 1]!);
  return sum / rows < 16;
}

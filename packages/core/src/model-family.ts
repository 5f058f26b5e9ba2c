import { ErrorCodes, VidaiError } from './errors.js';
import type { LetterboxOptions } from './letterbox.js';
import { formatDims } from './output-shape.js';
import { anchorPointCount } from './yolox-decoder.js';

/**
 * Output formats the detector decodes:
 * - `'yolox'`: `[1, A, 5 + C]`, one row per anchor point of the stride-8/16/32 grids,
 *   raw (grid-decoded by us) or already decoded;
 * - `'yolov5'`: `[1, A, 5 + C]` decoded `cx, cy, w, h, obj, classes` (anchor-based,
 *   3 anchors per grid cell: YOLOv5, YOLOv7);
 * - `'yolov8'`: `[1, 4 + C, N]` without objectness (YOLOv8, YOLO11, YOLOv5u, YOLOv9);
 * - `'end-to-end'`: `[1, N, 6]` or `[1, N, 7]` with NMS inside the model (YOLOv10,
 *   exports with NMS included).
 */
export type ModelFamily = 'yolox' | 'yolov5' | 'yolov8' | 'end-to-end';

/** Every {@link ModelFamily}, for validation and messages. */
export const MODEL_FAMILIES: readonly ModelFamily[] = Object.freeze(['yolox', 'yolov5', 'yolov8', 'end-to-end'] as const);

/** Preprocessing of a model: the letterbox options other than the size. */
export type PreprocessOptions = Omit<LetterboxOptions, 'size'>;

/**
 * The preprocessing each family was trained with:
 * YOLOX takes raw 0-255 BGR, padded with 114 at the bottom/right (top-left letterbox),
 * the resized size rounded down as YOLOX's `preproc` does; YOLOv5/v8/v10 take RGB
 * scaled to 0..1, padded with 114 on both sides (centred), the size rounded.
 */
export function familyPreprocess(family: ModelFamily): PreprocessOptions {
  switch (family) {
    case 'yolox':
      return { channelOrder: 'bgr', scale: 1, padValue: 114, align: 'top-left', rounding: 'floor' };
    case 'yolov5':
    case 'yolov8':
    case 'end-to-end':
      return { channelOrder: 'rgb', scale: 1 / 255, padValue: 114, align: 'center' };
    default:
      throw new TypeError(`unknown model family '${String(family)}'; expected one of ${MODEL_FAMILIES.join(', ')}`);
  }
}

/** Facts that help {@link detectModelFamily} decide between formats of the same shape. */
export interface ModelFamilyHints {
  /** Number of classes the model was trained on (e.g. the labels' length). Default: unknown. */
  numClasses?: number;
  /** Model input width in pixels. Default: unknown (square sizes are then inferred from the row count). */
  inputWidth?: number;
  /** Model input height in pixels. Default: unknown. */
  inputHeight?: number;
}

/** What {@link detectModelFamily} found. */
export interface ModelFamilyMatch {
  /** The family whose decoder reads this output. */
  family: ModelFamily;
  /** Number of classes in the output (unknown for end-to-end outputs: `undefined`). */
  numClasses: number | undefined;
}

/**
 * Tells the family of a detector from its output dims.
 *
 * - `[1, 4 + C, N]` with N more than twice 4 + C: `'yolov8'`.
 * - `[1, A, 5 + C]` with A = the number of anchor points of the stride-8/16/32 grids
 *   for the input size (3549 for 416x416, 8400 for 640x640): `'yolox'`. Whether the
 *   boxes are raw or already decoded is told from the values
 *   ({@link isRawYoloxOutput}) or the `decoded` option.
 * - `[1, A, 5 + C]` with A = 3 x that count (anchor-based heads): `'yolov5'`.
 * - `[1, N, 6]` or `[1, N, 7]` otherwise: `'end-to-end'` (unless `numClasses` says the
 *   row is `5 + numClasses` wide: then `'yolov5'`).
 * - `[1, A, 5 + numClasses]` when `numClasses` is given: `'yolov5'`.
 *
 * A YOLOX export with decoded boxes, or a one-anchor-per-point model of another family
 * with the same shape, cannot be told apart by shape alone: pass `family` explicitly.
 *
 * @param dims - output dims; `[A, W]` is read as `[1, A, W]`.
 * @param hints - the number of classes, or {@link ModelFamilyHints}.
 * @throws VidaiError `unknown-output-format` when no family matches (the message names
 *   the shape and the `family` option).
 *
 * @example
 * ```ts
 * detectModelFamily([1, 3549, 85], { inputWidth: 416, inputHeight: 416 }); // { family: 'yolox', numClasses: 80 }
 * detectModelFamily([1, 84, 8400]); // { family: 'yolov8', numClasses: 80 }
 * ```
 */
export function detectModelFamily(dims: readonly (number | string)[], hints: number | ModelFamilyHints = {}): ModelFamilyMatch {
  const { numClasses, inputWidth, inputHeight } = typeof hints === 'number' ? { numClasses: hints } as ModelFamilyHints : hints;
  const d = dims.length === 2 ? [1, ...dims] : [...dims];
  const known = d.length === 3 && d.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0) && d[0] === 1;
  if (known) {
    const rows = d[1] as number;
    const width = d[2] as number;
    if (rows < width) {
      if (rows >= 5 && width > 2 * rows) return { family: 'yolov8', numClasses: rows - 4 };
    } else if (rows > width && width >= 6) {
      const counts =
        inputWidth && inputHeight ? [anchorPointCount(inputWidth, inputHeight)] : squareAnchorCounts(rows);
      if (counts.includes(rows)) return { family: 'yolox', numClasses: width - 5 };
      if (counts.some((c) => 3 * c === rows)) return { family: 'yolov5', numClasses: width - 5 };
      if (numClasses !== undefined && width === 5 + numClasses) return { family: 'yolov5', numClasses };
      if (width === 6 || width === 7) return { family: 'end-to-end', numClasses };
    }
  }
  throw new VidaiError(
    ErrorCodes.UNKNOWN_OUTPUT_FORMAT,
    `Model output shape ${formatDims(dims)} matches no known YOLO family; pass family: ` +
      `${MODEL_FAMILIES.map((f) => `'${f}'`).join(' | ')} ` +
      `(yolox/yolov5: [1, anchors, 5 + classes]; yolov8: [1, 4 + classes, anchors]; end-to-end: [1, detections, 6 | 7]).`,
    { details: { dims: [...dims] } },
  );
}

/**
 * Anchor-point counts of the square inputs (multiples of 32) a head with `rows` or
 * `rows / 3` anchors could have, so an input size need not be known.
 */
function squareAnchorCounts(rows: number): number[] {
  const counts: number[] = [];
  for (const anchors of [rows, rows / 3]) {
    // (S/8)^2 + (S/16)^2 + (S/32)^2 = anchors  =>  S = 8 * sqrt(16 * anchors / 21)
    const size = Math.round((8 * Math.sqrt((16 * anchors) / 21)) / 32) * 32;
    if (size > 0 && anchorPointCount(size, size) === anchors) counts.push(anchors);
  }
  return counts;
}

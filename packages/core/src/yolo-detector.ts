import { Tensor, type InferenceSession } from 'onnxruntime-common';
import { DEFAULT_SCORE_THRESHOLD, DetectionCandidates } from './candidates.js';
import { COCO_LABELS } from './coco-labels.js';
import type { Detection, DetectionResult } from './detection.js';
import { abortedError, checkDetectOptions, checkUnitInterval, type DetectOptions, type Detector } from './detector.js';
import { decodeEndToEnd } from './end-to-end-decoder.js';
import { ErrorCodes, VidaiError } from './errors.js';
import type { Frame } from './frame.js';
import { letterbox, modelToSourceBox, roundUp, type LetterboxTransform } from './letterbox.js';
import { getCatalogModel, type CatalogModel } from './model-catalog.js';
import {
  MODEL_FAMILIES,
  detectModelFamily,
  familyPreprocess,
  type ModelFamily,
  type PreprocessOptions,
} from './model-family.js';
import { DEFAULT_IOU_THRESHOLD, DEFAULT_MAX_DETECTIONS, DEFAULT_NMS_TOP_K, nonMaxSuppression } from './nms.js';
import { formatDims } from './output-shape.js';
import { decodeYolov5 } from './yolov5-decoder.js';
import { decodeYolov8 } from './yolov8-decoder.js';
import { anchorPointCount, decodeYolox, isRawYoloxOutput } from './yolox-decoder.js';

/** Tensor sides are multiples of this with minimal padding, unless `padMultiple` says otherwise. */
export const DEFAULT_PAD_MULTIPLE = 32;

/** Input size used when neither the option nor the model's input metadata gives one (640 pixels). */
export const DEFAULT_INPUT_SIZE = 640;

/** Builds the float32 input tensor handed to `session.run`. */
export type InputTensorFactory = (data: Float32Array, dims: readonly number[]) => Tensor;

/** Options of {@link YoloDetector.create}. */
export interface YoloDetectorOptions {
  /**
   * The inference session (onnxruntime-node, onnxruntime-web or any implementation of
   * onnxruntime-common's `InferenceSession`). Its first input takes the image.
   */
  session: InferenceSession;
  /**
   * Output format. Default: detected from the output shape in the session's metadata
   * (or, when the metadata has no static shape, from one probe run on a blank image
   * during `create`); see {@link detectModelFamily}.
   */
  family?: ModelFamily;
  /**
   * YOLOX only: true when the export already decodes boxes (`decode_in_inference`).
   * Default: told from the values of the first output ({@link isRawYoloxOutput}).
   */
  decoded?: boolean;
  /**
   * Model input size in pixels (a number for square inputs). Default: from the session's
   * input metadata when static, else 640. Must match a static input shape.
   */
  inputSize?: number | { width: number; height: number };
  /** Class names by class id. Default: the COCO labels for 80-class outputs, else none (`class <id>`). */
  labels?: readonly string[];
  /** Minimum score of a detection, 0..1. Default 0.25. */
  scoreThreshold?: number;
  /** IoU above which NMS suppresses a box, 0..1. Default 0.45. */
  iouThreshold?: number;
  /** Keep only these classes, by id or label. Default: all classes. */
  classes?: readonly (number | string)[];
  /** Suppress overlapping boxes whatever their class. Default false (class-aware NMS). */
  agnosticNms?: boolean;
  /** At most this many detections per frame. Default 100. */
  maxDetections?: number;
  /** Candidates that take part in NMS, highest scores first. Default 1000. */
  topK?: number;
  /** Overrides of the family's preprocessing ({@link familyPreprocess}). Default: none. */
  preprocess?: Partial<PreprocessOptions>;
  /**
   * How much of the model input is padding:
   * - `'full'`: every frame is letterboxed into the whole `inputSize`.
   * - `'minimal'`: the frame is padded only up to the next multiple of `padMultiple`
   *   (letterbox's `padMultiple`), so a 16:9 frame runs at 416x256 instead of 416x416,
   *   about 40% less work for the model. Needs a session whose input height and width
   *   are dynamic ({@link withDynamicInputSize}); `create` checks the graph with one
   *   probe run on a rectangular input.
   * - `'auto'`: `'minimal'` when the session's input height and width are dynamic and
   *   the probe run succeeds, else `'full'`.
   *
   * The mode in effect is {@link YoloDetector.padding}. Default `'auto'`.
   */
  padding?: 'auto' | 'full' | 'minimal';
  /** With minimal padding, tensor sides are multiples of this. Default 32 (the largest stride of YOLO heads). */
  padMultiple?: number;
  /** When true, `close()` releases the session. Default false (the caller releases it). */
  ownsSession?: boolean;
  /** Name of the image input. Default: the session's first input. */
  inputName?: string;
  /** Name of the detection output. Default: the session's first output. */
  outputName?: string;
  /** Clock for the timings, in ms. Default: `performance.now()` (or `Date.now()` where there is none). */
  now?: () => number;
  /**
   * Builds the input tensor. Default: onnxruntime-common's `Tensor` constructor, which
   * every onnxruntime backend accepts; pass the runtime's own when bundling another copy.
   */
  createTensor?: InputTensorFactory;
}

/** Options of {@link YoloDetector.fromCatalog}: everything the catalog entry does not fix. */
export type YoloCatalogDetectorOptions = Omit<YoloDetectorOptions, 'family' | 'decoded' | 'inputSize'>;

interface ResolvedSize {
  width: number;
  height: number;
}

const perf = (globalThis as { performance?: { now(): number } }).performance;
const defaultNow: () => number = perf ? () => perf.now() : () => Date.now();

const defaultCreateTensor: InputTensorFactory = (data, dims) => new Tensor('float32', data, dims);

/**
 * A {@link Detector} for YOLO-family ONNX models (YOLOX, YOLOv5/v7, YOLOv8/YOLO11,
 * YOLOv10 and other end-to-end exports), running on any onnxruntime `InferenceSession`.
 *
 * Each `detect` letterboxes the frame into a reused input buffer, runs the session,
 * decodes the output with the family's decoder and applies NMS; boxes come back in the
 * frame's pixels (its display pixels when it has `displayWidth`/`displayHeight`). Calls
 * are serialized: a second `detect` waits for the first.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * const session = await ort.InferenceSession.create('yolox_nano.onnx');
 * const detector = await YoloDetector.fromCatalog('yolox-nano', { session, ownsSession: true });
 * const result = await detector.detect(frame);
 * for (const d of result.detections) console.log(d.label, d.score, d.box);
 * await detector.close();
 * ```
 */
export class YoloDetector implements Detector {
  /** The output format being decoded. */
  readonly family: ModelFamily;
  /** Model input size in pixels. */
  readonly inputSize: { readonly width: number; readonly height: number };
  /** Class names by class id (empty when the model has none). */
  readonly labels: readonly string[];
  /** Name of the image input. */
  readonly inputName: string;
  /** Name of the detection output. */
  readonly outputName: string;
  /**
   * Preprocessing in effect (the family's defaults with the overrides applied; with
   * minimal padding, `padMultiple` is set).
   */
  readonly preprocess: Readonly<PreprocessOptions>;
  /**
   * The padding in effect (see {@link YoloDetectorOptions.padding}): with `'minimal'`,
   * `inputSize` bounds the resize and the tensor is only as large as the resized frame
   * rounded up to `preprocess.padMultiple`.
   */
  readonly padding: 'full' | 'minimal';

  private readonly session: InferenceSession;
  private readonly ownsSession: boolean;
  private readonly scoreThreshold: number;
  private readonly iouThreshold: number;
  private readonly agnosticNms: boolean;
  private readonly maxDetections: number;
  private readonly topK: number;
  private readonly classMask: Uint8Array | undefined;
  private readonly now: () => number;
  private readonly createTensor: InputTensorFactory;
  private readonly input: Float32Array;
  private readonly candidates = new DetectionCandidates();
  private decoded: boolean | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    options: YoloDetectorOptions,
    names: { inputName: string; outputName: string },
    size: ResolvedSize,
    family: ModelFamily,
    labels: readonly string[],
    padMultiple: number | undefined,
  ) {
    this.session = options.session;
    this.ownsSession = options.ownsSession ?? false;
    this.family = family;
    this.inputSize = Object.freeze({ ...size });
    this.labels = labels;
    this.inputName = names.inputName;
    this.outputName = names.outputName;
    const { padMultiple: _ignored, ...preprocess } = { ...familyPreprocess(family), ...options.preprocess };
    this.preprocess = Object.freeze(padMultiple === undefined ? preprocess : { ...preprocess, padMultiple });
    this.padding = padMultiple === undefined ? 'full' : 'minimal';
    this.scoreThreshold = checkUnitInterval('scoreThreshold', options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD);
    this.iouThreshold = checkUnitInterval('iouThreshold', options.iouThreshold ?? DEFAULT_IOU_THRESHOLD);
    this.agnosticNms = options.agnosticNms ?? false;
    this.maxDetections = checkCount('maxDetections', options.maxDetections ?? DEFAULT_MAX_DETECTIONS);
    this.topK = checkCount('topK', options.topK ?? DEFAULT_NMS_TOP_K);
    this.classMask = options.classes === undefined ? undefined : buildClassMask(options.classes, labels);
    this.now = options.now ?? defaultNow;
    this.createTensor = options.createTensor ?? defaultCreateTensor;
    this.decoded = family === 'yolox' ? options.decoded : undefined;
    const m = padMultiple ?? 1;
    this.input = new Float32Array(3 * roundUp(size.width, m) * roundUp(size.height, m));
  }

  /**
   * Creates a detector on a loaded session. Reads the input size and the output format
   * from the session's metadata; when the output shape is not static there, runs the
   * model once on a blank image to learn it.
   *
   * @throws VidaiError `unknown-output-format` when the family cannot be told (pass `family`);
   *   `model-shape-mismatch` when the model's input is not `[1, 3, H, W]` or disagrees with
   *   `inputSize`; `inference-failed` when the probe run fails.
   * @throws TypeError for invalid options (thresholds outside 0..1, unknown class names).
   */
  static async create(options: YoloDetectorOptions): Promise<YoloDetector> {
    const { session } = options;
    if (session === null || typeof session !== 'object' || typeof session.run !== 'function') {
      throw new TypeError('options.session must be an onnxruntime InferenceSession');
    }
    if (options.family !== undefined && !MODEL_FAMILIES.includes(options.family)) {
      throw new TypeError(`options.family must be one of ${MODEL_FAMILIES.join(', ')}, got '${String(options.family)}'`);
    }
    const inputName = options.inputName ?? session.inputNames[0];
    const outputName = options.outputName ?? session.outputNames[0];
    if (inputName === undefined || outputName === undefined) {
      throw new VidaiError(ErrorCodes.MODEL_SHAPE_MISMATCH, 'The model has no input or no output; a detector needs an image input and a detection output.');
    }
    for (const [kind, name, all] of [
      ['input', inputName, session.inputNames],
      ['output', outputName, session.outputNames],
    ] as const) {
      if (!all.includes(name)) {
        throw new VidaiError(
          ErrorCodes.MODEL_SHAPE_MISMATCH,
          `The model has no ${kind} named '${name}'; its ${kind}s are: ${all.join(', ')}.`,
          { details: { [kind]: name, names: [...all] } },
        );
      }
    }
    const inputShape = metadataShape(session, 'inputMetadata', inputName);
    const size = resolveInputSize(options.inputSize, inputShape);
    const padding = options.padding ?? 'auto';
    if (padding !== 'auto' && padding !== 'full' && padding !== 'minimal') {
      throw new TypeError(`options.padding must be 'auto', 'full' or 'minimal', got '${String(padding)}'`);
    }
    const padMultiple = checkCount('options.padMultiple', options.padMultiple ?? DEFAULT_PAD_MULTIPLE);
    const fixedSize = inputShape !== undefined && typeof inputShape[2] === 'number' && typeof inputShape[3] === 'number';
    if (padding === 'minimal' && fixedSize) {
      throw new VidaiError(
        ErrorCodes.MODEL_SHAPE_MISMATCH,
        `padding 'minimal' needs a model whose input height and width are dynamic, but '${inputName}' is fixed at ` +
          `${formatDims(inputShape)}. Create the session from withDynamicInputSize(modelBytes).model, or use padding 'full'.`,
        { details: { shape: [...inputShape] } },
      );
    }

    let family = options.family;
    let numClasses: number | undefined;
    if (family === undefined) {
      const dims: readonly number[] =
        staticDims(metadataShape(session, 'outputMetadata', outputName)) ??
        await probeOutputDims(session, inputName, outputName, size, options.createTensor ?? defaultCreateTensor);
      const match = detectModelFamily(dims, {
        inputWidth: size.width,
        inputHeight: size.height,
        ...(options.labels ? { numClasses: options.labels.length } : {}),
      });
      family = match.family;
      numClasses = match.numClasses;
    } else {
      const dims = staticDims(metadataShape(session, 'outputMetadata', outputName));
      numClasses = dims === undefined ? undefined : classesInShape(family, dims);
    }
    const labels = options.labels ?? (numClasses === COCO_LABELS.length ? COCO_LABELS : []);
    const minimal =
      padding !== 'full' &&
      !fixedSize &&
      (await takesRectangularInput(session, inputName, outputName, family, size, padMultiple, options.createTensor ?? defaultCreateTensor, padding === 'minimal'));
    return new YoloDetector(options, { inputName, outputName }, size, family, labels, minimal ? padMultiple : undefined);
  }

  /**
   * Creates a detector for a catalog model (by entry or id) on a session made from its
   * file: family, input size, labels and preprocessing come from the entry.
   *
   * @example
   * ```ts
   * const detector = await YoloDetector.fromCatalog('yolox-nano', { session });
   * ```
   */
  static async fromCatalog(model: CatalogModel | string, options: YoloCatalogDetectorOptions): Promise<YoloDetector> {
    const entry = typeof model === 'string' ? getCatalogModel(model) : model;
    const { session } = options;
    return YoloDetector.create({
      ...options,
      family: entry.family,
      decoded: entry.decoded,
      inputSize: entry.inputSize,
      labels: options.labels ?? entry.labels,
      padMultiple: options.padMultiple ?? entry.padMultiple,
      preprocess: { ...entry.preprocess, ...options.preprocess },
      inputName: options.inputName ?? (session.inputNames.includes(entry.inputName) ? entry.inputName : undefined),
      outputName: options.outputName ?? (session.outputNames.includes(entry.outputName) ? entry.outputName : undefined),
    });
  }

  /**
   * Detects objects in `frame`. Boxes are `[x1, y1, x2, y2]` in the frame's pixels (in
   * its display size when it has one), clipped to the frame, highest score first.
   *
   * @throws VidaiError `closed` after `close()`; `aborted` when `options.signal` aborts
   *   before or during the call; `invalid-frame` / `unsupported-format` for a bad frame;
   *   `inference-failed` when the runtime fails; `model-shape-mismatch` when the output
   *   does not fit the family.
   */
  detect(frame: Frame, options: DetectOptions = {}): Promise<DetectionResult> {
    const run = this.queue.then(() => this.detectNow(frame, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Releases the session when the detector owns it, after any running `detect`. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await this.queue;
      if (this.ownsSession) await this.session.release();
    })();
    return this.closing;
  }

  private async detectNow(frame: Frame, options: DetectOptions): Promise<DetectionResult> {
    if (this.closed) throw new VidaiError(ErrorCodes.CLOSED, 'detect() was called after close(); create a new detector.');
    const signal = options.signal;
    checkDetectOptions(options);
    const scoreThreshold = options.scoreThreshold ?? this.scoreThreshold;
    const iouThreshold = options.iouThreshold ?? this.iouThreshold;

    const t0 = this.now();
    const { tensor: data, dims: inputDims, transform } = letterbox(frame, { ...this.preprocess, size: this.inputSize }, this.input);
    const t1 = this.now();

    let results: InferenceSession.ReturnType;
    try {
      results = await this.session.run({ [this.inputName]: this.createTensor(data, inputDims) }, [this.outputName]);
    } catch (err) {
      throw inferenceFailed(err);
    }
    const t2 = this.now();
    try {
      if (signal?.aborted) throw abortedError(signal);
      const output = results[this.outputName];
      if (output === undefined) {
        throw new VidaiError(ErrorCodes.MODEL_SHAPE_MISMATCH, `The session returned no output named '${this.outputName}'.`);
      }
      if (output.type !== 'float32') {
        throw new VidaiError(
          ErrorCodes.MODEL_SHAPE_MISMATCH,
          `The model's output '${this.outputName}' is ${output.type}; the detector reads float32 outputs (export the model in float32).`,
          { details: { type: output.type } },
        );
      }
      const values = (output.location === 'cpu' || output.location === 'cpu-pinned' ? output.data : await output.getData()) as Float32Array;
      const detections = this.postprocess(values, output.dims, scoreThreshold, iouThreshold, transform);
      const t3 = this.now();
      return {
        seq: frame.seq,
        timestamp: frame.timestamp,
        width: transform.srcWidth,
        height: transform.srcHeight,
        detections,
        timings: { preprocess: t1 - t0, inference: t2 - t1, postprocess: t3 - t2 },
      };
    } finally {
      disposeAll(results);
    }
  }

  private postprocess(
    values: Float32Array,
    dims: readonly number[],
    scoreThreshold: number,
    iouThreshold: number,
    transform: LetterboxTransform,
  ): Detection[] {
    const decodeOptions = { scoreThreshold, ...(this.classMask ? { classMask: this.classMask } : {}) };
    const candidates = this.candidates;
    switch (this.family) {
      case 'yolox':
        this.decoded ??= !isRawYoloxOutput(values, dims);
        decodeYolox(
          values,
          dims,
          { ...decodeOptions, inputWidth: transform.dstWidth, inputHeight: transform.dstHeight, decoded: this.decoded },
          candidates,
        );
        break;
      case 'yolov5':
        decodeYolov5(values, dims, decodeOptions, candidates);
        break;
      case 'yolov8':
        decodeYolov8(values, dims, decodeOptions, candidates);
        break;
      case 'end-to-end':
        decodeEndToEnd(values, dims, decodeOptions, candidates);
        break;
    }
    const keep = nonMaxSuppression(candidates, {
      // End-to-end outputs are final: IoU never exceeds 1, so this only sorts and caps.
      iouThreshold: this.family === 'end-to-end' ? 1 : iouThreshold,
      topK: this.topK,
      maxDetections: this.maxDetections,
      agnostic: this.agnosticNms,
    });
    const detections: Detection[] = [];
    const { boxes, scores, classIds } = candidates;
    for (const i of keep) {
      const b = i * 4;
      // modelToSourceBox also clips the box to the frame.
      const box = modelToSourceBox([boxes[b]!, boxes[b + 1]!, boxes[b + 2]!, boxes[b + 3]!], transform);
      const classId = classIds[i]!;
      detections.push({
        box,
        score: scores[i]!,
        classId,
        label: this.labels[classId] ?? `class ${classId}`,
      });
    }
    return detections;
  }
}

/**
 * Whether a detector factory should load the model with a dynamic input size
 * ({@link withDynamicInputSize}) for the `padding` asked for: always for `'minimal'`,
 * never for `'full'`, and for `'auto'` (the default) when the catalog entry says the
 * graph takes rectangular inputs. A model file loaded as it is keeps its own declared
 * size, and `'auto'` then uses minimal padding only when that size is already dynamic.
 */
export function wantsDynamicInputSize(padding: YoloDetectorOptions['padding'], entry: Pick<CatalogModel, 'padMultiple'> | undefined): boolean {
  if (padding === 'full') return false;
  if (padding === 'minimal') return true;
  return entry?.padMultiple !== undefined;
}

/** Frees output tensors (GPU buffers on web backends); tolerates sessions whose values have no `dispose`. */
function disposeAll(results: InferenceSession.ReturnType): void {
  for (const value of Object.values(results)) (value as Partial<Tensor>).dispose?.();
}

function inferenceFailed(err: unknown): VidaiError {
  const reason = err instanceof Error ? err.message : String(err);
  return new VidaiError(ErrorCodes.INFERENCE_FAILED, `Inference failed: ${reason}`, { cause: err });
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function buildClassMask(classes: readonly (number | string)[], labels: readonly string[]): Uint8Array {
  const ids = classes.map((c) => {
    if (typeof c === 'number') {
      if (!Number.isInteger(c) || c < 0) throw new TypeError(`classes: ${c} is not a class id (a non-negative integer)`);
      return c;
    }
    const id = labels.indexOf(c);
    if (id < 0) {
      throw new TypeError(
        labels.length === 0
          ? `classes: '${c}' cannot be resolved because the model has no labels; pass labels or class ids`
          : `classes: '${c}' is not one of the model's labels`,
      );
    }
    return id;
  });
  const mask = new Uint8Array(Math.max(labels.length, ...ids.map((id) => id + 1)));
  for (const id of ids) mask[id] = 1;
  return mask;
}

/** The shape of a named input or output from the session's metadata, when it has one. */
function metadataShape(
  session: InferenceSession,
  key: 'inputMetadata' | 'outputMetadata',
  name: string,
): ReadonlyArray<number | string> | undefined {
  let metadata: readonly InferenceSession.ValueMetadata[] | undefined;
  try {
    metadata = session[key];
  } catch {
    return undefined; // Older runtimes throw for metadata they do not expose.
  }
  const entry = metadata?.find((m) => m.name === name);
  return entry?.isTensor && entry.shape.length > 0 ? entry.shape : undefined;
}

function staticDims(shape: ReadonlyArray<number | string> | undefined): readonly number[] | undefined {
  if (shape === undefined || !shape.every((d) => typeof d === 'number' && d > 0)) return undefined;
  return shape as readonly number[];
}

function resolveInputSize(option: YoloDetectorOptions['inputSize'], shape: ReadonlyArray<number | string> | undefined): ResolvedSize {
  let requested: ResolvedSize | undefined;
  if (option !== undefined) {
    requested = typeof option === 'number' ? { width: option, height: option } : { width: option.width, height: option.height };
    if (!(Number.isInteger(requested.width) && requested.width > 0 && Number.isInteger(requested.height) && requested.height > 0)) {
      throw new TypeError(`inputSize must be a positive integer or { width, height } of them, got ${JSON.stringify(option)}`);
    }
  }
  if (shape !== undefined) {
    const [batch, channels, height, width] = shape;
    const badBatch = typeof batch === 'number' && batch !== 1;
    const badChannels = typeof channels === 'number' && channels !== 3;
    if (shape.length !== 4 || badBatch || badChannels) {
      throw new VidaiError(
        ErrorCodes.MODEL_SHAPE_MISMATCH,
        `The model's image input has shape ${formatDims(shape)}; a detector needs [1, 3, height, width] (NCHW).`,
        { details: { shape: [...shape] } },
      );
    }
    if (typeof width === 'number' && typeof height === 'number') {
      if (requested && (requested.width !== width || requested.height !== height)) {
        throw new VidaiError(
          ErrorCodes.MODEL_SHAPE_MISMATCH,
          `inputSize ${requested.width}x${requested.height} does not match the model's fixed input ${width}x${height}; ` +
            `leave inputSize out or export the model with dynamic axes.`,
          { details: { shape: [...shape], inputSize: requested } },
        );
      }
      return { width, height };
    }
  }
  return requested ?? { width: DEFAULT_INPUT_SIZE, height: DEFAULT_INPUT_SIZE };
}

/**
 * Whether the graph runs on a rectangular input (full width, about half the height,
 * sides multiples of `padMultiple`) and, for YOLOX, gives that size's anchor count.
 * `required`: a failure is an error rather than a `false`.
 */
async function takesRectangularInput(
  session: InferenceSession,
  inputName: string,
  outputName: string,
  family: ModelFamily,
  size: ResolvedSize,
  padMultiple: number,
  createTensor: InputTensorFactory,
  required: boolean,
): Promise<boolean> {
  const width = roundUp(size.width, padMultiple);
  const height = Math.max(padMultiple, roundUp(size.height / 2, padMultiple));
  let problem: string | undefined;
  let cause: unknown;
  try {
    const dims = await probeOutputDims(session, inputName, outputName, { width, height }, createTensor);
    if (family === 'yolox' && !dims.includes(anchorPointCount(width, height))) {
      problem = `its output on a ${width}x${height} input is ${formatDims(dims)}, not ${anchorPointCount(width, height)} anchors`;
    }
  } catch (err) {
    cause = err;
    problem = `a ${width}x${height} input failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (problem === undefined) return true;
  if (!required) return false;
  throw new VidaiError(
    ErrorCodes.MODEL_SHAPE_MISMATCH,
    `padding 'minimal' needs a graph that takes any input size in multiples of ${padMultiple}, but ${problem}. Use padding 'full'.`,
    { cause, details: { width, height } },
  );
}

async function probeOutputDims(
  session: InferenceSession,
  inputName: string,
  outputName: string,
  size: ResolvedSize,
  createTensor: InputTensorFactory,
): Promise<readonly number[]> {
  let results: InferenceSession.ReturnType;
  try {
    const blank = new Float32Array(3 * size.width * size.height);
    results = await session.run({ [inputName]: createTensor(blank, [1, 3, size.height, size.width]) }, [outputName]);
  } catch (err) {
    throw inferenceFailed(err);
  }
  const dims = results[outputName]?.dims;
  disposeAll(results);
  if (dims === undefined) throw new VidaiError(ErrorCodes.MODEL_SHAPE_MISMATCH, `The session returned no output named '${outputName}'.`);
  return dims;
}

/** Number of classes a static output shape holds for a family (undefined for end-to-end). */
function classesInShape(family: ModelFamily, dims: readonly number[]): number | undefined {
  const d = dims.length === 2 ? [1, ...dims] : dims;
  if (d.length !== 3) return undefined;
  switch (family) {
    case 'yolox':
    case 'yolov5':
      return d[2]! - 5;
    case 'yolov8':
      return d[1]! - 4;
    case 'end-to-end':
      return undefined;
  }
}

import { COCO_LABELS } from './coco-labels.js';
import { ErrorCodes, VidaiError } from './errors.js';
import { familyPreprocess, type ModelFamily, type PreprocessOptions } from './model-family.js';

/** A known, downloadable detection model. */
export interface CatalogModel {
  /** Catalog id, e.g. `'yolox-nano'`. */
  readonly id: string;
  /** Human-readable name. */
  readonly title: string;
  /** Output format, see {@link ModelFamily}. */
  readonly family: ModelFamily;
  /** Model input size in pixels. */
  readonly inputSize: { readonly width: number; readonly height: number };
  /** Class names, indexed by class id. */
  readonly labels: readonly string[];
  /** Preprocessing the model was trained with (letterbox options other than the size). */
  readonly preprocess: Readonly<PreprocessOptions>;
  /** True when the output boxes are already decoded (YOLOX `decode_in_inference` exports). */
  readonly decoded: boolean;
  /** Where the model file is downloaded from. */
  readonly url: string;
  /** File name in the model cache directory. */
  readonly fileName: string;
  /** Lower-case hex SHA-256 of the file, when verified; `undefined` when not verified. */
  readonly sha256: string | undefined;
  /** File size in bytes, when verified; `undefined` otherwise. */
  readonly sizeBytes: number | undefined;
  /** Name of the image input. */
  readonly inputName: string;
  /** Dims of the image input. */
  readonly inputDims: readonly number[];
  /** Name of the detection output. */
  readonly outputName: string;
  /** Dims of the detection output. */
  readonly outputDims: readonly number[];
  /** License of the weights. */
  readonly license: string;
  /**
   * When set, the graph computes its shapes from the input, so once its declared input
   * size is made dynamic ({@link withDynamicInputSize}) it runs on any height and width
   * that are multiples of this. vidai's detector factories then use minimal padding by
   * default (a 16:9 frame at 416x256 instead of 416x416). `undefined`: fixed size only.
   */
  readonly padMultiple: number | undefined;
}

const YOLOX_RELEASE = 'https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0';

function yolox(
  id: string,
  title: string,
  size: number,
  anchors: number,
  verified?: { sha256: string; sizeBytes: number },
): CatalogModel {
  const fileName = `${id.replace('-', '_')}.onnx`;
  return Object.freeze({
    id,
    title,
    family: 'yolox',
    inputSize: Object.freeze({ width: size, height: size }),
    labels: COCO_LABELS,
    preprocess: Object.freeze(familyPreprocess('yolox')),
    decoded: false,
    url: `${YOLOX_RELEASE}/${fileName}`,
    fileName,
    sha256: verified?.sha256,
    sizeBytes: verified?.sizeBytes,
    inputName: 'images',
    inputDims: Object.freeze([1, 3, size, size]),
    outputName: 'output',
    outputDims: Object.freeze([1, anchors, 85]),
    license: 'Apache-2.0',
    // The exports compute their reshapes from the input's shape (Shape -> Slice -> Concat -> Reshape).
    padMultiple: 32,
  });
}

/**
 * The models vidai knows by id. All are Megvii's official YOLOX ONNX exports,
 * trained on COCO (80 classes), taking raw 0-255 BGR input letterboxed top-left with
 * pad 114, and giving the raw (not grid-decoded) head output.
 *
 * - `yolox-nano`: 416x416, output `[1, 3549, 85]`, 3.7 MB. Its `sha256` and `sizeBytes`
 *   are those of the copy vidai is tested with (kept in hamacom2004jp/iinfer); that copy
 *   was not byte-compared with the release asset at `url`.
 * - `yolox-tiny`: 416x416, output `[1, 3549, 85]`; hash not verified (`undefined`).
 * - `yolox-s`: 640x640, output `[1, 8400, 85]`; hash not verified (`undefined`).
 *
 * @example
 * ```ts
 * const entry = modelCatalog['yolox-nano'];
 * console.log(entry.url, entry.inputSize.width);
 * ```
 */
export const modelCatalog: Readonly<Record<string, CatalogModel>> = Object.freeze({
  'yolox-nano': yolox('yolox-nano', 'YOLOX-Nano (COCO, 416)', 416, 3549, {
    sha256: 'd39bee73564e338080378b0ad567fbb40e818b55bbfaf971de82a0267ed16b8a',
    sizeBytes: 3713911,
  }),
  'yolox-tiny': yolox('yolox-tiny', 'YOLOX-Tiny (COCO, 416)', 416, 3549),
  'yolox-s': yolox('yolox-s', 'YOLOX-S (COCO, 640)', 640, 8400),
});

/**
 * The catalog entry with this id.
 *
 * @throws VidaiError `model-not-found` when the id is unknown; the message lists the known ids.
 */
export function getCatalogModel(id: string): CatalogModel {
  const entry = Object.hasOwn(modelCatalog, id) ? modelCatalog[id] : undefined;
  if (entry === undefined) {
    const known = Object.keys(modelCatalog);
    throw new VidaiError(
      ErrorCodes.MODEL_NOT_FOUND,
      `Unknown model id '${id}'; known ids: ${known.join(', ')} (or pass a path to an .onnx file).`,
      { details: { id, known } },
    );
  }
  return entry;
}

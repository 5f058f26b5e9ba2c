import { YoloDetector, wantsDynamicInputSize, type CatalogModel, type YoloDetectorOptions } from '@vidai/core';
import type { NodeExecutionProvider } from './execution-providers.js';
import { checkModelDims, resolveModel, type ResolvedModel, type ResolveModelOptions } from './model-store.js';
import { defaultSessionCache, type SessionCache } from './session-cache.js';

/** Options of {@link createNodeDetector}. */
export interface NodeDetectorOptions extends Omit<YoloDetectorOptions, 'session' | 'ownsSession'> {
  /**
   * The model: a catalog id (`'yolox-nano'`), a catalog entry, or the path of an `.onnx`
   * file. A catalog model brings its family, input size, labels and preprocessing
   * (`family`, `decoded` and `inputSize` apply to model files only).
   */
  model: string | CatalogModel;
  /**
   * Execution providers to try, in order. Default: `'cuda'` where onnxruntime-node's
   * CUDA binaries are installed, then `'cpu'`. The one used is reported as
   * {@link NodeDetector.executionProvider}.
   */
  executionProviders?: readonly NodeExecutionProvider[];
  /** Threads onnxruntime uses inside one operator. Default: onnxruntime's (one per physical core). */
  intraOpNumThreads?: number;
  /** Folder of downloaded catalog models. Default: `VIDAI_MODEL_DIR` or the user's cache folder. */
  cacheDir?: string;
  /** Download a catalog model that is not cached. Default true. */
  download?: boolean;
  /** Download progress. Default: a progress bar on stderr when it is a terminal; `null` for none. */
  onProgress?: ResolveModelOptions['onProgress'];
  /** Cancels a model download. */
  signal?: AbortSignal;
  /**
   * Where sessions are shared. Default: the process-wide {@link defaultSessionCache}, so
   * detectors on the same model, providers and threads share one session.
   */
  sessionCache?: SessionCache;
}

/** What {@link createNodeDetector} made. */
export interface NodeDetector {
  /** The detector. Its `close()` returns its loan of the shared session. */
  detector: YoloDetector;
  /** The execution provider the session runs on, e.g. `'cuda'` or `'cpu'`. */
  executionProvider: string;
  /** Absolute path of the model file. */
  modelPath: string;
  /** The catalog entry when the model was named by id or entry; `undefined` for a file. */
  model: CatalogModel | undefined;
}

/**
 * Creates a YOLO detector on onnxruntime-node: resolves the model (file, cache, or
 * download), borrows a session from the session cache (one session per model file,
 * providers and threads, shared by every detector made with the same settings) trying
 * the execution providers in order, and builds a core `YoloDetector` on it.
 *
 * Catalog models run with minimal padding unless `padding: 'full'` is given (their
 * declared input size is made dynamic when loaded; see `YoloDetectorOptions.padding`):
 * a 16:9 frame goes through YOLOX-Nano at 416x256 rather than 416x416.
 *
 * @throws VidaiError `model-not-found`, `model-download-failed`, `model-load-failed`,
 *   `model-shape-mismatch` (see {@link resolveModel}); `no-execution-provider` when none
 *   of the providers asked for works; `unknown-output-format` for a model file whose
 *   output no decoder reads (pass `family`).
 * @throws TypeError for invalid options.
 *
 * @example
 * ```ts
 * const { detector, executionProvider } = await createNodeDetector({ model: 'yolox-nano', scoreThreshold: 0.3 });
 * const result = await detector.detect(frame);
 * await detector.close();
 * ```
 */
export async function createNodeDetector(options: NodeDetectorOptions): Promise<NodeDetector> {
  if (options === null || typeof options !== 'object') throw new TypeError('createNodeDetector needs an options object with a model');
  const { model, cacheDir, download, onProgress, signal, ...detectorOptions } = options;
  const resolved = await resolveDetectorModel(model, { cacheDir, download, onProgress, signal });
  return createDetectorOnFile(resolved, detectorOptions);
}

/**
 * Resolves a detector's model (file, cache or download) with the resolution options of
 * {@link NodeDetectorOptions}, without verifying it: the session that loads the file
 * checks its dims. Shared with `WorkerDetector`.
 *
 * @internal
 */
export function resolveDetectorModel(
  model: NodeDetectorOptions['model'],
  options: Pick<NodeDetectorOptions, 'cacheDir' | 'download' | 'onProgress' | 'signal'>,
): Promise<ResolvedModel> {
  const { cacheDir, download, onProgress, signal } = options;
  return resolveModel(model, {
    verify: false,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    ...(download !== undefined ? { download } : {}),
    ...(onProgress !== undefined ? { onProgress } : {}),
    ...(signal ? { signal } : {}),
  });
}

/** What {@link createDetectorOnFile} needs besides the file: everything but the model's resolution. @internal */
export type DetectorOnFileOptions = Omit<NodeDetectorOptions, 'model' | 'cacheDir' | 'download' | 'onProgress' | 'signal'>;

/**
 * The second half of {@link createNodeDetector}, shared with the detector's worker
 * threads: borrows a session for a resolved model file and builds the detector on it.
 *
 * @internal
 */
export async function createDetectorOnFile(
  resolved: Pick<ResolvedModel, 'path' | 'entry'>,
  options: DetectorOnFileOptions,
): Promise<NodeDetector> {
  const { executionProviders, intraOpNumThreads, sessionCache = defaultSessionCache, ...detectorOptions } = options;
  const session = await sessionCache.acquire(resolved.path, {
    ...(executionProviders !== undefined ? { executionProviders } : {}),
    ...(intraOpNumThreads !== undefined ? { intraOpNumThreads } : {}),
    dynamicInputSize: wantsDynamicInputSize(detectorOptions.padding, resolved.entry),
  });
  try {
    let detector: YoloDetector;
    if (resolved.entry) {
      checkModelDims(session, resolved.entry, resolved.path, session.dynamicInput);
      const { family: _family, decoded: _decoded, inputSize: _inputSize, ...catalogOptions } = detectorOptions;
      detector = await YoloDetector.fromCatalog(resolved.entry, { ...catalogOptions, session, ownsSession: true });
    } else {
      // A file loaded with a dynamic input size keeps the size it was exported for as the bound of the resize.
      const inputSize = detectorOptions.inputSize ?? session.dynamicInput?.inputSize;
      detector = await YoloDetector.create({ ...detectorOptions, ...(inputSize ? { inputSize } : {}), session, ownsSession: true });
    }
    return { detector, executionProvider: session.executionProvider, modelPath: resolved.path, model: resolved.entry };
  } catch (err) {
    await session.release();
    throw err;
  }
}

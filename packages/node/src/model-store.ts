import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCodes, VidaiError, getCatalogModel, isVidaiError, modelCatalog, type CatalogModel, type DynamicInputReport } from '@vidai/core';
import { InferenceSession } from 'onnxruntime-node';
import { downloadFile, type DownloadProgress } from './download.js';
import { createDownloadProgressBar } from './progress-bar.js';

/** Where {@link modelCacheDir} looks; every field defaults to the running process's. */
export interface ModelCacheDirContext {
  /** Environment variables. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Operating system, as `process.platform` names it. Default: `process.platform`. */
  platform?: NodeJS.Platform;
  /** The user's home directory. Default: `os.homedir()`. */
  homeDir?: string;
}

/**
 * The folder where catalog models are kept: `VIDAI_MODEL_DIR` when set, else the
 * user's cache folder: `$XDG_CACHE_HOME/vidai/models` or `~/.cache/vidai/models` on
 * Linux, `~/Library/Caches/vidai/models` on macOS, `%LOCALAPPDATA%\vidai\models` on
 * Windows.
 */
export function modelCacheDir(context: ModelCacheDirContext = {}): string {
  const env = context.env ?? process.env;
  const platform = context.platform ?? process.platform;
  const home = context.homeDir ?? homedir();
  if (env.VIDAI_MODEL_DIR) return resolve(env.VIDAI_MODEL_DIR);
  // Join with the target platform's separator, whatever platform computes it.
  const sep = platform === 'win32' ? '\\' : '/';
  const path = (...parts: string[]) => parts.map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p)).join(sep);
  switch (platform) {
    case 'win32':
      return path(env.LOCALAPPDATA || path(home, 'AppData', 'Local'), 'vidai', 'models');
    case 'darwin':
      return path(home, 'Library', 'Caches', 'vidai', 'models');
    default:
      return path(env.XDG_CACHE_HOME || path(home, '.cache'), 'vidai', 'models');
  }
}

/** Options of {@link resolveModel}. */
export interface ResolveModelOptions {
  /** Folder of downloaded catalog models. Default: {@link modelCacheDir} (`VIDAI_MODEL_DIR` or the user's cache folder). */
  cacheDir?: string;
  /** Download a catalog model missing from the cache. Default true; when false a missing model is `model-not-found`. */
  download?: boolean;
  /**
   * Download progress. Default: a progress bar on stderr when stderr is a terminal
   * ({@link createDownloadProgressBar}), nothing otherwise. Pass `null` for none.
   */
  onProgress?: ((progress: DownloadProgress) => void) | null;
  /**
   * Load the file in onnxruntime and check its input and output dims against the
   * catalog entry before returning it. Default true. A fresh download is always checked
   * before it is moved into the cache.
   */
  verify?: boolean;
  /** Cancels a download; the promise rejects with code `aborted`. */
  signal?: AbortSignal;
}

/** A model file ready to load. */
export interface ResolvedModel {
  /** Absolute path of the `.onnx` file. */
  path: string;
  /** The catalog entry, when the model was named by catalog id (or entry). */
  entry: CatalogModel | undefined;
  /** Where the file came from: the path given, the cache folder, or a download just made. */
  source: 'path' | 'cache' | 'download';
}

const downloads = new Map<string, Promise<void>>();

/**
 * Finds a model file: an existing file path wins; otherwise a catalog id (or entry) is
 * looked up in the cache folder and, when missing there, downloaded into it from the
 * entry's URL (progress bar on a terminal, SHA-256 checked when the catalog knows it,
 * never a partial file left behind).
 *
 * @throws VidaiError `model-not-found` when the argument is neither a file nor a catalog id
 *   (the message lists the ids), or the model is not cached and `download` is false;
 *   `model-download-failed` when the download fails (the message says where to put the file
 *   by hand); `model-load-failed` when the file is not a loadable ONNX model;
 *   `model-shape-mismatch` when its dims are not the catalog's; `aborted`.
 *
 * @example
 * ```ts
 * const { path } = await resolveModel('yolox-nano'); // ~/.cache/vidai/models/yolox_nano.onnx
 * const same = await resolveModel('./models/yolox_nano.onnx');
 * ```
 */
export async function resolveModel(model: string | CatalogModel, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
  const verify = options.verify ?? true;
  let entry: CatalogModel;
  if (typeof model === 'string') {
    if (model.length === 0) throw new TypeError('model must be a catalog id or a path to an .onnx file, got an empty string');
    if (await isFile(model)) {
      const path = resolve(model);
      if (verify) await verifyModelFile(path);
      return { path, entry: undefined, source: 'path' };
    }
    try {
      entry = getCatalogModel(model);
    } catch (err) {
      if (!isVidaiError(err, ErrorCodes.MODEL_NOT_FOUND)) throw err;
      const known = Object.keys(modelCatalog);
      throw new VidaiError(
        ErrorCodes.MODEL_NOT_FOUND,
        `'${model}' is neither a model file (no file at ${resolve(model)}) nor a catalog model id. ` +
          `Known ids: ${known.join(', ')}. Pass one of them or the path to an .onnx file.`,
        { cause: err, details: { model, known } },
      );
    }
  } else if (model !== null && typeof model === 'object' && typeof model.fileName === 'string' && typeof model.url === 'string') {
    entry = model;
  } else {
    throw new TypeError('model must be a catalog id, a catalog entry, or a path to an .onnx file');
  }

  const cacheDir = resolve(options.cacheDir ?? modelCacheDir());
  const path = join(cacheDir, entry.fileName);
  if (await isFile(path)) {
    if (verify) await verifyModelFile(path, entry);
    return { path, entry, source: 'cache' };
  }
  if (options.download === false) {
    throw new VidaiError(
      ErrorCodes.MODEL_NOT_FOUND,
      `Model '${entry.id}' is not in the cache (${path}) and downloading is off. ` +
        `Download ${entry.url} and save it as ${path}, or allow the download.`,
      { details: { id: entry.id, path, url: entry.url } },
    );
  }

  // One download per destination at a time within this process.
  let pending = downloads.get(path);
  if (pending === undefined) {
    pending = download(entry, cacheDir, path, options).finally(() => downloads.delete(path));
    downloads.set(path, pending);
  }
  await pending;
  return { path, entry, source: 'download' };
}

async function download(entry: CatalogModel, cacheDir: string, path: string, options: ResolveModelOptions): Promise<void> {
  const manual =
    `Download it yourself from ${entry.url} and save it as ${path} ` +
    `(or set VIDAI_MODEL_DIR to a folder that holds ${entry.fileName}, or pass the file's path).`;
  try {
    await mkdir(cacheDir, { recursive: true });
  } catch (err) {
    throw new VidaiError(
      ErrorCodes.MODEL_DOWNLOAD_FAILED,
      `Cannot create the model cache folder ${cacheDir} (${(err as Error).message}). Set VIDAI_MODEL_DIR or cacheDir to a writable folder.`,
      { cause: err, details: { id: entry.id, cacheDir } },
    );
  }
  const onProgress = options.onProgress === null ? undefined : (options.onProgress ?? createDownloadProgressBar(entry.fileName));
  try {
    await downloadFile(entry.url, path, {
      ...(entry.sha256 !== undefined ? { sha256: entry.sha256 } : {}),
      ...(entry.sizeBytes !== undefined ? { sizeBytes: entry.sizeBytes } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      verify: (tempPath) => verifyModelFile(tempPath, entry, `the file downloaded from ${entry.url}`),
    });
  } catch (err) {
    if (isVidaiError(err, ErrorCodes.MODEL_DOWNLOAD_FAILED)) {
      throw new VidaiError(ErrorCodes.MODEL_DOWNLOAD_FAILED, `Could not download model '${entry.id}': ${err.message} ${manual}`, {
        cause: err,
        details: { ...err.details, id: entry.id, path },
      });
    }
    throw err;
  }
}

/**
 * Loads `path` in onnxruntime (CPU, no graph optimization) and, given a catalog
 * entry, checks its input and output dims against the entry's.
 *
 * @throws VidaiError `model-load-failed` when the file is not a loadable ONNX model;
 *   `model-shape-mismatch` when its dims differ from the entry's.
 */
export async function verifyModelFile(path: string, entry?: CatalogModel, what = path): Promise<void> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  } catch (err) {
    throw modelLoadFailed(what, err);
  }
  try {
    if (entry) checkModelDims(session, entry, what);
  } finally {
    await session.release();
  }
}

/** A `model-load-failed` error for a file onnxruntime could not load. @internal */
export function modelLoadFailed(what: string, cause: unknown): VidaiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new VidaiError(
    ErrorCodes.MODEL_LOAD_FAILED,
    `onnxruntime could not load ${what} as a model (${reason}). Check that it is a complete .onnx file; ` +
      `a cached download that is damaged can be deleted and will be fetched again.`,
    { cause, details: { path: what } },
  );
}

/**
 * Checks a session's image input and detection output against a catalog entry
 * (symbolic dims match anything).
 *
 * @throws VidaiError `model-shape-mismatch`.
 * @internal
 */
export function checkModelDims(session: InferenceSession, entry: CatalogModel, what: string, declared?: DynamicInputReport): void {
  // A session loaded with a dynamic input size: compare what the file itself declared.
  const before = (name: string) =>
    declared?.input.name === name ? declared.input.dims : declared?.outputs[name]?.dims;
  const shapeOf = (metadata: readonly InferenceSession.ValueMetadata[], name: string) => {
    const value = metadata.find((m) => m.name === name) ?? metadata[0];
    if (!value?.isTensor) return undefined;
    const original = before(value.name);
    return { name: value.name, shape: original ? original.map((d) => d ?? '?') : value.shape };
  };
  const input = shapeOf(session.inputMetadata, entry.inputName);
  const output = shapeOf(session.outputMetadata, entry.outputName);
  const fits = (actual: readonly (number | string)[] | undefined, expected: readonly number[]) =>
    actual !== undefined && actual.length === expected.length && actual.every((d, i) => typeof d === 'string' || d === expected[i]);
  if (!fits(input?.shape, entry.inputDims) || !fits(output?.shape, entry.outputDims)) {
    const show = (v: { name: string; shape: readonly (number | string)[] } | undefined) => (v ? `'${v.name}' [${v.shape.join(', ')}]` : 'none');
    throw new VidaiError(
      ErrorCodes.MODEL_SHAPE_MISMATCH,
      `${what} has input ${show(input)} and output ${show(output)}, but catalog model '${entry.id}' has input ` +
        `[${entry.inputDims.join(', ')}] and output [${entry.outputDims.join(', ')}]: it is a different model. ` +
        `Replace it with ${entry.url}, or pass the file's path instead of the id to use it as it is.`,
      {
        details: {
          id: entry.id,
          input: input?.shape,
          output: output?.shape,
          expectedInput: [...entry.inputDims],
          expectedOutput: [...entry.outputDims],
        },
      },
    );
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

import {
  ErrorCodes,
  VidaiError,
  modelCatalog,
  type DetectOptions,
  type DetectionResult,
  type Detector,
  type Frame,
} from '@vidai/core';
import { DEFAULT_EXECUTION_PROVIDERS, checkProviders, type BackendReport, type ExecutionProvider } from './execution-provider.js';
import { InferenceEngine, type EngineImage, type EngineInfo, type EngineInit, type ModelOptions, type ResizeMode } from './inference-engine.js';
import { loadModel, type ModelLoadProgress } from './model-loader.js';
import type { FromWorker, SerializedError, ToWorker } from './worker-protocol.js';

/** Progress of {@link BrowserDetector.create}. */
export type DetectorLoadProgress =
  | ({ phase: 'download' } & ModelLoadProgress)
  | { phase: 'runtime'; provider: ExecutionProvider }
  | { phase: 'session'; provider: ExecutionProvider }
  | { phase: 'ready'; provider: ExecutionProvider };

/** Options of {@link BrowserDetector.create}; also takes every core `YoloDetector` option that is plain data. */
export interface BrowserDetectorOptions extends ModelOptions {
  /**
   * The model: a catalog id (`'yolox-nano'`), a URL of an `.onnx` file (relative URLs
   * resolve against the page), or its bytes.
   */
  model: string | URL | ArrayBuffer | Uint8Array;
  /**
   * Where catalog models are served, as a folder URL: the file is `modelBaseUrl + entry.fileName`
   * (e.g. `'/models/'` serves `/models/yolox_nano.onnx`). Default: the catalog's download URL,
   * which browsers can only fetch when it sends CORS headers (GitHub releases do not).
   */
  modelBaseUrl?: string | URL;
  /** Providers to try in order; the first that can run the model is used. Default `['webgpu', 'webgl', 'wasm']`. */
  executionProviders?: ExecutionProvider[];
  /**
   * Run inference in a dedicated Worker (`true`), on the calling thread (`false`), or in
   * a Worker started from this script URL (when a bundler moved `detector-worker.js`).
   * Default `true`.
   */
  worker?: boolean | string | URL;
  /**
   * Workers that detect frames in parallel, each with its own session; a
   * {@link DetectionLoop} keeps this many frames in flight. On the CPU (`wasm`) two
   * Workers with one thread each give far more detections per second than one Worker
   * with two threads (small models use threads poorly), and need no cross-origin
   * isolation; each frame still takes one inference. `'auto'`: 2 Workers when the `wasm`
   * provider is used and `navigator.hardwareConcurrency >= 2`, else 1 (a GPU gains
   * nothing from a second session). Default `'auto'`.
   */
  workers?: number | 'auto';
  /**
   * WebAssembly threads per Worker. Default: `min(4, navigator.hardwareConcurrency) / workers`
   * (at least 1) when the page is cross-origin isolated, else 1 (the reason is in
   * `backend.wasm.threadsReason`).
   */
  numThreads?: number;
  /**
   * Folder URL serving onnxruntime-web's `ort-wasm-simd-threaded*.{mjs,wasm}` files.
   * Default: the copies shipped in this package's `dist/`, found by bundlers through
   * `new URL('./ort-wasm-simd-threaded.wasm', import.meta.url)`.
   */
  wasmPaths?: string | URL;
  /** How frames are scaled to the model input; see {@link ResizeMode}. Default `'core'` (boxes equal the Node detector's). */
  resize?: ResizeMode;
  /** Cache downloaded models in the Cache API (`true`: cache `'vidai-models'`, or a cache name). Default `true`. */
  cache?: boolean | string;
  /** Called during loading: download bytes, runtime loading, session creation, ready. Default: none. */
  onProgress?: (progress: DetectorLoadProgress) => void;
  /** Aborts loading (rejects with code `aborted`). Default: none. */
  signal?: AbortSignal;
}

/** What the detector accepts: a core {@link Frame} of pixels, or anything a canvas can draw. */
export type DetectorInput =
  | Frame
  | VideoFrame
  | ImageBitmap
  | ImageData
  | HTMLVideoElement
  | HTMLCanvasElement
  | HTMLImageElement
  | OffscreenCanvas;

/** Per-call options of {@link BrowserDetector.detect}. */
export interface BrowserDetectOptions extends DetectOptions {
  /**
   * Timestamp of the frame in ms, copied to the result so it can be matched with the
   * frame (the overlay does). Default: a `Frame`'s own, a VideoFrame's (µs / 1000), a
   * video's `currentTime * 1000`, else `performance.now()`.
   */
  timestamp?: number;
  /** Sequence number copied to the result. Default: a `Frame`'s own, else a counter. */
  seq?: number;
  /**
   * Hand the `VideoFrame`/`ImageBitmap` (or the Frame's buffer) to the detector, which
   * closes it; saves a copy. Default `false`: the input stays usable by the caller.
   */
  transfer?: boolean;
}

/** A detection result with the backend that produced it. */
export interface BrowserDetectionResult extends DetectionResult {
  /** The provider in use, why the others were not used, and the wasm threads. */
  backend: BackendReport;
}

const now = () => performance.now();

function deserialize(e: SerializedError): Error {
  if (e.code) return new VidaiError(e.code as VidaiError['code'], e.message, e.details ? { details: e.details } : {});
  if (e.name === 'TypeError') return new TypeError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

function isFrame(input: DetectorInput): input is Frame {
  return typeof input === 'object' && input !== null && 'data' in input && 'format' in input;
}

function pageUrl(): string | undefined {
  return (globalThis as { location?: { href: string } }).location?.href;
}

/** A transport to the engine: a Worker or the engine itself. */
interface Channel {
  detect(msg: Extract<ToWorker, { type: 'detect' }>, transfer: Transferable[], signal?: AbortSignal): Promise<{ result: DetectionResult; workerMs: number }>;
  close(): Promise<void>;
}

class WorkerChannel implements Channel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void; onProgress?: (m: FromWorker) => void }>();
  private failure: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const msg = event.data;
      const entry = this.pending.get(msg.id);
      if (!entry) return;
      if (msg.type === 'progress') {
        entry.onProgress?.(msg);
        return;
      }
      this.pending.delete(msg.id);
      if (msg.type === 'error') entry.reject(deserialize(msg.error));
      else entry.resolve(msg);
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.fail(
        new VidaiError(
          ErrorCodes.WORKER_FAILED,
          `The detector Worker failed: ${event.message || 'it could not be loaded'}. If a bundler moved detector-worker.js, pass ` +
            "its URL as `worker`, or run on the main thread with `worker: false`.",
          { details: { filename: event.filename, line: event.lineno } },
        ),
      );
    };
    worker.onmessageerror = () => this.fail(new VidaiError(ErrorCodes.WORKER_FAILED, 'A message from the detector Worker could not be read.'));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const entry of this.pending.values()) entry.reject(err);
    this.pending.clear();
  }

  request(msg: ToWorker, transfer: Transferable[] = [], onProgress?: (m: FromWorker) => void, signal?: AbortSignal): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<FromWorker>((resolve, reject) => {
      const id = msg.id;
      const onAbort = () => {
        this.pending.delete(id);
        reject(new VidaiError(ErrorCodes.ABORTED, 'Detection was aborted.', { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = <T,>(f: (v: T) => void) => (v: T) => {
        signal?.removeEventListener('abort', onAbort);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), ...(onProgress ? { onProgress } : {}) });
      try {
        this.worker.postMessage(msg, transfer);
      } catch (err) {
        this.pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  id(): number {
    return this.nextId++;
  }

  async init(model: Uint8Array, init: EngineInit, onProgress: (m: FromWorker) => void, signal?: AbortSignal): Promise<EngineInfo> {
    const reply = await this.request({ type: 'init', id: this.id(), model, init }, [model.buffer as ArrayBuffer], onProgress, signal);
    if (reply.type !== 'ready') throw new TypeError(`unexpected worker reply ${reply.type}`);
    return reply.info;
  }

  async detect(msg: Extract<ToWorker, { type: 'detect' }>, transfer: Transferable[], signal?: AbortSignal) {
    const reply = await this.request({ ...msg, id: this.id() }, transfer, undefined, signal);
    if (reply.type !== 'result') throw new TypeError(`unexpected worker reply ${reply.type}`);
    return { result: reply.result, workerMs: reply.workerMs };
  }

  /** Stops the Worker at once. */
  terminate(): void {
    this.worker.terminate();
  }

  async close(): Promise<void> {
    if (!this.failure) {
      await this.request({ type: 'close', id: this.id() }).catch(() => undefined);
    }
    this.fail(new VidaiError(ErrorCodes.CLOSED, 'The detector was closed.'));
    this.worker.terminate();
  }
}

class LocalChannel implements Channel {
  constructor(private readonly engine: InferenceEngine) {}
  async detect(msg: Extract<ToWorker, { type: 'detect' }>) {
    const t0 = now();
    const result = await this.engine.detect(msg);
    return { result, workerMs: now() - t0 };
  }
  close(): Promise<void> {
    return this.engine.close();
  }
}

/**
 * Object detection in the browser on onnxruntime-web. Inference runs in a dedicated
 * Worker by default, so the page stays responsive; execution providers are tried in
 * order (`webgpu`, `webgl`, `wasm`) and the one used, with the reasons the others were
 * not, is in {@link BrowserDetector.backend} and in every result. Decoding and NMS are
 * the core `YoloDetector`'s, so results equal the Node detector's.
 *
 * @example
 * ```ts
 * const detector = await BrowserDetector.create({
 *   model: 'yolox-nano',
 *   modelBaseUrl: '/models/',            // serve yolox_nano.onnx from your own origin
 *   onProgress: (p) => console.log(p.phase),
 * });
 * console.log(detector.backend.provider, detector.backend.wasm?.threadsReason);
 * const result = await detector.detect(videoElement);
 * for (const d of result.detections) console.log(d.label, d.score, d.box);
 * await detector.close();
 * ```
 */
export class BrowserDetector implements Detector {
  /** The backend in use and why (also attached to every result). */
  readonly backend: BackendReport;
  /** Output family being decoded (`'yolox'`, `'yolov8'`, ...). */
  readonly family: string;
  /** Model input size in pixels (with minimal padding, the bound of the resize). */
  readonly inputSize: { readonly width: number; readonly height: number };
  /**
   * The padding in effect: `'minimal'` (catalog models by default) pads frames only to
   * multiples of 32, so a 16:9 camera runs the model at 416x256; see core's
   * `YoloDetectorOptions.padding`.
   */
  readonly padding: 'full' | 'minimal';
  /** Class names by class id. */
  readonly labels: readonly string[];

  /** How many detections can run at once (the number of Workers). */
  readonly concurrency: number;

  private seq = 0;
  private closing: Promise<void> | undefined;
  private readonly inFlight: number[];

  private constructor(
    private readonly channels: Channel[],
    info: EngineInfo,
  ) {
    this.concurrency = channels.length;
    this.inFlight = channels.map(() => 0);
    this.backend = info.backend;
    this.family = info.family;
    this.inputSize = Object.freeze({ ...info.inputSize });
    this.padding = info.padding;
    this.labels = info.labels;
  }

  /**
   * Loads the model (from the Cache API when cached), starts the Worker and creates
   * the session on the first execution provider that can run the model.
   *
   * @throws VidaiError `model-not-found` (unknown catalog id), `model-download-failed`,
   *   `no-execution-provider` (with `details.attempts`), `worker-failed`, `aborted`, and the
   *   core detector's `model-shape-mismatch` / `unknown-output-format`.
   * @throws TypeError for invalid options.
   */
  static async create(options: BrowserDetectorOptions): Promise<BrowserDetector> {
    if (options === null || typeof options !== 'object' || options.model === undefined) {
      throw new TypeError('BrowserDetector.create: options.model is required (a catalog id, a URL or the model bytes).');
    }
    const {
      model,
      modelBaseUrl,
      executionProviders,
      worker,
      numThreads,
      wasmPaths,
      resize,
      workers,
      cache,
      onProgress,
      signal,
      ...modelOptions
    } = options;
    const providers = checkProviders(executionProviders ?? [...DEFAULT_EXECUTION_PROVIDERS]);
    if (numThreads !== undefined && !(Number.isInteger(numThreads) && numThreads >= 1)) {
      throw new TypeError(`numThreads must be a positive integer, got ${String(numThreads)}.`);
    }
    if (workers !== undefined && workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1)) {
      throw new TypeError(`workers must be a positive integer or 'auto', got ${String(workers)}.`);
    }
    if (resize !== undefined && resize !== 'core' && resize !== 'canvas') {
      throw new TypeError(`resize must be 'core' or 'canvas', got ${String(resize)}.`);
    }

    // Resolve the model to bytes on this thread (relative URLs resolve against the page).
    let bytes: Uint8Array;
    let catalogId: string | undefined;
    if (model instanceof Uint8Array) bytes = model.slice();
    else if (model instanceof ArrayBuffer) bytes = new Uint8Array(model.slice(0));
    else {
      const id = typeof model === 'string' && Object.hasOwn(modelCatalog, model) ? model : undefined;
      const entry = id === undefined ? undefined : modelCatalog[id];
      if (typeof model === 'string' && !entry && /^[a-z0-9][a-z0-9-]*$/i.test(model) && !model.includes('.')) {
        throw new VidaiError(
          ErrorCodes.MODEL_NOT_FOUND,
          `Unknown model id '${model}'; known ids: ${Object.keys(modelCatalog).join(', ')} (or pass the URL of an .onnx file).`,
          { details: { id: model } },
        );
      }
      catalogId = id;
      const url = entry ? (modelBaseUrl !== undefined ? new URL(entry.fileName, new URL(modelBaseUrl, pageUrl())) : entry.url) : model;
      const loaded = await loadModel(url, {
        ...(cache !== undefined ? { cache } : {}),
        ...(entry?.sha256 ? { sha256: entry.sha256 } : {}),
        ...(signal ? { signal } : {}),
        onProgress: (p) => onProgress?.({ phase: 'download', ...p }),
      });
      bytes = loaded.bytes;
    }
    if (signal?.aborted) throw new VidaiError(ErrorCodes.ABORTED, 'BrowserDetector.create was aborted.', { cause: signal.reason });

    const useWorker = worker ?? true;
    const auto = (workers ?? 'auto') === 'auto';
    const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
    const workerCount = useWorker === false ? 1 : auto ? (cores >= 2 ? 2 : 1) : (workers as number);
    const init: EngineInit = {
      providers,
      numThreads,
      workers: workerCount,
      wasmPaths: wasmPaths === undefined ? undefined : new URL(wasmPaths, pageUrl()).href.replace(/\/?$/, '/'),
      catalogId,
      model: modelOptions,
      resize: resize ?? 'core',
      thread: useWorker === false ? 'main' : 'worker',
    };
    const progress = (p: { phase: 'runtime' | 'session'; provider: ExecutionProvider }) => onProgress?.(p);

    let channels: Channel[];
    let info: EngineInfo;
    if (useWorker === false) {
      const engine = await InferenceEngine.create(bytes, init, progress);
      channels = [new LocalChannel(engine)];
      info = engine.info;
    } else {
      const started: WorkerChannel[] = [];
      const start = (i: number) => {
        let w: Worker;
        try {
          w =
            useWorker === true
              ? new Worker(new URL('./detector-worker.js', import.meta.url), { type: 'module', name: `vidai-detector-${i}` })
              : new Worker(new URL(useWorker, pageUrl()), { type: 'module', name: `vidai-detector-${i}` });
        } catch (err) {
          throw new VidaiError(ErrorCodes.WORKER_FAILED, `The detector Worker could not be started: ${err instanceof Error ? err.message : String(err)}.`, {
            cause: err,
          });
        }
        const wc = new WorkerChannel(w);
        started.push(wc);
        return wc;
      };
      const onWorkerProgress = (m: FromWorker) => m.type === 'progress' && progress(m.progress);
      try {
        // The first Worker finds the provider; the others go straight to it.
        const more = workerCount > 1 ? bytes.slice() : undefined;
        info = await start(0).init(bytes, init, onWorkerProgress, signal);
        const count = auto && info.backend.provider !== 'wasm' ? 1 : workerCount;
        const rest = { ...init, providers: [info.backend.provider] };
        await Promise.all(
          Array.from({ length: count - 1 }, (_, i) => start(i + 1).init(i === count - 2 ? more! : more!.slice(), rest, () => {}, signal)),
        );
      } catch (err) {
        for (const wc of started) wc.terminate();
        throw err;
      }
      channels = started;
      info = { ...info, backend: { ...info.backend, workers: channels.length } };
    }
    onProgress?.({ phase: 'ready', provider: info.backend.provider });
    return new BrowserDetector(channels, info);
  }

  /**
   * Detects objects in an image, video frame or pixel frame. Boxes are in the input's
   * pixels (`videoWidth` x `videoHeight` for a video).
   *
   * @throws VidaiError `closed` after `close()`, `aborted`, `inference-failed`,
   *   `worker-failed`; TypeError for an unsupported input.
   */
  async detect(input: DetectorInput, options: BrowserDetectOptions = {}): Promise<BrowserDetectionResult> {
    if (this.closing) throw new VidaiError(ErrorCodes.CLOSED, 'detect() after close(); create a new detector.');
    if (options.signal?.aborted) throw new VidaiError(ErrorCodes.ABORTED, 'Detection was aborted.', { cause: options.signal.reason });
    const t0 = now();
    const { payload, transfer, timestamp } = await this.prepare(input, options);
    const t1 = now();
    const seq = options.seq ?? (isFrame(input) ? input.seq : this.seq++);
    const msg = {
      type: 'detect' as const,
      id: 0,
      input: payload,
      timestamp: options.timestamp ?? timestamp,
      seq,
      ...(options.scoreThreshold !== undefined ? { scoreThreshold: options.scoreThreshold } : {}),
      ...(options.iouThreshold !== undefined ? { iouThreshold: options.iouThreshold } : {}),
    };
    // The least busy Worker takes the frame.
    let index = 0;
    for (let i = 1; i < this.inFlight.length; i++) if (this.inFlight[i]! < this.inFlight[index]!) index = i;
    this.inFlight[index]!++;
    let reply: { result: DetectionResult; workerMs: number };
    try {
      reply = await this.channels[index]!.detect(msg, transfer, options.signal);
    } finally {
      this.inFlight[index]!--;
    }
    const { result, workerMs } = reply;
    const total = now() - t0;
    return {
      ...result,
      timings: { ...result.timings, capture: t1 - t0, transfer: Math.max(0, total - (t1 - t0) - workerMs), total },
      backend: this.backend,
    };
  }

  /** Stops the Worker (or releases the main-thread session). Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.channels.map((c) => c.close())).then(() => undefined);
    return this.closing;
  }

  private async prepare(
    input: DetectorInput,
    options: BrowserDetectOptions,
  ): Promise<{ payload: EngineImage | Frame; transfer: Transferable[]; timestamp: number }> {
    const own = options.transfer ?? false;
    if (isFrame(input)) {
      const whole = input.data.byteOffset === 0 && input.data.byteLength === input.data.buffer.byteLength;
      const data = own && whole ? input.data : input.data.slice();
      return { payload: { ...input, data }, transfer: this.backend.thread === 'worker' ? [data.buffer as ArrayBuffer] : [], timestamp: input.timestamp };
    }
    if (typeof VideoFrame !== 'undefined' && input instanceof VideoFrame) {
      const frame = own ? input : input.clone();
      return { payload: frame, transfer: [frame], timestamp: input.timestamp / 1000 };
    }
    if (typeof ImageBitmap !== 'undefined' && input instanceof ImageBitmap) {
      const bitmap = own ? input : await createImageBitmap(input);
      return { payload: bitmap, transfer: [bitmap], timestamp: now() };
    }
    if (typeof ImageData !== 'undefined' && input instanceof ImageData) {
      const data = new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength).slice();
      const frame: Frame = { data, width: input.width, height: input.height, format: 'rgba', timestamp: now(), seq: 0 };
      return { payload: frame, transfer: [data.buffer], timestamp: frame.timestamp };
    }
    if (typeof HTMLVideoElement !== 'undefined' && input instanceof HTMLVideoElement) {
      if (input.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || input.videoWidth === 0) {
        throw new VidaiError(ErrorCodes.INVALID_FRAME, 'The video has no frame yet (readyState < HAVE_CURRENT_DATA); wait for "loadeddata" or use a VideoElementSource.');
      }
      const timestamp = input.currentTime * 1000;
      const image =
        typeof VideoFrame !== 'undefined' ? new VideoFrame(input, { timestamp: Math.round(timestamp * 1000) }) : await createImageBitmap(input);
      return { payload: image, transfer: [image], timestamp };
    }
    if (
      (typeof HTMLCanvasElement !== 'undefined' && input instanceof HTMLCanvasElement) ||
      (typeof HTMLImageElement !== 'undefined' && input instanceof HTMLImageElement) ||
      (typeof OffscreenCanvas !== 'undefined' && input instanceof OffscreenCanvas)
    ) {
      const bitmap = await createImageBitmap(input);
      return { payload: bitmap, transfer: [bitmap], timestamp: now() };
    }
    throw new TypeError('BrowserDetector.detect: input must be a Frame, VideoFrame, ImageBitmap, ImageData, video, canvas or image element.');
  }
}

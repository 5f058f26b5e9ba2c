import {
  ErrorCodes,
  VidaiError,
  YoloDetector,
  getCatalogModel,
  letterboxTransform,
  wantsDynamicInputSize,
  withDynamicInputSize,
  type DetectionResult,
  type Frame,
  type YoloDetectorOptions,
} from '@vidai/core';
import type * as Ort from 'onnxruntime-web';
import type { BackendReport, ExecutionProvider, ProviderAttempt, WasmReport } from './execution-provider.js';
import { cpuWasmFiles, webgpuWasmFiles } from './wasm-assets.js';

type OrtModule = typeof Ort;

/** Detector options that can cross into a Worker (no functions, no session). */
export type ModelOptions = Omit<YoloDetectorOptions, 'session' | 'now' | 'createTensor' | 'ownsSession'>;

/**
 * How an image becomes the model input:
 * - `'core'`: the core letterbox resizes full-resolution pixels, exactly as the Node
 *   detector does. A `VideoFrame` in I420, NV12, RGBA or RGBX is read with `copyTo`
 *   (its own YUV bytes, no colour conversion by the browser); other images are drawn
 *   at full size on an OffscreenCanvas and read back.
 * - `'canvas'`: `drawImage` scales the image to the letterboxed size (GPU where there
 *   is one) and only the small image is read back. Less data to read for big frames,
 *   but the 8-bit rounding of the scaled image moves boxes of sensitive objects by a
 *   pixel or two and scores by about 0.01-0.02.
 */
export type ResizeMode = 'core' | 'canvas';

/** Everything the engine needs besides the model bytes; structured-cloneable. */
export interface EngineInit {
  /** Providers to try, in order. */
  providers: ExecutionProvider[];
  /** Threads for the wasm backend; undefined = min(4, hardwareConcurrency) / workers when isolated. */
  numThreads: number | undefined;
  /** Engines running side by side (they share the cores). */
  workers: number;
  /** Absolute URL prefix of the onnxruntime-web wasm files; undefined = the package's copies. */
  wasmPaths: string | undefined;
  /** Catalog id when the model came from the catalog (fixes family, size, labels). */
  catalogId: string | undefined;
  /** Detector options. */
  model: ModelOptions;
  /** Resize strategy. */
  resize: ResizeMode;
  /** Where this engine runs. */
  thread: 'worker' | 'main';
}

/** Model facts reported once the engine is ready. */
export interface EngineInfo {
  /** The backend in use and why. */
  backend: BackendReport;
  /** Output family being decoded. */
  family: string;
  /** Model input size in pixels. */
  inputSize: { width: number; height: number };
  /** Padding in effect. */
  padding: 'full' | 'minimal';
  /** Class names. */
  labels: readonly string[];
}

/** An image the engine draws (ownership passes to the engine, which closes it). */
export type EngineImage = ImageBitmap | VideoFrame;

/** One detection request. */
export interface EngineRequest {
  /** A transferred image, or packed pixels. */
  input: EngineImage | Frame;
  /** Frame timestamp (ms), copied to the result. */
  timestamp: number;
  /** Frame sequence number, copied to the result. */
  seq: number;
  /** Per-call score threshold, 0..1. */
  scoreThreshold?: number;
  /** Per-call NMS IoU threshold, 0..1. */
  iouThreshold?: number;
}

/** Progress of engine creation. */
export type EngineProgress = { phase: 'runtime'; provider: ExecutionProvider } | { phase: 'session'; provider: ExecutionProvider };

const loaders: Record<ExecutionProvider, () => Promise<OrtModule>> = {
  wasm: () => import('onnxruntime-web/wasm'),
  webgl: () => import('onnxruntime-web/webgl'),
  webgpu: () => import('onnxruntime-web/webgpu'),
};

const now = () => performance.now();

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Checks that a provider's browser API exists before downloading its runtime. */
async function unavailableReason(provider: ExecutionProvider): Promise<string | undefined> {
  switch (provider) {
    case 'webgpu': {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      if (!gpu) return 'WebGPU is not supported here (navigator.gpu is undefined).';
      try {
        const adapter = await gpu.requestAdapter();
        return adapter ? undefined : 'WebGPU has no adapter (navigator.gpu.requestAdapter() returned null: no GPU, or GPU access is disabled).';
      } catch (err) {
        return `WebGPU adapter request failed: ${message(err)}`;
      }
    }
    case 'webgl': {
      try {
        const canvas =
          typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
        const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
        return gl ? undefined : 'WebGL is not available (no webgl2/webgl context could be created).';
      } catch (err) {
        return `WebGL context creation failed: ${message(err)}`;
      }
    }
    case 'wasm':
      return typeof WebAssembly === 'object' ? undefined : 'WebAssembly is not supported here.';
  }
}

/** Decides the wasm thread count and says why. */
export function wasmThreads(requested: number | undefined, workers = 1): { threads: number; reason: string; isolated: boolean } {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
  if (!isolated) {
    return {
      threads: 1,
      isolated,
      reason:
        'single-threaded: the page is not cross-origin isolated, so SharedArrayBuffer (needed by wasm threads) is unavailable; ' +
        'serve it with "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" to use threads.',
    };
  }
  if (requested !== undefined) return { threads: requested, isolated, reason: `numThreads: ${requested} requested.` };
  const threads = Math.max(1, Math.floor(Math.min(4, cores) / workers));
  return {
    threads,
    isolated,
    reason:
      workers > 1
        ? `cross-origin isolated: min(4, hardwareConcurrency ${cores}) / ${workers} workers = ${threads} thread${threads > 1 ? 's' : ''} each.`
        : `cross-origin isolated: min(4, hardwareConcurrency ${cores}) = ${threads} threads.`,
  };
}

/**
 * The inference half of the browser detector: creates an onnxruntime-web session with
 * provider fallback, wraps it in the core {@link YoloDetector}, and turns transferred
 * images into frames. Runs inside the detector Worker, or on the main thread.
 *
 * @internal
 */
export class InferenceEngine {
  private canvas: OffscreenCanvas | HTMLCanvasElement | undefined;
  private ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | undefined;
  private closed = false;

  private constructor(
    private readonly detector: YoloDetector,
    private readonly resize: ResizeMode,
    readonly info: EngineInfo,
  ) {}

  /** Creates the session (trying providers in order) and the detector. */
  static async create(modelBytes: Uint8Array, init: EngineInit, onProgress?: (p: EngineProgress) => void): Promise<InferenceEngine> {
    const attempts: ProviderAttempt[] = [];
    let wasm: WasmReport | undefined;
    // Minimal padding (catalog models by default) needs the input's height and width dynamic.
    const catalogEntry = init.catalogId ? getCatalogModel(init.catalogId) : undefined;
    let modelOptions = init.model;
    if (wantsDynamicInputSize(init.model.padding, catalogEntry)) {
      const dynamic = withDynamicInputSize(modelBytes);
      modelBytes = dynamic.model;
      // A model file keeps the size it was exported for as the bound of the resize.
      const inputSize = init.model.inputSize ?? dynamic.report.inputSize;
      if (inputSize) modelOptions = { ...modelOptions, inputSize };
    }
    for (const provider of init.providers) {
      const t0 = now();
      const unavailable = await unavailableReason(provider);
      if (unavailable) {
        attempts.push({ provider, status: 'unavailable', reason: unavailable, ms: now() - t0 });
        continue;
      }
      let ort: OrtModule;
      let session: Ort.InferenceSession;
      try {
        onProgress?.({ phase: 'runtime', provider });
        ort = await loaders[provider]();
        if (provider === 'wasm' || provider === 'webgpu') {
          const { threads, reason, isolated } = wasmThreads(init.numThreads, init.workers);
          const paths = init.wasmPaths ?? (provider === 'wasm' ? cpuWasmFiles() : webgpuWasmFiles());
          ort.env.wasm.wasmPaths = paths;
          ort.env.wasm.numThreads = threads;
          // ORT's own proxy worker is redundant: this engine already runs in one (or was asked not to).
          ort.env.wasm.proxy = false;
          if (provider === 'wasm') wasm = { threads, threadsReason: reason, crossOriginIsolated: isolated, simd: true, wasmPaths: paths };
        }
        onProgress?.({ phase: 'session', provider });
        session = await ort.InferenceSession.create(modelBytes, {
          executionProviders: [provider],
          graphOptimizationLevel: 'all',
        });
      } catch (err) {
        // ORT skips a provider that fails to initialise, but not one that cannot load this
        // model (e.g. WebGL and int64): every failure here moves on to the next provider.
        attempts.push({ provider, status: 'failed', reason: message(err), ms: now() - t0 });
        if (provider === 'wasm') wasm = undefined;
        continue;
      }
      attempts.push({ provider, status: 'used', ms: now() - t0 });
      const createTensor = (data: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', data, dims);
      const options: YoloDetectorOptions = { ...modelOptions, session, ownsSession: true, createTensor };
      let detector: YoloDetector;
      try {
        detector = catalogEntry ? await YoloDetector.fromCatalog(catalogEntry, options) : await YoloDetector.create(options);
      } catch (err) {
        await session.release().catch(() => {});
        throw err;
      }
      const backend: BackendReport = {
        provider,
        attempts,
        ...(provider === 'wasm' && wasm ? { wasm } : {}),
        thread: init.thread,
        workers: init.thread === 'main' ? 1 : init.workers,
        runtimeVersion: ort.env.versions.web ?? 'unknown',
      };
      const info: EngineInfo = {
        backend,
        family: detector.family,
        inputSize: { ...detector.inputSize },
        padding: detector.padding,
        labels: detector.labels,
      };
      return new InferenceEngine(detector, init.resize, info);
    }
    const tried = attempts.map((a) => `${a.provider}: ${a.reason ?? a.status}`).join('; ');
    throw new VidaiError(
      ErrorCodes.NO_EXECUTION_PROVIDER,
      `No execution provider could run the model (${tried}). Add 'wasm' to executionProviders, or check that the onnxruntime-web ` +
        `files are served (see the wasmPaths option).`,
      { details: { attempts } },
    );
  }

  /** Detects one image or pixel frame; closes a transferred image. */
  async detect(request: EngineRequest): Promise<DetectionResult> {
    if (this.closed) {
      closeImage(request.input);
      throw new VidaiError(ErrorCodes.CLOSED, 'detect() after close(); create a new detector.');
    }
    const thresholds = {
      ...(request.scoreThreshold !== undefined ? { scoreThreshold: request.scoreThreshold } : {}),
      ...(request.iouThreshold !== undefined ? { iouThreshold: request.iouThreshold } : {}),
    };
    const { input } = request;
    if (!isImage(input)) {
      return this.detector.detect({ ...input, timestamp: request.timestamp, seq: request.seq }, thresholds);
    }
    const t0 = now();
    let frame: Frame;
    try {
      const { width, height } = imageSize(input);
      const raw = this.resize === 'core' ? await readVideoFrame(input, request) : undefined;
      if (raw) {
        frame = raw;
      } else {
        let dw = width;
        let dh = height;
        if (this.resize === 'canvas') {
          const t = letterboxTransform(width, height, { ...this.detector.preprocess, size: this.detector.inputSize });
          dw = t.contentWidth;
          dh = t.contentHeight;
        }
        const ctx = this.context(dw, dh);
        ctx.drawImage(input, 0, 0, dw, dh);
        const pixels = ctx.getImageData(0, 0, dw, dh);
        frame = { data: pixels.data, width: dw, height: dh, format: 'rgba', timestamp: request.timestamp, seq: request.seq };
      }
      // Pixels read at another size than the image shows: the detector maps boxes to the shown size.
      if (frame.width !== width || frame.height !== height) frame = { ...frame, displayWidth: width, displayHeight: height };
    } finally {
      closeImage(input);
    }
    const read = now() - t0;
    const result = await this.detector.detect(frame, thresholds);
    return {
      ...result,
      timings: { ...result.timings, preprocess: result.timings.preprocess + read, read },
    };
  }

  /** Releases the session. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.detector.close();
    if (this.canvas) this.canvas.width = this.canvas.height = 0;
  }

  private context(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
    if (!this.canvas || !this.ctx) {
      this.canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
      const ctx = this.canvas.getContext('2d', { willReadFrequently: true, alpha: false }) as
        | OffscreenCanvasRenderingContext2D
        | CanvasRenderingContext2D
        | null;
      if (!ctx) throw new VidaiError(ErrorCodes.UNSUPPORTED_FORMAT, 'A 2D canvas context is needed to read video frames and none could be created.');
      this.ctx = ctx;
    }
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    // Bilinear, as the core letterbox (OpenCV INTER_LINEAR) resizes.
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.imageSmoothingQuality = 'low';
    return this.ctx;
  }
}

/** VideoFrame pixel formats the core letterbox reads directly. */
const RAW_FORMATS: Partial<Record<string, Frame['format']>> = { I420: 'i420', NV12: 'nv12', RGBA: 'rgba', RGBX: 'rgba' };

/**
 * The frame's own pixels (tightly packed, visible rectangle) when its format is one the
 * core reads, else undefined. Avoids the browser's YUV -> RGB conversion and the canvas.
 */
async function readVideoFrame(input: EngineImage, request: EngineRequest): Promise<Frame | undefined> {
  if (!('copyTo' in input) || !input.format) return undefined;
  const format = RAW_FORMATS[input.format];
  const rect = input.visibleRect;
  if (!format || !rect) return undefined;
  const data = new Uint8Array(input.allocationSize());
  try {
    await input.copyTo(data);
  } catch {
    return undefined; // e.g. a GPU-backed frame that cannot be read: draw it instead
  }
  return { data, width: rect.width, height: rect.height, format, timestamp: request.timestamp, seq: request.seq };
}

function isImage(input: EngineImage | Frame): input is EngineImage {
  return !('data' in input && 'format' in input);
}

function imageSize(image: EngineImage): { width: number; height: number } {
  return 'displayWidth' in image
    ? { width: image.displayWidth, height: image.displayHeight }
    : { width: image.width, height: image.height };
}

function closeImage(input: EngineImage | Frame): void {
  if (isImage(input)) input.close();
}

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import {
  Evented,
  ErrorCodes,
  TimerSet,
  abortedError,
  checkDetectOptions,
  VidaiError,
  validateFrame,
  type CatalogModel,
  type DetectOptions,
  type DetectionResult,
  type Detector,
  type Frame,
  type ModelFamily,
  type PreprocessOptions,
} from '@vidai/core';
import { Backoff } from './backoff.js';
import { resolveDetectorModel, type NodeDetectorOptions } from './create-detector.js';
import {
  deserializeError,
  type DetectorWorkerInfo,
  type DetectorWorkerInit,
  type FromDetectorWorker,
  type ToDetectorWorker,
} from './detector-worker-protocol.js';

/** Options of {@link WorkerDetector.create}: those of `createNodeDetector`, plus the pool's. */
export interface WorkerDetectorOptions extends Omit<NodeDetectorOptions, 'sessionCache' | 'now' | 'createTensor'> {
  /**
   * Worker threads, each with its own onnxruntime session (its own copy of the model's
   * weights): up to this many frames are detected at once. Default 1: inference off the
   * main thread, no more memory than one session. Use one per stream served at once, up
   * to the number of cores.
   */
  workers?: number;
  /**
   * Threads onnxruntime uses inside one operator, per worker. Default: the cores
   * (`os.availableParallelism()`) divided by `workers`, at least 1, so the pool as a
   * whole uses each core once.
   */
  intraOpNumThreads?: number;
  /**
   * Hand each frame's pixel buffer to the worker instead of copying it: when the frame's
   * `data` spans its whole `ArrayBuffer`, that buffer is transferred and the caller's
   * `frame.data` is left detached (length 0) once `detect()` is called. Default false:
   * the pixels are copied once, into a buffer that is transferred, and the caller keeps
   * its frame.
   */
  transferFrames?: boolean;
}

/** One worker of a {@link WorkerDetector}, in {@link WorkerDetectorStats}. */
export interface DetectorWorkerStats {
  /** The worker's `threadId` (a replacement gets a new one). */
  threadId: number;
  /** `'starting'` (loading the session), `'idle'`, `'busy'` (detecting) or `'stopped'`. */
  state: 'starting' | 'idle' | 'busy' | 'stopped';
  /** Frames this slot detected successfully, across replacements. */
  detections: number;
  /** Detections that failed in this slot (typed errors and crashes), across replacements. */
  errors: number;
}

/** Counters of a {@link WorkerDetector}. */
export interface WorkerDetectorStats {
  /** One entry per worker slot. */
  workers: DetectorWorkerStats[];
  /** `detect()` calls waiting for a free worker. */
  queued: number;
  /** Workers that died and were replaced. */
  restarts: number;
}

/** Events of a {@link WorkerDetector}. */
export type WorkerDetectorEvents = {
  /**
   * A worker died (code `worker-failed`; the detection it was running rejects with the
   * same error and a replacement starts), or a replacement could not start (its own code,
   * e.g. `model-load-failed`; it is tried again with backoff).
   */
  error: [error: VidaiError];
};

/** Creates worker threads; tests pass one that keeps hold of them. @internal */
export type SpawnWorker = (url: URL, options: WorkerOptions) => Worker;

interface Job {
  id: number;
  frame: Frame;
  transfer: ArrayBuffer;
  options: DetectOptions;
  resolve: (result: DetectionResult) => void;
  reject: (error: unknown) => void;
  settled: boolean;
  offAbort: (() => void) | undefined;
}

/** A place in the pool, filled by one worker after another when they die. */
interface Slot {
  worker: Worker | undefined;
  state: DetectorWorkerStats['state'];
  job: Job | undefined;
  /** Resolves when the slot's job settles (close waits for it). */
  idle: Promise<void>;
  markIdle: () => void;
  /** The worker's last uncaught error, reported with its exit. */
  lastError: Error | undefined;
  /** Set once the current worker has exited. */
  exitCode: number | undefined;
  /** Called when the current worker exits after it was ready. */
  onExit: (() => void) | undefined;
  /** close() is ending the worker: its exit is expected. */
  closing: boolean;
  detections: number;
  errors: number;
}

/** Steps between attempts to replace a worker that fails to start again, in ms. */
const RESTART_BACKOFF_MS = [500, 1000, 2000, 5000, 10_000];
/** How long close() lets a worker release its session before terminating it, in ms. */
const CLOSE_GRACE_MS = 5000;

const spawnWorker: SpawnWorker = (url, options) => new Worker(url, options);

/**
 * A {@link Detector} that runs `createNodeDetector`'s detector inside `worker_threads`
 * workers, so inference never blocks the main thread (onnxruntime-node's `session.run`
 * is synchronous: in the main thread, every inference stalls sockets, timers, WebRTC
 * and decoding for its whole duration).
 *
 * The model is resolved (cache, download) once on the main thread; each worker opens
 * the file in a session of its own. `detect()` sends the frame to a free worker (its
 * pixels copied once into a transferred buffer, or handed over with `transferFrames`)
 * and resolves with the worker's result; with all workers busy, calls wait in order.
 * Up to `workers` calls run at once ({@link concurrency}): pipelines of several streams
 * sharing one detector are spread over the workers. A worker that dies rejects its
 * detection with `worker-failed` and is replaced. Idle workers do not keep the process
 * alive.
 *
 * @example
 * ```ts
 * const detector = await WorkerDetector.create({ model: 'yolox-nano', workers: 2 });
 * const server = new InferenceServer({ detector });
 * // ...
 * await server.close();
 * await detector.close();
 * ```
 */
export class WorkerDetector extends Evented<WorkerDetectorEvents> implements Detector {
  /** Number of workers: the most `detect()` calls that run at once. */
  readonly concurrency: number;
  /** The execution provider the workers' sessions run on, e.g. `'cpu'`. */
  readonly executionProvider: string;
  /** Absolute path of the model file. */
  readonly modelPath: string;
  /** The catalog entry when the model was named by id or entry; `undefined` for a file. */
  readonly model: CatalogModel | undefined;
  /** The output format being decoded. */
  readonly family: ModelFamily;
  /** Model input size in pixels. */
  readonly inputSize: { readonly width: number; readonly height: number };
  /** Class names by class id (empty when the model has none). */
  readonly labels: readonly string[];
  /** Preprocessing in effect. */
  readonly preprocess: Readonly<PreprocessOptions>;

  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly init: DetectorWorkerInit;
  private readonly spawn: SpawnWorker;
  private readonly transferFrames: boolean;
  private readonly restartTimers = new TimerSet();
  private readonly backoff = new Map<Slot, Backoff>();
  private nextId = 1;
  private restarts = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(init: DetectorWorkerInit, info: DetectorWorkerInfo, slots: Slot[], spawn: SpawnWorker, transferFrames: boolean) {
    super();
    this.init = init;
    this.spawn = spawn;
    this.transferFrames = transferFrames;
    this.slots = slots;
    this.concurrency = slots.length;
    this.executionProvider = info.executionProvider;
    this.modelPath = init.modelPath;
    this.model = init.entry;
    this.family = info.family;
    this.inputSize = Object.freeze({ ...info.inputSize });
    this.labels = Object.freeze([...info.labels]);
    this.preprocess = Object.freeze({ ...info.preprocess });
    for (const slot of slots) this.watch(slot);
  }

  /**
   * Resolves the model on this thread (file, cache or download, as `createNodeDetector`
   * does), starts the workers and waits until every one has its session.
   *
   * @throws VidaiError with the code a worker failed with (`model-load-failed`,
   *   `model-shape-mismatch`, `no-execution-provider`, `unknown-output-format`, ...), the
   *   model resolution's codes (`model-not-found`, `model-download-failed`, `aborted`), or
   *   `worker-failed` when a worker thread cannot start (e.g. its file is missing from a bundle).
   * @throws TypeError for invalid options.
   */
  static create(options: WorkerDetectorOptions): Promise<WorkerDetector> {
    return WorkerDetector.createWith(options, spawnWorker);
  }

  /** {@link create} with the function that starts the worker threads (tests keep hold of them). @internal */
  static async createWith(options: WorkerDetectorOptions, spawn: SpawnWorker): Promise<WorkerDetector> {
    if (options === null || typeof options !== 'object') throw new TypeError('WorkerDetector.create needs an options object with a model');
    const { model, cacheDir, download, onProgress, signal, workers = 1, transferFrames = false, intraOpNumThreads, ...detectorOptions } = options;
    if (!Number.isInteger(workers) || workers < 1) throw new TypeError(`workers must be a positive integer, got ${String(workers)}`);
    if (intraOpNumThreads !== undefined && !(Number.isInteger(intraOpNumThreads) && intraOpNumThreads >= 1)) {
      throw new TypeError(`intraOpNumThreads must be a positive integer, got ${String(intraOpNumThreads)}`);
    }
    for (const key of ['now', 'createTensor', 'sessionCache'] as const) {
      if ((options as unknown as Record<string, unknown>)[key] !== undefined) {
        throw new TypeError(`WorkerDetector: option '${key}' cannot cross into a worker thread; use createNodeDetector for it`);
      }
    }
    const resolved = await resolveDetectorModel(model, { cacheDir, download, onProgress, signal }); // each worker loads the file and checks its dims
    const init: DetectorWorkerInit = {
      modelPath: resolved.path,
      entry: resolved.entry,
      options: { ...detectorOptions, intraOpNumThreads: intraOpNumThreads ?? Math.max(1, Math.floor(availableParallelism() / workers)) },
    };
    const slots = Array.from({ length: workers }, newSlot);
    const terminateAll = () => Promise.all(slots.map((slot) => slot.worker?.terminate().catch(() => undefined)));
    const ready: Promise<DetectorWorkerInfo>[] = [];
    try {
      for (const slot of slots) ready.push(startWorker(slot, init, spawn));
    } catch (error) {
      await terminateAll();
      throw error;
    }
    const outcomes = await Promise.allSettled(ready);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      await terminateAll();
      throw failed.reason;
    }
    const info = (outcomes[0] as PromiseFulfilledResult<DetectorWorkerInfo>).value;
    return new WorkerDetector(init, info, slots, spawn, transferFrames);
  }

  /**
   * Detects objects in `frame` on a free worker (waiting for one when all are busy).
   * Boxes are `[x1, y1, x2, y2]` in the frame's pixels, as from `YoloDetector.detect`.
   *
   * @throws VidaiError `closed` after `close()`; `aborted` when `options.signal` aborts
   *   (a running detection finishes in its worker, its result is dropped); `invalid-frame`
   *   / `unsupported-format` for a bad frame; `worker-failed` when the worker died during
   *   the detection; the detector's own codes (`inference-failed`, ...) from the worker.
   * @throws TypeError for thresholds outside 0..1.
   */
  detect(frame: Frame, options: DetectOptions = {}): Promise<DetectionResult> {
    return new Promise<DetectionResult>((resolve, reject) => {
      if (this.closed) throw new VidaiError(ErrorCodes.CLOSED, 'detect() was called after close(); create a new detector.');
      checkDetectOptions(options);
      const signal = options.signal;
      validateFrame(frame);
      const data = this.pixelsToSend(frame.data);
      const job: Job = {
        id: this.nextId++,
        frame: {
          data,
          width: frame.width,
          height: frame.height,
          ...(frame.displayWidth === undefined ? {} : { displayWidth: frame.displayWidth, displayHeight: frame.displayHeight! }),
          format: frame.format,
          timestamp: frame.timestamp,
          seq: frame.seq,
        },
        transfer: data.buffer as ArrayBuffer,
        options,
        resolve,
        reject,
        settled: false,
        offAbort: undefined,
      };
      if (signal) {
        const onAbort = (): void => {
          const index = this.queue.indexOf(job);
          if (index >= 0) this.queue.splice(index, 1);
          settle(job, abortedError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        job.offAbort = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** Per-worker counters, the calls waiting for a worker and the replacements so far. */
  stats(): WorkerDetectorStats {
    return {
      workers: this.slots.map((s) => ({ threadId: s.worker?.threadId ?? -1, state: s.state, detections: s.detections, errors: s.errors })),
      queued: this.queue.length,
      restarts: this.restarts,
    };
  }

  /**
   * Rejects the calls still waiting (`closed`), lets running detections finish, then
   * stops every worker (each releases its session; one that does not stop within 5 s is
   * terminated). Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.restartTimers.clear();
      for (const job of this.queue.splice(0)) {
        settle(job, new VidaiError(ErrorCodes.CLOSED, 'The detector was closed before this frame reached a worker.'));
      }
      await Promise.all(this.slots.map((slot) => this.stopSlot(slot)));
    })();
    return this.closing;
  }

  // -------------------------------------------------------------------------

  /** The frame's pixels in a buffer that can be transferred to a worker. */
  private pixelsToSend(data: Uint8Array | Uint8ClampedArray): Uint8Array | Uint8ClampedArray {
    const buffer = data.buffer;
    const whole = buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength;
    // Buffer.from(...) and small Buffers share pooled memory: only a view that spans its
    // own ArrayBuffer may be handed over; anything else is copied.
    if (this.transferFrames && whole) return data;
    return new Uint8Array(data);
  }

  /** Hands waiting calls to free workers. */
  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.state === 'idle');
      if (!slot) return;
      const job = this.queue.shift()!;
      if (job.settled) continue;
      slot.state = 'busy';
      slot.job = job;
      slot.idle = new Promise((resolve) => (slot.markIdle = resolve));
      const worker = slot.worker!;
      worker.ref(); // a detection in flight keeps the process alive, as the in-thread detector's does
      const message: ToDetectorWorker = {
        type: 'detect',
        id: job.id,
        frame: job.frame,
        ...(job.options.scoreThreshold !== undefined ? { scoreThreshold: job.options.scoreThreshold } : {}),
        ...(job.options.iouThreshold !== undefined ? { iouThreshold: job.options.iouThreshold } : {}),
      };
      try {
        worker.postMessage(message, [job.transfer]);
      } catch (cause) {
        this.finishJob(slot, new VidaiError(ErrorCodes.INFERENCE_FAILED, `The frame could not be sent to a detector worker: ${String(cause)}`, { cause }));
      }
    }
  }

  /** Settles the slot's job and makes the slot free again. */
  private finishJob(slot: Slot, outcome: DetectionResult | Error): void {
    const job = slot.job;
    slot.job = undefined;
    if (job) {
      if (outcome instanceof Error) slot.errors++;
      else if (!job.settled) slot.detections++;
      settle(job, outcome);
    }
    slot.markIdle();
    if (slot.state === 'busy') {
      slot.state = 'idle';
      slot.worker?.unref();
    }
    if (!this.closed) this.pump();
  }

  /** Takes a ready worker into service. */
  private watch(slot: Slot): void {
    const worker = slot.worker!;
    worker.on('message', (msg: FromDetectorWorker) => {
      if (slot.worker !== worker) return;
      if (msg.type === 'result' && slot.job?.id === msg.id) this.finishJob(slot, msg.result);
      else if (msg.type === 'error' && slot.job?.id === msg.id) this.finishJob(slot, deserializeError(msg.error));
    });
    slot.onExit = () => this.onWorkerExit(slot);
    slot.state = 'idle';
    worker.unref();
    if (slot.exitCode !== undefined) this.onWorkerExit(slot); // it died between its ready message and now
  }

  /** A worker ended without being asked to: its detection fails, the slot is refilled. */
  private onWorkerExit(slot: Slot): void {
    slot.onExit = undefined;
    if (slot.closing) return;
    const threadId = slot.worker?.threadId;
    const reason = slot.lastError ? `: ${slot.lastError.message}` : '';
    const error = new VidaiError(
      ErrorCodes.WORKER_FAILED,
      `A detector worker thread died (exit code ${slot.exitCode}${reason}); it is being replaced. ` +
        `Errors that repeat point to the model or to memory limits.`,
      { ...(slot.lastError ? { cause: slot.lastError } : {}), details: { exitCode: slot.exitCode, ...(threadId !== undefined && threadId >= 0 ? { threadId } : {}) } },
    );
    slot.state = 'stopped';
    if (slot.job) this.finishJob(slot, error);
    if (this.closed) return;
    this.events.emit('error', error);
    this.restarts++;
    this.restart(slot);
  }

  private restart(slot: Slot): void {
    let ready: Promise<DetectorWorkerInfo>;
    try {
      ready = startWorker(slot, this.init, this.spawn);
    } catch (error) {
      ready = Promise.reject(error);
    }
    ready.then(
      () => {
        if (this.closed) return;
        this.backoff.delete(slot);
        this.watch(slot);
        this.pump();
      },
      (error: unknown) => {
        if (this.closed) return;
        slot.state = 'stopped';
        const failure = error instanceof VidaiError ? error : workerFailed('A replacement detector worker could not start', error);
        this.events.emit('error', failure);
        // With no worker left to serve them, waiting calls fail now rather than hang.
        if (!this.slots.some((s) => s.state === 'idle' || s.state === 'busy' || s.state === 'starting')) {
          for (const job of this.queue.splice(0)) settle(job, failure);
        }
        let backoff = this.backoff.get(slot);
        if (!backoff) this.backoff.set(slot, (backoff = new Backoff(RESTART_BACKOFF_MS)));
        this.restartTimers.set(
          () => {
            if (!this.closed) this.restart(slot);
          },
          backoff.next(),
          { unref: true },
        );
      },
    );
  }

  /** Waits for the slot's detection, then lets its worker release the session and end. */
  private async stopSlot(slot: Slot): Promise<void> {
    await slot.idle;
    slot.closing = true;
    const worker = slot.worker;
    const wasIdle = slot.state === 'idle';
    slot.state = 'stopped';
    if (!worker || slot.exitCode !== undefined) return; // already ended
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    if (wasIdle) {
      worker.postMessage({ type: 'close' } satisfies ToDetectorWorker);
      const timer = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(timer);
    } else {
      // Starting or failed: nothing to release gracefully.
      await Promise.all([worker.terminate().catch(() => undefined), exited]);
    }
  }
}

function settle(job: Job, outcome: DetectionResult | Error): void {
  if (job.settled) return;
  job.settled = true;
  job.offAbort?.();
  if (outcome instanceof Error) job.reject(outcome);
  else job.resolve(outcome);
}

function newSlot(): Slot {
  return {
    worker: undefined,
    state: 'stopped',
    job: undefined,
    idle: Promise.resolve(),
    markIdle: () => {},
    lastError: undefined,
    exitCode: undefined,
    onExit: undefined,
    closing: false,
    detections: 0,
    errors: 0,
  };
}

/**
 * Starts a worker in `slot` (replacing a dead one); resolves with its info once its
 * session is ready, rejects with the error it failed with.
 *
 * @throws VidaiError `worker-failed` when the thread cannot even be created.
 */
function startWorker(slot: Slot, init: DetectorWorkerInit, spawn: SpawnWorker): Promise<DetectorWorkerInfo> {
  const entry = workerEntry();
  let worker: Worker;
  try {
    worker = spawn(entry.url, { workerData: init, ...(entry.execArgv ? { execArgv: entry.execArgv } : {}), ...(entry.env ? { env: entry.env } : {}) });
  } catch (cause) {
    throw workerFailed(`A detector worker thread could not be started from ${entry.url.href}`, cause);
  }
  Object.assign(slot, { worker, state: 'starting', lastError: undefined, exitCode: undefined, onExit: undefined });
  // For the worker's whole life: its last error, and its exit (handled by the pool once it is in service).
  worker.on('error', (error) => {
    if (slot.worker === worker) slot.lastError = error;
  });
  worker.once('exit', (code) => {
    if (slot.worker !== worker) return;
    slot.exitCode = code;
    slot.onExit?.();
  });
  return new Promise<DetectorWorkerInfo>((resolve, reject) => {
    const onMessage = (msg: FromDetectorWorker): void => {
      if (msg.type === 'ready') {
        off();
        resolve(msg.info);
      } else if (msg.type === 'failed') {
        off();
        reject(deserializeError(msg.error, ErrorCodes.WORKER_FAILED));
      }
    };
    const onExit = (code: number): void => {
      off();
      reject(workerFailed(`A detector worker thread exited (code ${code}) before its session was ready (started from ${entry.url.href})`, slot.lastError));
    };
    const off = (): void => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

function workerFailed(what: string, cause: unknown): VidaiError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new VidaiError(
    ErrorCodes.WORKER_FAILED,
    `${what}${reason}. A bundled app must ship @vidai/node's dist/detector-worker.js next to the code that starts it; ` +
      `otherwise use createNodeDetector, which runs in the calling thread.`,
    { ...(cause !== undefined ? { cause } : {}) },
  );
}

/**
 * Where the worker's code is: `detector-worker.js` next to the built package, or, when
 * this module runs from its TypeScript source (tests, tsx), `detector-worker.ts` loaded
 * through tsx with the package's tsconfig (whose `paths` map `@vidai/core` to its source).
 */
function workerEntry(): { url: URL; execArgv?: string[]; env?: NodeJS.ProcessEnv } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL('./detector-worker.js', here) };
  let loader: string;
  try {
    loader = pathToFileURL(createRequire(here).resolve('tsx')).href;
  } catch (cause) {
    throw workerFailed('Running @vidai/node from its TypeScript sources needs tsx to start the detector worker (npm install -D tsx)', cause);
  }
  return {
    url: new URL('./detector-worker.ts', here),
    execArgv: ['--import', loader],
    env: { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL('../tsconfig.json', here)) },
  };
}

import type { DetectionResult, StageTimings } from './detection.js';
import type { DetectOptions, Detector } from './detector.js';
import { Evented } from './emitter.js';
import { ErrorCodes, VidaiError, type ErrorCode } from './errors.js';
import type { Frame, FrameSource } from './frame.js';
import { LatencyTracker, type LatencyStats, type LatencyTrackerOptions } from './latency-tracker.js';
import { ResultChannel } from './result-channel.js';
import { acceptAll, type Sampler } from './sampler.js';

/**
 * How a pipeline treats frames that arrive while the detector is busy.
 * - `'live'`: latest-frame-wins. The source is read continuously; one frame waits
 *   for the detector and a newer one replaces it (the old one counts as `dropped`),
 *   so latency never accumulates whatever the input rate.
 * - `'all'`: every sampled frame is detected, in order. The source is read only when
 *   the waiting slot is free (backpressure), so nothing is dropped: use it for files.
 */
export type PipelineMode = 'live' | 'all';

/**
 * Whether frame timestamps are wall-clock times (ms since the epoch), which decides
 * if the `total` latency (timestamp to result) can be computed.
 * `'auto'` treats a timestamp within 24 hours of `now()` as wall-clock.
 */
export type TimestampKind = 'wall-clock' | 'media' | 'auto';

/** Options of {@link createPipeline}. */
export interface PipelineOptions {
  /** Where frames come from. Closed by the pipeline unless `closeSource` is false. */
  source: FrameSource;
  /** Turns frames into detections. Not closed by the pipeline unless `closeDetector` is true. */
  detector: Detector;
  /** Decides which frames are detected; its `observe` receives every result. Default: every frame. */
  sampler?: Sampler;
  /** `'live'` (default) drops stale frames; `'all'` detects every sampled frame in order. */
  mode?: PipelineMode;
  /** Thresholds passed to every `detector.detect` call. Default: the detector's own. */
  detectOptions?: Omit<DetectOptions, 'signal'>;
  /**
   * Aborts the pipeline: `run()` rejects and iterators throw a VidaiError `aborted`.
   * The signal is also passed to `detector.detect`. Default: none.
   */
  signal?: AbortSignal;
  /** Clock for latency and stats intervals, in ms. Default `Date.now` (wall-clock, like live frame timestamps). */
  now?: () => number;
  /** Whether frame timestamps are wall-clock, for the `total` latency. Default `'auto'`. */
  timestamps?: TimestampKind;
  /** Options of the latency tracker (window of 300 samples per stage by default). */
  latency?: LatencyTrackerOptions;
  /** Least time between two `stats` events, in ms of `now()`; 0 disables them until the end. Default 1000. */
  statsIntervalMs?: number;
  /**
   * Decides whether a detector error ends the pipeline. Default: only `closed` and
   * `aborted` do; any other error is reported (`error` event, `errors` counter) and
   * the next frame is detected.
   */
  isFatal?: (error: VidaiError) => boolean;
  /** Close the source when the pipeline ends. Default true. */
  closeSource?: boolean;
  /** Close the detector when the pipeline ends. Default false (a detector is often shared). */
  closeDetector?: boolean;
  /** Shorthand for `pipeline.on('result', onResult)`. */
  onResult?: (result: DetectionResult) => void;
  /** Shorthand for `pipeline.on('error', onError)`. */
  onError?: (error: VidaiError, info: PipelineErrorInfo) => void;
}

/** Counters of a pipeline. At the end, `received = sampled + skipped` and `sampled = processed + errors + dropped`. */
export interface PipelineStats {
  /** Frames read from the source. */
  received: number;
  /** Frames the sampler accepted. */
  sampled: number;
  /** Frames the sampler rejected. */
  skipped: number;
  /**
   * Sampled frames never turned into a result: replaced while waiting for a busy
   * detector (latest-frame-wins), or discarded by `close()` or an abort.
   */
  dropped: number;
  /** Frames detected successfully (results delivered). */
  processed: number;
  /** Frames whose detection failed. */
  errors: number;
  /** Results an async iterator replaced before its consumer read them (live mode, slow consumer). */
  resultsDropped: number;
  /** Whether a frame is being detected now. */
  busy: boolean;
  /** Rolling latency per stage, in ms: the detector's stages plus `queue` and `total`. */
  latency: LatencyStats;
}

/** Where a reported error came from. */
export interface PipelineErrorInfo {
  /** The part that failed; `'pipeline'` for an abort through the signal. */
  stage: 'source' | 'detector' | 'pipeline';
  /** True when the error ended the pipeline. */
  fatal: boolean;
  /** The frame being detected, for detector errors. */
  frame?: Frame;
}

/** Events of a {@link Pipeline}. */
export type PipelineEvents = {
  /** A frame was detected. */
  result: [result: DetectionResult];
  /** A frame failed, or the pipeline failed (`info.fatal`). */
  error: [error: VidaiError, info: PipelineErrorInfo];
  /** Periodic counters, at most once per `statsIntervalMs`. */
  stats: [stats: PipelineStats];
  /** The pipeline ended (source done, `close()`, abort or fatal error), with the final counters. */
  end: [stats: PipelineStats];
};

const DAY_MS = 24 * 60 * 60 * 1000;
const STOP = Symbol('stop');

interface WaitingFrame {
  frame: Frame;
  /** `now()` when the pipeline accepted the frame. */
  acceptedAt: number;
}

function defaultIsFatal(error: VidaiError): boolean {
  return error.code === ErrorCodes.CLOSED || error.code === ErrorCodes.ABORTED;
}

function toVidaiError(error: unknown, code: ErrorCode, what: string): VidaiError {
  if (error instanceof VidaiError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new VidaiError(code, `${what}: ${reason}`, { cause: error });
}

/**
 * Runs frames from a source through a sampler and a detector and hands the results
 * to consumers: `result` events, an async iterator, or both.
 *
 * Nothing happens until {@link Pipeline.run} is called or iteration begins. The
 * pipeline ends when the source ends (after the frame being detected and the one
 * waiting), on `close()`, when `signal` aborts, or on a fatal error.
 *
 * Async iteration: in `'live'` mode an iterator keeps only the newest unread
 * result (a slower consumer skips results, counted in `resultsDropped`; nothing
 * buffers without bound); in `'all'` mode it keeps at most one unread result and the
 * pipeline waits for the consumer. Leaving a `for await` loop early closes the
 * pipeline, like a Node stream.
 *
 * @example
 * ```ts
 * const pipeline = createPipeline({ source, detector, sampler: everyNth(2) });
 * for await (const result of pipeline) draw(result.detections);
 * console.log(pipeline.stats());
 * ```
 */
export class Pipeline extends Evented<PipelineEvents> implements AsyncIterable<DetectionResult> {
  /** The mode the pipeline runs in. */
  readonly mode: PipelineMode;
  /** Rolling per-stage latency (ms) of the results. */
  readonly latency: LatencyTracker;

  private readonly source: FrameSource;
  private readonly detector: Detector;
  private readonly sampler: Sampler;
  private readonly detectOptions: DetectOptions;
  private readonly signal: AbortSignal | undefined;
  private readonly now: () => number;
  private readonly timestamps: TimestampKind;
  private readonly statsIntervalMs: number;
  private readonly isFatal: (error: VidaiError) => boolean;
  private readonly closeSource: boolean;
  private readonly closeDetector: boolean;
  private readonly channels = new Set<ResultChannel<DetectionResult>>();

  private readonly counters = { received: 0, sampled: 0, skipped: 0, dropped: 0, processed: 0, errors: 0, resultsDropped: 0 };
  private waiting: WaitingFrame | undefined;
  private inFlight: Promise<void> | undefined;
  private slotWaiters: Array<() => void> = [];
  private readonly stopListeners = new Set<() => void>();
  private stopping = false;
  private ended = false;
  private fatal: { error: unknown } | undefined;
  private done: Promise<PipelineStats> | undefined;
  private closing: Promise<void> | undefined;
  private lastStatsAt = 0;

  constructor(options: PipelineOptions) {
    super();
    if (!options || typeof options !== 'object') throw new TypeError('Pipeline: options are required');
    const { source, detector } = options;
    if (!source || typeof source[Symbol.asyncIterator] !== 'function' || typeof source.close !== 'function') {
      throw new TypeError('Pipeline: source must be a FrameSource (an async iterable of frames with close())');
    }
    if (!detector || typeof detector.detect !== 'function') throw new TypeError('Pipeline: detector must have detect(frame)');
    const mode = options.mode ?? 'live';
    if (mode !== 'live' && mode !== 'all') throw new TypeError(`Pipeline: mode must be 'live' or 'all', got ${String(mode)}`);
    const statsIntervalMs = options.statsIntervalMs ?? 1000;
    if (!(statsIntervalMs >= 0)) throw new TypeError('Pipeline: statsIntervalMs must be a number >= 0');

    this.mode = mode;
    this.source = source;
    this.detector = detector;
    this.sampler = options.sampler ?? acceptAll;
    this.signal = options.signal;
    this.detectOptions = { ...options.detectOptions, ...(options.signal ? { signal: options.signal } : {}) };
    this.now = options.now ?? Date.now;
    this.timestamps = options.timestamps ?? 'auto';
    this.statsIntervalMs = statsIntervalMs;
    this.isFatal = options.isFatal ?? defaultIsFatal;
    this.closeSource = options.closeSource ?? true;
    this.closeDetector = options.closeDetector ?? false;
    this.latency = new LatencyTracker(options.latency);
    if (options.onResult) this.events.on('result', options.onResult);
    if (options.onError) this.events.on('error', options.onError);
  }



  /** The counters and rolling latency now. */
  stats(): PipelineStats {
    return { ...this.counters, busy: this.inFlight !== undefined, latency: this.latency.stats() };
  }

  /**
   * Starts the pipeline (once; later calls return the same promise). Resolves with
   * the final counters when the source ends or `close()` is called; rejects with
   * the error that ended it (a VidaiError `aborted` when `signal` aborts, a source
   * or fatal detector error, or whatever a sampler threw).
   */
  run(): Promise<PipelineStats> {
    if (!this.done) {
      this.done = this.execute();
      this.done.catch(() => {}); // the failure reaches run() callers and iterators; never unhandled
    }
    return this.done;
  }

  /**
   * Async iteration over results (starts the pipeline). See the class description
   * for how a slow consumer is handled.
   */
  [Symbol.asyncIterator](): AsyncIterator<DetectionResult> {
    const channel: ResultChannel<DetectionResult> = new ResultChannel<DetectionResult>(1, this.mode === 'live', () => {
      this.channels.delete(channel);
      void this.close();
    });
    if (this.ended) {
      channel.end(this.fatal);
      return channel;
    }
    this.channels.add(channel);
    void this.run();
    return channel;
  }

  /**
   * Stops reading the source, waits for the detection in progress to settle
   * (its result is discarded and counted as dropped), closes the source (and the
   * detector when `closeDetector`), and ends iterators normally. Safe to call twice.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.stop();
      this.closing = this.run().then(
        () => undefined,
        () => undefined,
      );
    }
    return this.closing;
  }

  // -------------------------------------------------------------------------

  private async execute(): Promise<PipelineStats> {
    const onAbort = (): void => {
      const error = new VidaiError(ErrorCodes.ABORTED, 'The pipeline was aborted through its signal.', { cause: this.signal?.reason });
      this.fail(error, { stage: 'pipeline', fatal: true });
    };
    if (this.signal?.aborted) onAbort();
    else this.signal?.addEventListener('abort', onAbort, { once: true });
    this.lastStatsAt = this.now();
    try {
      if (!this.stopping) await this.pump();
      // The source ended (or the pipeline is stopping): finish the frame in flight and the one waiting.
      while (this.inFlight) await this.inFlight;
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
      if (this.waiting) {
        this.waiting = undefined;
        this.counters.dropped++;
      }
      this.releaseSlotWaiters();
      await this.release();
      this.ended = true;
      for (const channel of this.channels) channel.end(this.fatal);
      this.channels.clear();
      const stats = this.stats();
      this.events.emit('stats', stats);
      this.events.emit('end', stats);
    }
    if (this.fatal) throw this.fatal.error;
    return this.stats();
  }

  /** Reads the source until it ends or the pipeline stops. */
  private async pump(): Promise<void> {
    let iterator: AsyncIterator<Frame> | undefined;
    let nextPending = false;
    try {
      iterator = this.source[Symbol.asyncIterator]();
      while (!this.stopping) {
        if (this.mode === 'all' && this.waiting) {
          await this.slotFree();
          continue;
        }
        nextPending = true;
        const next = await this.orStop(iterator.next());
        if (next === STOP) break;
        nextPending = false;
        if (next.done || this.stopping) break;
        this.accept(next.value);
      }
    } catch (error) {
      nextPending = false;
      this.fail(toVidaiError(error, ErrorCodes.SOURCE_FAILED, 'The frame source failed'), { stage: 'source', fatal: true });
    }
    if (!iterator?.return) return;
    // An async generator queues return() behind a pending next(): do not wait for it then
    // (closing the source makes that next() settle).
    const ending = Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => {});
    if (!nextPending) await ending;
  }

  /** Counts and samples one frame, then hands it to the detector or the waiting slot. */
  private accept(frame: Frame): void {
    this.counters.received++;
    let accepted: boolean;
    try {
      accepted = this.sampler.accept(frame);
    } catch (error) {
      this.fail(error, undefined);
      return;
    }
    if (!accepted) {
      this.counters.skipped++;
    } else {
      this.counters.sampled++;
      const entry = { frame, acceptedAt: this.now() };
      if (!this.inFlight) {
        this.inFlight = this.work(entry);
      } else {
        if (this.waiting) this.counters.dropped++; // latest-frame-wins
        this.waiting = entry;
      }
    }
    this.maybeEmitStats();
  }

  /** Detects `entry`, then whatever frame is waiting, until none is. */
  private async work(entry: WaitingFrame): Promise<void> {
    let current: WaitingFrame | undefined = entry;
    try {
      while (current && !this.stopping) {
        await this.detectOne(current);
        current = this.waiting;
        this.waiting = undefined;
        this.releaseSlotWaiters();
      }
      if (current) this.counters.dropped++; // stopped before it was detected
    } finally {
      this.inFlight = undefined;
    }
  }

  private async detectOne({ frame, acceptedAt }: WaitingFrame): Promise<void> {
    const startedAt = this.now();
    let result: DetectionResult;
    try {
      result = await this.detector.detect(frame, this.detectOptions);
    } catch (error) {
      if (this.stopping) {
        this.counters.dropped++;
        return;
      }
      this.counters.errors++;
      const failure = toVidaiError(error, ErrorCodes.INFERENCE_FAILED, 'Detection failed');
      if (this.isFatal(failure)) this.fail(failure, { stage: 'detector', fatal: true, frame });
      else this.events.emit('error', failure, { stage: 'detector', fatal: false, frame });
      return;
    }
    if (this.stopping) {
      this.counters.dropped++;
      return;
    }
    const finishedAt = this.now();
    const timings: StageTimings = { ...result.timings, queue: startedAt - acceptedAt };
    if (this.isWallClock(frame.timestamp, finishedAt)) timings.total = finishedAt - frame.timestamp;
    const delivered: DetectionResult = { ...result, timings };
    this.counters.processed++;
    this.latency.recordTimings(timings);
    try {
      this.sampler.observe?.(delivered);
    } catch (error) {
      this.fail(error, undefined);
      return;
    }
    this.events.emit('result', delivered);
    for (const channel of this.channels) this.counters.resultsDropped += channel.push(delivered);
    this.maybeEmitStats();
    if (this.mode === 'all' && this.channels.size > 0) {
      await this.orStop(Promise.all([...this.channels].map((channel) => channel.waitForSpace())));
    }
  }

  private isWallClock(timestamp: number, now: number): boolean {
    if (this.timestamps === 'media') return false;
    if (this.timestamps === 'wall-clock') return true;
    return Math.abs(now - timestamp) <= DAY_MS;
  }

  private maybeEmitStats(): void {
    if (this.statsIntervalMs === 0) return;
    const now = this.now();
    if (now - this.lastStatsAt < this.statsIntervalMs) return;
    this.lastStatsAt = now;
    this.events.emit('stats', this.stats());
  }

  /** Resolves when the waiting slot is empty or the pipeline stops. */
  private slotFree(): Promise<unknown> {
    if (!this.waiting || this.stopping) return Promise.resolve();
    return this.orStop(new Promise<void>((resolve) => this.slotWaiters.push(resolve)));
  }

  private releaseSlotWaiters(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Settles like `promise`, or with STOP as soon as the pipeline stops. The stop hook
   * is removed when `promise` settles, so nothing accumulates over a long run.
   */
  private orStop<T>(promise: Promise<T>): Promise<T | typeof STOP> {
    if (this.stopping) {
      promise.catch(() => {});
      return Promise.resolve(STOP);
    }
    return new Promise<T | typeof STOP>((resolve, reject) => {
      const wake = (): void => resolve(STOP);
      this.stopListeners.add(wake);
      promise.then(
        (value) => {
          this.stopListeners.delete(wake);
          resolve(value);
        },
        (error: unknown) => {
          this.stopListeners.delete(wake);
          reject(error);
        },
      );
    });
  }

  private stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    const listeners = [...this.stopListeners];
    this.stopListeners.clear();
    for (const wake of listeners) wake();
  }

  /**
   * Ends the pipeline with `error` unless it is already stopping (the first cause
   * wins); a VidaiError is also reported as an `error` event. A sampler's own error
   * (a bug, usually a TypeError) is passed as it is with `info` undefined.
   */
  private fail(error: unknown, info: PipelineErrorInfo | undefined): void {
    if (this.stopping) return;
    this.fatal = { error };
    this.stop();
    if (error instanceof VidaiError && info) this.events.emit('error', error, info);
  }

  /** Closes what the pipeline owns; failures while closing are reported, not thrown. */
  private async release(): Promise<void> {
    if (this.closeSource) {
      try {
        await this.source.close();
      } catch (error) {
        const failure = toVidaiError(error, ErrorCodes.SOURCE_FAILED, 'Closing the frame source failed');
        this.events.emit('error', failure, { stage: 'source', fatal: false });
      }
    }
    if (this.closeDetector) {
      try {
        await this.detector.close();
      } catch (error) {
        const failure = toVidaiError(error, ErrorCodes.INFERENCE_FAILED, 'Closing the detector failed');
        this.events.emit('error', failure, { stage: 'detector', fatal: false });
      }
    }
  }
}

/**
 * Creates a {@link Pipeline}. Nothing runs until `run()` is called or iteration begins.
 *
 * @example
 * ```ts
 * // A file: one result per decoded frame, in order.
 * const pipeline = createPipeline({ source, detector, mode: 'all' });
 * pipeline.on('result', (r) => console.log(r.seq, r.detections.length));
 * const stats = await pipeline.run();
 * ```
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  return new Pipeline(options);
}

import { Evented, ErrorCodes, LatencyTracker, VidaiError, type LatencyStats } from '@vidai/core';
import type { BrowserDetectionResult, BrowserDetectOptions, DetectorInput } from './browser-detector.js';
import type { CaptureSource, CapturedFrame } from './capture-source.js';

/** The part of a detector the loop uses (a {@link BrowserDetector} fits). */
export interface LoopDetector {
  /** Detects objects in one captured image; see {@link BrowserDetector.detect}. */
  detect(input: DetectorInput, options?: BrowserDetectOptions): Promise<BrowserDetectionResult>;
  /** Detections it can run at once (a BrowserDetector's number of Workers). Default 1. */
  readonly concurrency?: number;
}

/** Options of {@link DetectionLoop.start}. */
export interface DetectionLoopOptions {
  /** Where frames come from. Not closed by the loop. */
  source: CaptureSource;
  /** The detector. Not closed by the loop. */
  detector: LoopDetector;
  /** Minimum score, 0..1, changeable while running (`loop.scoreThreshold = x`). Default: the detector's. */
  scoreThreshold?: number;
  /** NMS IoU threshold, 0..1. Default: the detector's. */
  iouThreshold?: number;
  /** Stops the loop. Default: none. */
  signal?: AbortSignal;
  /** Results kept for the `fps` figure. Default 30. */
  fpsWindow?: number;
  /**
   * Frames in flight at once. With more than one, starts are spaced by the detection
   * time divided by this, so results arrive evenly. Default: `detector.concurrency` or 1.
   */
  concurrency?: number;
  /** Shorthand for `loop.on('result', onResult)`. */
  onResult?: (result: BrowserDetectionResult, info: LoopResultInfo) => void;
  /** Shorthand for `loop.on('error', onError)`. */
  onError?: (error: VidaiError) => void;
}

/** Extra facts about one result of the loop. */
export interface LoopResultInfo {
  /** ms from the frame's capture (or presentation) to the result, `performance.now()` clock. */
  latency: number;
  /** Frames the source presented since the previous grab that were never detected. */
  skipped: number;
}

/** Counters of a {@link DetectionLoop}. */
export interface DetectionLoopStats {
  /** Frames detected. */
  detected: number;
  /**
   * Frames the source presented that were skipped because the detector was busy, plus
   * results discarded because a newer frame's result came first (with concurrency > 1).
   */
  dropped: number;
  /** Detections that failed (and were reported). */
  errors: number;
  /** Results per second over the last `fpsWindow` results. */
  fps: number;
  /** Rolling per-stage timings in ms: the detector's stages plus `latency` (capture to result). */
  timings: LatencyStats;
}

/** Events of a {@link DetectionLoop}. */
export type DetectionLoopEvents = {
  /** A frame was detected. */
  result: [result: BrowserDetectionResult, info: LoopResultInfo];
  /** A detection failed; the loop goes on unless the detector was closed. */
  error: [error: VidaiError];
  /** The loop stopped (source ended or failed, `stop()`, abort or closed detector). */
  end: [stats: DetectionLoopStats];
};

function toVidaiError(err: unknown): VidaiError {
  if (err instanceof VidaiError) return err;
  return new VidaiError(ErrorCodes.INFERENCE_FAILED, `Detection failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/**
 * Runs a detector on a live source, latest-frame-wins: it grabs the newest frame only
 * when the detector is free (or one of its Workers, see `concurrency`), so when
 * inference is slower than the video, frames are skipped (counted in `dropped`), never
 * queued, and latency stays one inference long.
 * The frame goes to the detector without a copy (`transfer`), with its timestamp, so
 * an overlay can draw the result on the frame it belongs to.
 *
 * @example
 * ```ts
 * const loop = DetectionLoop.start({ source: new VideoElementSource(video), detector });
 * loop.on('result', (result) => overlay.push(result));
 * // ...
 * await loop.stop();
 * ```
 */
export class DetectionLoop extends Evented<DetectionLoopEvents> {
  /** Minimum score passed to each detection (0..1); undefined uses the detector's. */
  scoreThreshold: number | undefined;
  /** Resolves with the final counters when the loop ends. */
  readonly done: Promise<DetectionLoopStats>;

  private readonly tracker = new LatencyTracker();
  private readonly abort = new AbortController();
  private readonly resultTimes: number[] = [];
  private readonly fpsWindow: number;
  private readonly counters = { detected: 0, dropped: 0, errors: 0 };

  private constructor(private readonly options: DetectionLoopOptions) {
    super();
    this.scoreThreshold = options.scoreThreshold;
    this.fpsWindow = options.fpsWindow ?? 30;
    if (options.onResult) this.events.on('result', options.onResult);
    if (options.onError) this.events.on('error', options.onError);
    options.signal?.addEventListener('abort', () => this.abort.abort(options.signal?.reason), { once: true });
    this.done = this.run();
  }

  /** Starts detecting; returns at once. */
  static start(options: DetectionLoopOptions): DetectionLoop {
    if (!options?.source || typeof options.source.next !== 'function') throw new TypeError('DetectionLoop: source must be a CaptureSource.');
    if (!options.detector || typeof options.detector.detect !== 'function') throw new TypeError('DetectionLoop: detector must have detect().');
    const c = options.concurrency ?? options.detector.concurrency ?? 1;
    if (!(Number.isInteger(c) && c >= 1)) throw new TypeError(`DetectionLoop: concurrency must be a positive integer, got ${String(c)}.`);
    return new DetectionLoop(options);
  }


  /** Current counters. */
  stats(): DetectionLoopStats {
    const t = this.resultTimes;
    const fps = t.length >= 2 ? ((t.length - 1) * 1000) / (t[t.length - 1]! - t[0]!) : 0;
    return { ...this.counters, fps, timings: this.tracker.stats() };
  }

  /** Stops after the detection in progress; resolves with the final counters. Safe to call twice. */
  stop(): Promise<DetectionLoopStats> {
    this.abort.abort();
    return this.done;
  }

  private async run(): Promise<DetectionLoopStats> {
    const { source, detector } = this.options;
    const concurrency = this.options.concurrency ?? detector.concurrency ?? 1;
    const signal = this.abort.signal;
    const inFlight = new Set<Promise<void>>();
    let lastSeq: number | undefined;
    // Detections are ordered by when they started, not by the source's seq, so the
    // order holds whatever the source numbers its frames.
    let started = 0;
    let lastDelivered = 0;
    let lastStart = 0;
    let detectMs = 0;

    const detectOne = async (frame: CapturedFrame, skipped: number, order: number) => {
      const startedAt = performance.now();
      try {
        const result = await detector.detect(frame.image, {
          transfer: true,
          timestamp: frame.timestamp,
          seq: frame.seq,
          ...(this.scoreThreshold !== undefined ? { scoreThreshold: this.scoreThreshold } : {}),
          ...(this.options.iouThreshold !== undefined ? { iouThreshold: this.options.iouThreshold } : {}),
        });
        const at = performance.now();
        detectMs = detectMs === 0 ? at - startedAt : 0.8 * detectMs + 0.2 * (at - startedAt);
        if (order <= lastDelivered) {
          // A newer frame's result was delivered first: this one would move the boxes back in time.
          this.counters.dropped++;
          return;
        }
        lastDelivered = order;
        const latency = at - frame.capturedAt;
        this.counters.detected++;
        this.resultTimes.push(at);
        if (this.resultTimes.length > this.fpsWindow) this.resultTimes.shift();
        this.tracker.recordTimings(result.timings);
        this.tracker.record('latency', latency);
        this.events.emit('result', result, { latency, skipped });
      } catch (err) {
        frame.close();
        const error = toVidaiError(err);
        this.counters.errors++;
        this.events.emit('error', error);
        if (error.code === ErrorCodes.CLOSED || error.code === ErrorCodes.WORKER_FAILED) this.abort.abort();
      }
    };

    while (!signal.aborted) {
      if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      if (inFlight.size > 0 && detectMs > 0) {
        // Space the starts so that results arrive evenly rather than in bursts.
        const wait = lastStart + detectMs / concurrency - performance.now();
        if (wait > 0) await sleep(wait, signal);
        if (signal.aborted) break;
      }
      let frame: CapturedFrame | undefined;
      try {
        frame = await source.next(signal);
      } catch (err) {
        this.counters.errors++;
        this.events.emit('error', toVidaiError(err));
        break;
      }
      if (!frame) break;
      if (signal.aborted) {
        frame.close();
        break;
      }
      const skipped = lastSeq === undefined ? 0 : Math.max(0, frame.seq - lastSeq - 1);
      lastSeq = frame.seq;
      this.counters.dropped += skipped;
      lastStart = performance.now();
      const task: Promise<void> = detectOne(frame, skipped, ++started).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
    const stats = this.stats();
    this.events.emit('end', stats);
    return stats;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

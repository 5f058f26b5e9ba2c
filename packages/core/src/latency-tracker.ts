import type { StageTimings } from './detection.js';

/** Options of a {@link LatencyTracker}. */
export interface LatencyTrackerOptions {
  /**
   * Number of most recent samples kept per stage (count-based rolling window).
   * Default 300 (10 s at 30 results/s). Must be a positive integer.
   */
  windowSize?: number;
  /**
   * Most distinct stage names tracked; samples of further stages are ignored, so
   * timings that arrive from a peer cannot grow memory without bound. Default 32.
   */
  maxStages?: number;
}

/** Summary of one stage's recent samples, all in milliseconds except `count`. */
export interface StageLatency {
  /** Samples in the window (at most `windowSize`). */
  count: number;
  /** Arithmetic mean of the window (ms). */
  mean: number;
  /** Median of the window, nearest-rank (ms). */
  p50: number;
  /** 95th percentile of the window, nearest-rank (ms). */
  p95: number;
  /** Largest sample in the window (ms). */
  max: number;
  /** The most recent sample (ms). */
  last: number;
}

/** Per-stage summaries, keyed by stage name (`inference`, `total`, ...). */
export type LatencyStats = Record<string, StageLatency>;

const DEFAULT_WINDOW_SIZE = 300;
const DEFAULT_MAX_STAGES = 32;

/** A fixed-capacity ring of samples for one stage. */
class SampleRing {
  private readonly samples: Float64Array;
  private next = 0;
  private size = 0;
  private lastValue = 0;

  constructor(capacity: number) {
    this.samples = new Float64Array(capacity);
  }

  push(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.samples.length;
    if (this.size < this.samples.length) this.size++;
    this.lastValue = value;
  }

  summary(): StageLatency {
    // Sorting a copy only here keeps `push` O(1); a window of 300 sorts in microseconds.
    const sorted = this.samples.slice(0, this.size).sort();
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      count: this.size,
      mean: sum / this.size,
      p50: nearestRank(sorted, 0.5),
      p95: nearestRank(sorted, 0.95),
      max: sorted[this.size - 1] as number,
      last: this.lastValue,
    };
  }
}

/** The nearest-rank percentile of ascending `sorted` (not empty), `q` in 0..1. */
function nearestRank(sorted: Float64Array, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/**
 * Rolling latency statistics per stage. Each stage keeps its last `windowSize`
 * samples in a ring buffer (a count-based window: recording is O(1) and memory is
 * fixed; a window in time would grow with the rate). Percentiles use the
 * nearest-rank method on a sorted copy made only when {@link LatencyTracker.stats}
 * is called.
 *
 * @example
 * ```ts
 * const latency = new LatencyTracker({ windowSize: 100 });
 * latency.recordTimings(result.timings);
 * latency.record('total', Date.now() - result.timestamp);
 * console.log(latency.stats().inference?.p95);
 * ```
 */
export class LatencyTracker {
  /** Samples kept per stage. */
  readonly windowSize: number;
  /** Most distinct stages tracked. */
  readonly maxStages: number;
  private readonly stages = new Map<string, SampleRing>();

  constructor(options: LatencyTrackerOptions = {}) {
    const windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
    const maxStages = options.maxStages ?? DEFAULT_MAX_STAGES;
    if (!Number.isInteger(windowSize) || windowSize < 1) {
      throw new TypeError(`LatencyTracker: windowSize must be a positive integer, got ${String(windowSize)}`);
    }
    if (!Number.isInteger(maxStages) || maxStages < 1) {
      throw new TypeError(`LatencyTracker: maxStages must be a positive integer, got ${String(maxStages)}`);
    }
    this.windowSize = windowSize;
    this.maxStages = maxStages;
  }

  /**
   * Records one sample of `stage` in milliseconds. Negative values are kept (a
   * `total` across two clocks can be slightly negative); a sample for a new stage
   * beyond `maxStages` is ignored.
   *
   * @throws TypeError when `stage` is not a string or `ms` is not a finite number.
   */
  record(stage: string, ms: number): void {
    if (typeof stage !== 'string') throw new TypeError('LatencyTracker.record: stage must be a string');
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      throw new TypeError(`LatencyTracker.record: ms of stage "${stage}" must be a finite number, got ${String(ms)}`);
    }
    let ring = this.stages.get(stage);
    if (!ring) {
      if (this.stages.size >= this.maxStages) return;
      ring = new SampleRing(this.windowSize);
      this.stages.set(stage, ring);
    }
    ring.push(ms);
  }

  /**
   * Records every stage of `timings` (a result's `timings`). Entries that are not
   * finite numbers are skipped, since timings may come from a peer.
   */
  recordTimings(timings: Partial<StageTimings> | Readonly<Record<string, number>>): void {
    for (const [stage, ms] of Object.entries(timings)) {
      if (typeof ms === 'number' && Number.isFinite(ms)) this.record(stage, ms);
    }
  }

  /** Summaries of every stage that has at least one sample, in first-recorded order. */
  stats(): LatencyStats {
    // fromEntries defines own properties, so a stage named "__proto__" stays data.
    return Object.fromEntries([...this.stages].map(([stage, ring]) => [stage, ring.summary()]));
  }

  /** Forgets every sample and stage. */
  reset(): void {
    this.stages.clear();
  }
}

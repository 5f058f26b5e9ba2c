import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DetectionResult, Pipeline } from '@vidai/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { urlPath } from './request-guards.js';

/** Options of {@link PrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Registry to add the metrics to. Default: a new one (not prom-client's global registry). */
  registry?: Registry;
  /** Prefix of every metric name. Default `'vidai_'`. */
  prefix?: string;
  /** Also collect prom-client's process metrics (CPU, memory, event-loop lag, GC). Default false. */
  processMetrics?: boolean;
  /** Path served by {@link PrometheusMetrics.handle}. Default `'/metrics'`. */
  path?: string;
  /** Upper bounds of the stage-duration histogram buckets, in seconds. Default 1 ms to 2.5 s. */
  buckets?: number[];
}

/** The pipeline counters exported as `<prefix>frames_total{outcome=...}`. */
const OUTCOMES = ['received', 'sampled', 'skipped', 'dropped', 'processed', 'errors'] as const;

/**
 * Prometheus metrics of detection pipelines, on prom-client. Each observed pipeline is a
 * `stream` label:
 *
 * - `vidai_frames_total{stream, outcome}`: frames received, sampled, skipped (by the
 *   sampler), dropped (latest-frame-wins), processed, and failed (`errors`);
 * - `vidai_stage_duration_seconds{stream, stage}`: histogram of each stage of every
 *   result (`preprocess`, `inference`, `postprocess`, `queue`, `total`, ...);
 * - `vidai_detections_total{stream, label}`: objects detected, by class;
 * - `vidai_pipeline_busy{stream}`: 1 while a frame is being detected.
 *
 * @example
 * ```ts
 * const metrics = new PrometheusMetrics();
 * metrics.observe(pipeline, 'gate-camera');
 * http.createServer((req, res) => { if (!metrics.handle(req, res)) res.writeHead(404).end(); }).listen(9464);
 * ```
 */
export class PrometheusMetrics {
  /** The registry holding the metrics. */
  readonly registry: Registry;
  private readonly path: string;
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly stages: Histogram<'stream' | 'stage'>;
  private readonly detections: Counter<'stream' | 'label'>;

  constructor(options: PrometheusMetricsOptions = {}) {
    const prefix = options.prefix ?? 'vidai_';
    this.registry = options.registry ?? new Registry();
    this.path = options.path ?? '/metrics';
    const pipelines = this.pipelines;
    const registers = [this.registry];
    new Counter({
      name: `${prefix}frames_total`,
      help: 'Frames seen by a detection pipeline, by outcome.',
      labelNames: ['stream', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const [stream, pipeline] of pipelines) {
          const stats = pipeline.stats();
          for (const outcome of OUTCOMES) this.inc({ stream, outcome }, stats[outcome]);
        }
      },
    });
    new Gauge({
      name: `${prefix}pipeline_busy`,
      help: '1 while the pipeline is detecting a frame, else 0.',
      labelNames: ['stream'],
      registers,
      collect() {
        this.reset();
        for (const [stream, pipeline] of pipelines) this.set({ stream }, pipeline.stats().busy ? 1 : 0);
      },
    });
    this.stages = new Histogram({
      name: `${prefix}stage_duration_seconds`,
      help: 'Time spent in each stage of a detection, from frame to result.',
      labelNames: ['stream', 'stage'],
      buckets: options.buckets ?? [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.detections = new Counter({
      name: `${prefix}detections_total`,
      help: 'Objects detected, by class label.',
      labelNames: ['stream', 'label'],
      registers,
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix });
  }

  /**
   * Exports `pipeline` under the `stream` label until the returned function is called.
   * Counters are read from `pipeline.stats()` at scrape time; stage durations and
   * detections are recorded from its `result` events.
   *
   * @throws TypeError when `stream` is already observed.
   */
  observe(pipeline: Pipeline, stream: string): () => void {
    if (this.pipelines.has(stream)) throw new TypeError(`PrometheusMetrics: stream "${stream}" is already observed`);
    this.pipelines.set(stream, pipeline);
    const off = pipeline.on('result', (result) => this.record(stream, result));
    return () => {
      off();
      if (this.pipelines.get(stream) === pipeline) this.pipelines.delete(stream);
    };
  }

  /** Records one result under `stream` (for results that do not come from an observed pipeline). */
  record(stream: string, result: DetectionResult): void {
    for (const [stage, ms] of Object.entries(result.timings)) {
      if (Number.isFinite(ms) && ms >= 0) this.stages.observe({ stream, stage }, ms / 1000);
    }
    for (const d of result.detections) this.detections.inc({ stream, label: d.label });
  }

  /** The metrics in Prometheus' text exposition format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * Serves `GET <path>` (default `/metrics`) on a node:http request; returns false for
   * any other request so the caller can route it.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (urlPath(req) !== this.path || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    this.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
    );
    return true;
  }
}

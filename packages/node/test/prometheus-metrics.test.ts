import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createPipeline, createSampler, fromFrames, type Detector, type DetectionResult, type Frame } from '@vidai/core';
import { PrometheusMetrics } from '../src/prometheus-metrics.js';
import { closeServer, listenOn } from '../src/http-listen.js';

const frames = (n: number): Frame[] =>
  Array.from({ length: n }, (_, seq) => ({ data: new Uint8Array(4 * 4 * 3), width: 4, height: 4, format: 'rgb' as const, timestamp: seq * 100, seq }));

/** A unit-test detector: two objects per frame, fixed stage timings. */
const fakeDetector: Detector = {
  async detect(frame: Frame): Promise<DetectionResult> {
    return {
      seq: frame.seq,
      timestamp: frame.timestamp,
      width: frame.width,
      height: frame.height,
      detections: [
        { box: [0, 0, 1, 1], score: 0.9, classId: 2, label: 'car' },
        { box: [1, 1, 2, 2], score: 0.8, classId: 0, label: 'person' },
      ],
      timings: { preprocess: 2, inference: 30, postprocess: 0.5 },
    };
  },
  async close() {},
};

/** The value of one sample line of the exposition text. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const have = inner.split(',');
    if (wanted.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

let server: ReturnType<typeof createServer> | undefined;
afterEach(async () => {
  if (server) await closeServer(server);
  server = undefined;
});

describe('PrometheusMetrics', () => {
  it('exports the counters, stage durations and detections of an observed pipeline', async () => {
    const metrics = new PrometheusMetrics();
    const pipeline = createPipeline({ source: fromFrames(frames(6)), detector: fakeDetector, sampler: createSampler('every-n', { n: 2 }), mode: 'all' });
    const stop = metrics.observe(pipeline, 'cam1');
    await pipeline.run();
    const text = await metrics.metrics();
    expect(sample(text, 'vidai_frames_total', { stream: 'cam1', outcome: 'received' })).toBe(6);
    expect(sample(text, 'vidai_frames_total', { stream: 'cam1', outcome: 'sampled' })).toBe(3);
    expect(sample(text, 'vidai_frames_total', { stream: 'cam1', outcome: 'skipped' })).toBe(3);
    expect(sample(text, 'vidai_frames_total', { stream: 'cam1', outcome: 'processed' })).toBe(3);
    expect(sample(text, 'vidai_frames_total', { stream: 'cam1', outcome: 'errors' })).toBe(0);
    expect(sample(text, 'vidai_detections_total', { stream: 'cam1', label: 'car' })).toBe(3);
    expect(sample(text, 'vidai_detections_total', { stream: 'cam1', label: 'person' })).toBe(3);
    expect(sample(text, 'vidai_stage_duration_seconds_count', { stream: 'cam1', stage: 'inference' })).toBe(3);
    expect(sample(text, 'vidai_stage_duration_seconds_sum', { stream: 'cam1', stage: 'inference' })).toBeCloseTo(0.09, 9);
    // 30 ms falls in the 50 ms bucket, not the 25 ms one.
    expect(sample(text, 'vidai_stage_duration_seconds_bucket', { stream: 'cam1', stage: 'inference', le: '0.025' })).toBe(0);
    expect(sample(text, 'vidai_stage_duration_seconds_bucket', { stream: 'cam1', stage: 'inference', le: '0.05' })).toBe(3);
    expect(sample(text, 'vidai_pipeline_busy', { stream: 'cam1' })).toBe(0);

    stop();
    const after = await metrics.metrics();
    expect(sample(after, 'vidai_frames_total', { stream: 'cam1', outcome: 'received' })).toBeUndefined();
    expect(() => metrics.observe(pipeline, 'cam2')).not.toThrow();
    expect(() => metrics.observe(pipeline, 'cam2')).toThrow(TypeError);
  });

  it('serves GET /metrics over http and leaves other paths to the caller', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: true });
    const pipeline = createPipeline({ source: fromFrames(frames(2)), detector: fakeDetector, mode: 'all' });
    metrics.observe(pipeline, 'door');
    await pipeline.run();
    server = createServer((req, res) => {
      if (!metrics.handle(req, res)) res.writeHead(404).end();
    });
    const { authority } = await listenOn(server);
    const ok = await fetch(`http://${authority}/metrics`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await ok.text();
    expect(sample(text, 'vidai_frames_total', { stream: 'door', outcome: 'processed' })).toBe(2);
    expect(text).toMatch(/^vidai_process_cpu_seconds_total /m);
    expect((await fetch(`http://${authority}/other`)).status).toBe(404);
  });
});

/**
 * What the pipeline itself costs per frame, with a detector that answers at once:
 * `'all'` mode over an in-memory source (every frame detected, results read with
 * `for await`), and `'live'` mode where the source is faster than the detector
 * (most frames replaced in the waiting slot: an in-memory source hands over all its
 * frames in microtasks, before a detector that waits for the event loop answers).
 * Inference cost is not included.
 *
 * Run: npx tsx bench/pipeline-overhead.bench.ts [frames]
 */
import { createPipeline, fromFrames, type DetectionResult, type Detector, type Frame } from '../packages/core/src/index.js';

const FRAMES = Number(process.argv[2] ?? 20000);

const frames: Frame[] = Array.from({ length: FRAMES }, (_, seq) => ({
  data: new Uint8Array(4),
  width: 2,
  height: 2,
  format: 'gray',
  timestamp: Date.now() + seq,
  seq,
}));

const instant: Detector = {
  async detect(frame: Frame): Promise<DetectionResult> {
    return {
      seq: frame.seq,
      timestamp: frame.timestamp,
      width: frame.width,
      height: frame.height,
      detections: [],
      timings: { preprocess: 0, inference: 0, postprocess: 0 },
    };
  },
  async close() {},
};

/** A detector that yields to the event loop, so a synchronous source outruns it. */
const slow: Detector = {
  detect: (frame) => new Promise((resolve) => setImmediate(() => resolve(instant.detect(frame)))),
  async close() {},
};

for (const run of [1, 2]) {
  let start = performance.now();
  let count = 0;
  for await (const _ of createPipeline({ source: fromFrames(frames), detector: instant, mode: 'all' })) count++;
  let ms = performance.now() - start;
  console.log(`run ${run} all:  ${count} results, ${((ms * 1000) / FRAMES).toFixed(2)} us per frame`);

  start = performance.now();
  const pipeline = createPipeline({ source: fromFrames(frames), detector: slow });
  const stats = await pipeline.run();
  ms = performance.now() - start;
  console.log(`run ${run} live: ${stats.received} received, ${stats.processed} processed, ${stats.dropped} dropped, ${((ms * 1000) / FRAMES).toFixed(2)} us per received frame`);
}

/**
 * Cost and size of the detection wire format: encode and decode of a typical message
 * (20 detections with timings), and of a crowded one (2000 detections, truncated to
 * the 64 KiB cap on encode), plus the latency tracker's record and stats.
 *
 * Run: npx tsx bench/wire-format.bench.ts [iterations]
 */
import {
  decodeDetectionMessage,
  encodeDetectionMessage,
  LatencyTracker,
  type Detection,
  type DetectionResult,
} from '../packages/core/src/index.js';

const ITERATIONS = Number(process.argv[2] ?? 2000);
const WARMUP = 200;

function measure(label: string, run: () => void, iterations = ITERATIONS): void {
  for (let i = 0; i < WARMUP; i++) run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  console.log(`${label}: median ${(at(0.5) * 1000).toFixed(1)} us, p95 ${(at(0.95) * 1000).toFixed(1)} us`);
}

function result(count: number): DetectionResult {
  const detections: Detection[] = Array.from({ length: count }, (_, i) => ({
    box: [Math.random() * 1280, Math.random() * 720, Math.random() * 1280, Math.random() * 720],
    score: 1 - i / (count + 1),
    classId: i % 80,
    label: ['person', 'car', 'traffic light', 'dog'][i % 4]!,
  }));
  return {
    seq: 123456,
    timestamp: Date.now(),
    width: 1280,
    height: 720,
    detections,
    timings: { preprocess: 3.4567, inference: 71.234, postprocess: 0.8123, queue: 12.5, total: 95.25 },
  };
}

for (const count of [20, 2000]) {
  const r = result(count);
  const text = encodeDetectionMessage(r);
  const bytes = new TextEncoder().encode(text);
  const decoded = decodeDetectionMessage(bytes);
  console.log(`${count} detections: ${bytes.length} bytes, ${decoded.detections.length} kept, truncated ${decoded.truncated ?? 0}`);
  measure(`  encode (${count})`, () => encodeDetectionMessage(r), count > 100 ? ITERATIONS / 10 : ITERATIONS);
  measure(`  decode bytes (${count})`, () => decodeDetectionMessage(bytes), count > 100 ? ITERATIONS / 10 : ITERATIONS);
}

const tracker = new LatencyTracker();
const timings = result(1).timings;
measure('LatencyTracker.recordTimings (5 stages)', () => tracker.recordTimings(timings), ITERATIONS * 10);
measure('LatencyTracker.stats (5 stages x 300 samples)', () => tracker.stats());

/**
 * Postprocessing cost per frame: YOLOX decode + NMS on the real YOLOX-Nano output for
 * ../shared/images/dog.jpg ([1, 3549, 85], run once with onnxruntime-node), and YOLOv8
 * decode + NMS on a synthetic [1, 84, 8400] output (640x640, 80 classes, a few boxes
 * above the threshold among low-score noise). The candidate set is reused as the
 * detector does.
 *
 * Run: npx tsx bench/decode-nms.bench.ts [iterations]
 */
import { execFileSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import {
  decodeYolov8,
  decodeYolox,
  DetectionCandidates,
  letterbox,
  nonMaxSuppression,
  type Frame,
} from '../packages/core/src/index.js';
import { sharedDir } from '../test/helpers/shared-data.js';

const ITERATIONS = Number(process.argv[2] ?? 2000);
const WARMUP = 200;
const SHARED = sharedDir;

function stats(label: string, times: number[], extra: string): void {
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  console.log(`${label}: median ${(at(0.5) * 1000).toFixed(1)} us, p95 ${(at(0.95) * 1000).toFixed(1)} us, min ${(times[0]! * 1000).toFixed(1)} us (${extra})`);
}

function time(run: () => void): number[] {
  for (let i = 0; i < WARMUP; i++) run();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return times;
}

async function yoloxOutput(): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const path = `${SHARED}/images/dog.jpg`;
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });
  const frame: Frame = { data: new Uint8Array(raw), width: 768, height: 576, format: 'rgb', timestamp: 0, seq: 0 };
  const { tensor, dims } = letterbox(frame, { size: 416, channelOrder: 'bgr', scale: 1, align: 'top-left', rounding: 'floor' });
  const session = await ort.InferenceSession.create(`${SHARED}/models/yolox_nano.onnx`);
  const output = (await session.run({ images: new ort.Tensor('float32', tensor, dims) })).output!;
  await session.release();
  return { data: output.data as Float32Array, dims: output.dims };
}

function yolov8Output(): { data: Float32Array; dims: number[] } {
  const n = 8400;
  const data = new Float32Array(84 * n);
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let j = 0; j < n; j++) {
    data[j] = random() * 640;
    data[n + j] = random() * 640;
    data[2 * n + j] = 10 + random() * 200;
    data[3 * n + j] = 10 + random() * 200;
    for (let c = 0; c < 80; c++) data[(4 + c) * n + j] = random() * 0.05;
    if (j % 200 === 0) data[(4 + (j % 80)) * n + j] = 0.3 + random() * 0.6;
  }
  return { data, dims: [1, 84, n] };
}

const candidates = new DetectionCandidates();
const yolox = await yoloxOutput();
let kept = 0;
const yoloxTimes = time(() => {
  decodeYolox(yolox.data, yolox.dims, { inputWidth: 416, inputHeight: 416, scoreThreshold: 0.25 }, candidates);
  kept = nonMaxSuppression(candidates, { iouThreshold: 0.45 }).length;
});
stats('YOLOX-Nano dog.jpg [1,3549,85] decode+NMS', yoloxTimes, `${candidates.count} candidates, ${kept} kept`);

const v8 = yolov8Output();
const v8Times = time(() => {
  decodeYolov8(v8.data, v8.dims, { scoreThreshold: 0.25 }, candidates);
  kept = nonMaxSuppression(candidates, { iouThreshold: 0.45 }).length;
});
stats('YOLOv8 synthetic [1,84,8400] decode+NMS', v8Times, `${candidates.count} candidates, ${kept} kept`);

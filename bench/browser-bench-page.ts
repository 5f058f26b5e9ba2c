/**
 * Page side of bench/browser.bench.ts, bundled with esbuild and run in headless
 * Chromium. Two ways to detect objects on the camera, on the same model:
 *
 * - `runBaseline`: the loop of a typical tutorial, all on the main thread: draw the
 *   video on a canvas, getImageData, a per-pixel JS loop into a Float32Array,
 *   `session.run`, then a decode with `slice`/`map` and an O(n^2) NMS over JS arrays.
 * - `runVidai`: @vidai/browser's `DetectionLoop` over a `VideoElementSource` with
 *   `BrowserDetector` in its Worker.
 *
 * Both report detections per second, per-stage medians, the longest main-thread task
 * (PerformanceObserver 'longtask') and how many animation frames the page painted.
 */
import * as ort from 'onnxruntime-web/wasm';
import { BrowserDetector, CameraSource, DetectionLoop, VideoElementSource, type ResizeMode } from '@vidai/browser';

/** What one run measured. */
export interface BenchReport {
  name: string;
  /** Detections completed per second over the measured window. */
  fps: number;
  detections: number;
  /** Objects found in the last frame (sanity check). */
  objects: string[];
  /** Median ms per stage. */
  stages: Record<string, number>;
  /** Longest main-thread task during the window (ms), 0 when none over 50 ms. */
  longestTask: number;
  /** Long tasks (> 50 ms) during the window. */
  longTasks: number;
  /** Animation frames per second the page managed during the window. */
  pageFps: number;
  /** Backend description. */
  backend: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Watches long tasks and animation frames during a window. */
function watchMainThread() {
  const tasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push(e.duration);
  });
  observer.observe({ type: 'longtask' });
  let frames = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const t0 = performance.now();
  return () => {
    running = false;
    for (const e of observer.takeRecords()) tasks.push(e.duration);
    observer.disconnect();
    const seconds = (performance.now() - t0) / 1000;
    return {
      longestTask: tasks.length ? Math.max(...tasks) : 0,
      longTasks: tasks.length,
      pageFps: frames / seconds,
    };
  };
}

async function openVideo(): Promise<{ video: HTMLVideoElement; camera: CameraSource }> {
  const camera = await CameraSource.open();
  const video = document.createElement('video');
  video.style.width = '320px';
  document.body.append(video);
  await camera.attach(video);
  return { video, camera };
}

const SIZE = 416;
const STRIDES = [8, 16, 32];
const LABELS = ['person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog'];

/** Tutorial-style decode: arrays, slice, map, spread. */
function naiveDecode(data: Float32Array, threshold: number) {
  const grids: [number, number, number][] = [];
  for (const s of STRIDES) for (let y = 0; y < SIZE / s; y++) for (let x = 0; x < SIZE / s; x++) grids.push([x, y, s]);
  const boxes: { box: number[]; score: number; cls: number }[] = [];
  for (let i = 0; i < grids.length; i++) {
    const row = Array.from(data.slice(i * 85, i * 85 + 85));
    const [gx, gy, s] = grids[i]!;
    const scores = row.slice(5).map((p) => p * row[4]!);
    const score = Math.max(...scores);
    if (score < threshold) continue;
    const cx = (row[0]! + gx) * s;
    const cy = (row[1]! + gy) * s;
    const w = Math.exp(row[2]!) * s;
    const h = Math.exp(row[3]!) * s;
    boxes.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, cls: scores.indexOf(score) });
  }
  return boxes;
}

function iou(a: number[], b: number[]) {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = w * h;
  return inter / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter);
}

/** Tutorial-style NMS: sort, then compare every pair. */
function naiveNms(boxes: { box: number[]; score: number; cls: number }[], threshold: number) {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const keep: typeof boxes = [];
  const removed = new Array(sorted.length).fill(false);
  for (let i = 0; i < sorted.length; i++) {
    if (removed[i]) continue;
    keep.push(sorted[i]!);
    for (let j = i + 1; j < sorted.length; j++) {
      if (sorted[i]!.cls === sorted[j]!.cls && iou(sorted[i]!.box, sorted[j]!.box) > threshold) removed[j] = true;
    }
  }
  return keep;
}

/** The tutorial loop on the main thread, driven by requestAnimationFrame. */
export async function runBaseline(options: { durationMs: number; wasmPaths: string; numThreads?: number }): Promise<BenchReport> {
  const { video, camera } = await openVideo();
  ort.env.wasm.wasmPaths = options.wasmPaths;
  if (options.numThreads !== undefined) ort.env.wasm.numThreads = options.numThreads;
  const model = await (await fetch('/models/yolox_nano.onnx')).arrayBuffer();
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  const ctx = canvas.getContext('2d')!;
  const stages: Record<string, number[]> = { draw: [], getImageData: [], pixelLoop: [], inference: [], decodeNms: [], total: [] };
  let objects: string[] = [];

  const detectOnce = async (record: boolean) => {
    const t0 = performance.now();
    const scale = Math.min(SIZE / video.videoWidth, SIZE / video.videoHeight);
    ctx.fillStyle = 'rgb(114,114,114)';
    ctx.fillRect(0, 0, SIZE, SIZE);
    ctx.drawImage(video, 0, 0, video.videoWidth * scale, video.videoHeight * scale);
    const t1 = performance.now();
    const { data } = ctx.getImageData(0, 0, SIZE, SIZE);
    const t2 = performance.now();
    const input = new Float32Array(3 * SIZE * SIZE);
    for (let i = 0; i < SIZE * SIZE; i++) {
      input[i] = data[i * 4 + 2]!; // B
      input[i + SIZE * SIZE] = data[i * 4 + 1]!; // G
      input[i + 2 * SIZE * SIZE] = data[i * 4]!; // R
    }
    const t3 = performance.now();
    const out = await session.run({ images: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) });
    const t4 = performance.now();
    const found = naiveNms(naiveDecode(out.output!.data as Float32Array, 0.25), 0.45);
    objects = found.map((b) => LABELS[b.cls] ?? String(b.cls));
    const t5 = performance.now();
    if (record) {
      stages.draw!.push(t1 - t0);
      stages.getImageData!.push(t2 - t1);
      stages.pixelLoop!.push(t3 - t2);
      stages.inference!.push(t4 - t3);
      stages.decodeNms!.push(t5 - t4);
      stages.total!.push(t5 - t0);
    }
  };
  await detectOnce(false);
  await detectOnce(false);

  const stop = watchMainThread();
  const start = performance.now();
  let count = 0;
  await new Promise<void>((resolve) => {
    const loop = async () => {
      if (performance.now() - start >= options.durationMs) return resolve();
      await detectOnce(true);
      count++;
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });
  const elapsed = performance.now() - start;
  const main = stop();
  await session.release();
  await camera.close();
  return {
    name: 'baseline',
    fps: (count * 1000) / elapsed,
    detections: count,
    objects,
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)])),
    ...main,
    backend: `wasm on the main thread, numThreads ${options.numThreads ?? 'default'}`,
  };
}

/** @vidai/browser: DetectionLoop + VideoElementSource + BrowserDetector in its Worker. */
export async function runVidai(options: {
  durationMs: number;
  resize: ResizeMode;
  workers?: number;
  numThreads?: number;
  padding?: 'full' | 'minimal';
}): Promise<BenchReport> {
  const { video, camera } = await openVideo();
  // The catalog model as an app would use it, served from this origin.
  const detector = await BrowserDetector.create({
    model: 'yolox-nano',
    modelBaseUrl: '/models/',
    executionProviders: ['wasm'],
    resize: options.resize,
    ...(options.padding !== undefined ? { padding: options.padding } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.numThreads !== undefined ? { numThreads: options.numThreads } : {}),
  });
  // Warm up every Worker outside the window (the first runs are slow).
  for (let i = 0; i < 2; i++) await Promise.all(Array.from({ length: detector.concurrency }, () => detector.detect(video)));
  const source = new VideoElementSource(video);
  const stop = watchMainThread();
  const start = performance.now();
  let objects: string[] = [];
  let count = 0;
  const loop = DetectionLoop.start({ source, detector, fpsWindow: 1000 });
  const stages: Record<string, number[]> = {};
  loop.on('result', (r, info) => {
    count++;
    objects = r.detections.map((d) => d.label);
    for (const [k, v] of Object.entries({ ...r.timings, latency: info.latency })) (stages[k] ??= []).push(v);
  });
  await new Promise((r) => setTimeout(r, options.durationMs));
  await loop.stop();
  const elapsed = performance.now() - start;
  const main = stop();
  const b = detector.backend;
  await source.close();
  await detector.close();
  await camera.close();
  return {
    name: `vidai (${detector.concurrency} worker(s), resize: ${options.resize})`,
    fps: (count * 1000) / elapsed,
    detections: count,
    objects,
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)])),
    ...main,
    backend: `${b.provider} in ${detector.concurrency} ${b.thread}(s), ${b.wasm?.threads ?? '?'} thread(s) each, padding ${detector.padding}`,
  };
}

Object.assign(globalThis, { bench: { runBaseline, runVidai } });

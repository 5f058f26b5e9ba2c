/**
 * Letterbox cost per frame: a 1280x720 frame in rgb, rgba, i420, nv12 and gray into a
 * 416x416 tensor, reusing the output tensor as a detector does. The frame is the first
 * frame of ../shared/videos/imageio-cockatoo.mp4 (1280x720) converted by ffmpeg into each
 * format (VIDAI_BENCH_VIDEO overrides it); without ffmpeg a synthetic frame is used.
 *
 * Run: npx tsx bench/letterbox.bench.ts [iterations]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { frameByteLength, letterbox, type Frame, type LetterboxOptions, type PixelFormat } from '../packages/core/src/index.js';
import { FFMPEG_PIX_FMT } from './pixel-formats.js';
import { sharedPath } from '../test/helpers/shared-data.js';

const WIDTH = 1280;
const HEIGHT = 720;
const ITERATIONS = Number(process.argv[2] ?? 500);
const WARMUP = 100;
const VIDEO = process.env.VIDAI_BENCH_VIDEO ?? sharedPath('videos/imageio-cockatoo.mp4');

function loadFrame(format: PixelFormat): { frame: Frame; origin: string } {
  const length = frameByteLength(format, WIDTH, HEIGHT);
  if (existsSync(VIDEO)) {
    try {
      const bytes = execFileSync(
        'ffmpeg',
        ['-v', 'error', '-ss', '2', '-i', VIDEO, '-frames:v', '1', '-vf', `scale=${WIDTH}:${HEIGHT}`, '-f', 'rawvideo', '-pix_fmt', FFMPEG_PIX_FMT[format], '-'],
        { maxBuffer: 64 << 20 },
      );
      if (bytes.length === length) return { frame: { data: new Uint8Array(bytes), width: WIDTH, height: HEIGHT, format, timestamp: 0, seq: 0 }, origin: 'video' };
    } catch {
      // fall through to the synthetic frame
    }
  }
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (i * 7 + (i >> 11) * 13) % 251;
  return { frame: { data, width: WIDTH, height: HEIGHT, format, timestamp: 0, seq: 0 }, origin: 'synthetic' };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const YOLOX: LetterboxOptions = { size: 416, align: 'top-left', channelOrder: 'bgr', scale: 1 };
const YOLOV8: LetterboxOptions = { size: 416 };
const cases: Array<{ name: string; format: PixelFormat; options: LetterboxOptions }> = [
  { name: 'rgb  720p -> 416 yolox', format: 'rgb', options: YOLOX },
  { name: 'rgba 720p -> 416 yolox', format: 'rgba', options: YOLOX },
  { name: 'rgba 720p -> 416 yolov8', format: 'rgba', options: YOLOV8 },
  { name: 'bgr  720p -> 416 yolox', format: 'bgr', options: YOLOX },
  { name: 'i420 720p -> 416 yolox', format: 'i420', options: YOLOX },
  { name: 'nv12 720p -> 416 yolox', format: 'nv12', options: YOLOX },
  { name: 'gray 720p -> 416 yolox', format: 'gray', options: YOLOX },
];

console.log(`letterbox: ${ITERATIONS} timed calls after ${WARMUP} warm-up, node ${process.version}`);
for (const { name, format, options } of cases) {
  const { frame, origin } = loadFrame(format);
  const out = new Float32Array(3 * 416 * 416);
  for (let i = 0; i < WARMUP; i++) letterbox(frame, options, out);
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    letterbox(frame, options, out);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(24)} median ${percentile(times, 50).toFixed(3)} ms  p95 ${percentile(times, 95).toFixed(3)} ms  min ${times[0]!.toFixed(3)} ms  (${origin} frame)`,
  );
}

/**
 * FfmpegSource throughput and pacing on ../shared/videos/intel-car-detection.mp4
 * (768x432, 12.5 fps; VIDAI_BENCH_VIDEO overrides it):
 *   1. ffmpeg alone writing the same rawvideo to a pipe that is drained (the floor),
 *   2. FfmpegSource as fast as possible (ffmpeg + cutting frames + the async iterator),
 *   3. FfmpegSource with `realtime: true`: the delivery rate over the first frames,
 *      which should match the file's 12.5 fps,
 * plus the largest `bufferedBytes` seen while a consumer sleeps 50 ms per frame.
 *
 * Run: npx tsx bench/ffmpeg-source.bench.ts [frames]   (default 377 = the whole file)
 */
import { spawn } from 'node:child_process';
import { FfmpegSource } from '../packages/node/src/index.js';
import { sharedPath } from '../test/helpers/shared-data.js';

const VIDEO = process.env.VIDAI_BENCH_VIDEO ?? sharedPath('videos/intel-car-detection.mp4');
const FRAMES = Number(process.argv[2] ?? 377);
const PACED_FRAMES = 38; // about 3 s at 12.5 fps

async function ffmpegAlone(): Promise<{ ms: number; frames: number }> {
  const start = performance.now();
  const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', '-i', VIDEO, '-map', '0:v:0', '-frames:v', String(FRAMES), '-vf', 'scale=768:432', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let bytes = 0;
  child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
  await new Promise((resolve) => child.once('close', resolve));
  return { ms: performance.now() - start, frames: bytes / (768 * 432 * 3) };
}

async function source(realtime: boolean, limit: number): Promise<{ ms: number; frames: number; firstAt: number }> {
  const start = performance.now();
  let frames = 0;
  let firstAt = 0;
  for await (const _frame of new FfmpegSource({ input: VIDEO, realtime })) {
    if (frames === 0) firstAt = performance.now();
    if (++frames === limit) break;
  }
  return { ms: performance.now() - start, frames, firstAt: firstAt - start };
}

async function slowConsumer(): Promise<number> {
  const src = new FfmpegSource({ input: VIDEO });
  let max = 0;
  let n = 0;
  for await (const _frame of src) {
    max = Math.max(max, src.stats.bufferedBytes);
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (++n === 40) break;
  }
  return max;
}

const alone = await ffmpegAlone();
console.log(`ffmpeg alone, pipe drained:      ${alone.frames} frames in ${alone.ms.toFixed(0)} ms = ${((alone.frames * 1000) / alone.ms).toFixed(1)} fps`);
const fast = await source(false, FRAMES);
console.log(`FfmpegSource, as fast as it can: ${fast.frames} frames in ${fast.ms.toFixed(0)} ms = ${((fast.frames * 1000) / fast.ms).toFixed(1)} fps (first frame after ${fast.firstAt.toFixed(0)} ms)`);
const paced = await source(true, PACED_FRAMES);
const pacedRate = ((paced.frames - 1) * 1000) / (paced.ms - paced.firstAt);
console.log(`FfmpegSource, realtime: true:    ${paced.frames} frames, ${pacedRate.toFixed(2)} fps after the first (file: 12.5 fps)`);
const buffered = await slowConsumer();
console.log(`slow consumer (50 ms/frame):     max bufferedBytes ${buffered} = ${(buffered / (768 * 432 * 3)).toFixed(2)} frames of 768x432 rgb`);

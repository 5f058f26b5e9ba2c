/**
 * Frame samplers on real video.
 *
 * 1. Cost per frame of `grayThumbnail`, the motion sampler and the scene sampler on
 *    1280x720 frames (first frames of ../shared/videos/imageio-cockatoo.mp4) in rgba and
 *    i420, and on 1920x1080 rgba (the same frames scaled by ffmpeg).
 * 2. Which frames each sampler (default options) accepts on the shared sample videos,
 *    decoded to i420 as a decoder gives them, and on three videos joined with two cuts,
 *    where the scene sampler should fire at the cuts.
 *
 * Run: npx tsx bench/samplers.bench.ts [iterations]
 */
import { spawn } from 'node:child_process';
import {
  createSampler,
  frameByteLength,
  grayThumbnail,
  samplerKinds,
  type Frame,
  type PixelFormat,
  type Sampler,
} from '../packages/core/src/index.js';
import { FFMPEG_PIX_FMT } from './pixel-formats.js';
import { sharedDir } from '../test/helpers/shared-data.js';

const SHARED = sharedDir;
const ITERATIONS = Number(process.argv[2] ?? 300);

/** Decodes `path` with ffmpeg into raw frames of `format`, optionally scaled, calling `onFrame` for each. */
async function decode(
  path: string,
  format: PixelFormat,
  size: { width: number; height: number },
  onFrame: (frame: Frame) => void,
  { maxFrames = Infinity, scale = false }: { maxFrames?: number; scale?: boolean } = {},
): Promise<number> {
  const pixFmt = FFMPEG_PIX_FMT[format];
  const args = ['-v', 'error', '-i', path];
  if (Number.isFinite(maxFrames)) args.push('-frames:v', String(maxFrames));
  if (scale) args.push('-vf', `scale=${size.width}:${size.height}`);
  args.push('-f', 'rawvideo', '-pix_fmt', pixFmt, '-');
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const frameBytes = frameByteLength(format, size.width, size.height);
  // Frame rate and timestamps: ask ffprobe would be exact; the frame index at the stream's rate is enough here.
  const fps = await probeFps(path);
  let pending: Buffer = Buffer.alloc(0);
  let seq = 0;
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= frameBytes) {
      const data = new Uint8Array(pending.subarray(0, frameBytes));
      pending = pending.subarray(frameBytes);
      onFrame({ data, width: size.width, height: size.height, format, timestamp: Math.round((seq * 1000) / fps), seq });
      seq++;
    }
  }
  return seq;
}

async function probe(path: string, entries: string): Promise<string> {
  const child = spawn('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', `stream=${entries}`, '-of', 'csv=p=0', path]);
  let out = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) out += chunk.toString();
  return out.trim();
}

async function probeFps(path: string): Promise<number> {
  const [num, den] = (await probe(path, 'avg_frame_rate')).split('/').map(Number);
  return num! / (den || 1);
}

async function probeSize(path: string): Promise<{ width: number; height: number }> {
  const [width, height] = (await probe(path, 'width,height')).split(',').map(Number);
  return { width: width!, height: height! };
}

function median(times: number[]): number {
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Median cost in microseconds of `run` over `frames`, cycling through them. */
function cost(frames: Frame[], run: (frame: Frame) => void): string {
  for (let i = 0; i < 50; i++) run(frames[i % frames.length]!);
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const frame = frames[i % frames.length]!;
    const t0 = performance.now();
    run(frame);
    times.push(performance.now() - t0);
  }
  return `${(median(times) * 1000).toFixed(0)} us`;
}

async function perFrameCost(): Promise<void> {
  const video = `${SHARED}/videos/imageio-cockatoo.mp4`;
  console.log(`Cost per frame (median of ${ITERATIONS}), frames from ${video}:`);
  const cases: [PixelFormat, number, number][] = [
    ['rgba', 1280, 720],
    ['i420', 1280, 720],
    ['rgba', 1920, 1080],
  ];
  for (const [format, width, height] of cases) {
    const frames: Frame[] = [];
    await decode(video, format, { width, height }, (f) => frames.push(f), { maxFrames: 30, scale: true });
    // Consecutive frames with increasing timestamps, so the samplers see a normal stream.
    let t = 0;
    const stream = (sampler: Sampler) => (frame: Frame) => sampler.accept({ ...frame, timestamp: (t += 33) });
    const output = new Uint8Array(64 * 36);
    console.log(
      `  ${format} ${width}x${height}: grayThumbnail ${cost(frames, (f) => grayThumbnail(f, 64, { output }))}, ` +
        `motion ${cost(frames, stream(createSampler('motion')))}, scene ${cost(frames, stream(createSampler('scene')))}, ` +
        `adaptive ${cost(frames, stream(createSampler('adaptive')))}`,
    );
  }
}

async function acceptance(name: string, paths: string[]): Promise<void> {
  const size = await probeSize(paths[0]!);
  const samplers = samplerKinds.map((kind) => createSampler(kind, kind === 'every-n' ? { n: 5 } : {}));
  const accepted = samplers.map(() => [] as number[]);
  const cuts: number[] = [];
  let offset = 0;
  let lastTimestamp = 0;
  for (const path of paths) {
    const fps = await probeFps(path);
    if (offset > 0) cuts.push(offset);
    const start = offset === 0 ? 0 : lastTimestamp + Math.round(1000 / fps);
    const count = await decode(
      path,
      'i420',
      size,
      (frame) => {
        const f = { ...frame, seq: offset + frame.seq, timestamp: start + frame.timestamp };
        lastTimestamp = f.timestamp;
        samplers.forEach((s, k) => s.accept(f) && accepted[k]!.push(f.seq));
      },
      { scale: true },
    );
    offset += count;
  }
  const total = offset;
  console.log(`${name}: ${total} frames, ${(lastTimestamp / 1000).toFixed(1)} s${cuts.length ? ` (cut at frame ${cuts.join(', ')})` : ''}`);
  samplers.forEach((s, k) => {
    const list = accepted[k]!;
    const shown = list.length <= 12 ? ` [${list.join(', ')}]` : '';
    const atCuts = cuts.length ? `, cut frames accepted: ${cuts.filter((c) => list.includes(c)).length}/${cuts.length}` : '';
    console.log(`  ${s.name.padEnd(8)} ${String(list.length).padStart(5)} accepted (${((100 * list.length) / total).toFixed(1)}%)${shown}${atCuts}`);
  });
}

await perFrameCost();
console.log('\nFrames accepted with default options (every-n: n = 5), frames decoded as i420:');
for (const video of ['intel-car-detection', 'intel-one-by-one-person-detection', 'intel-bottle-detection', 'degirum-Traffic']) {
  await acceptance(video, [`${SHARED}/videos/${video}.mp4`]);
}
await acceptance('intel-car-detection + intel-bottle-detection + degirum-Traffic (two cuts)', [
  `${SHARED}/videos/intel-car-detection.mp4`,
  `${SHARED}/videos/intel-bottle-detection.mp4`,
  `${SHARED}/videos/degirum-Traffic.mp4`,
]);

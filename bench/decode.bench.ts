/**
 * Why the WebRTC server decodes in-process: per-frame cost of VideoFrameDecoder
 * (node-av, libavcodec + swscale to BGR) for VP8 and H.264 at 640x480, next to the
 * delay from writing an encoded frame into an ffmpeg child process (pipe in, raw BGR
 * out) until its pixels come back, at a steady 30 fps. Also what the server does by
 * default (`InferencePeer` `resize: 'decoder'`): swscale scales to YOLOX-Nano's letterbox
 * size while converting, and the letterbox after it only pads and converts; both
 * letterbox costs are shown.
 *
 *   node --import tsx bench/decode.bench.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { getCatalogModel, letterbox, type Frame } from '@vidai/core';
import { VideoFrameDecoder, type EncodedVideoFrame, type VideoFrameDecoderOptions } from '@vidai/node';
import { ivfFrames } from '../packages/node/test/helpers/ivf.js';
import { sharedPath } from '../test/helpers/shared-data.js';

const VIDEO = sharedPath('videos/degirum-Traffic.mp4');
const W = 640;
const H = 480;
const SECONDS = 5;

const pct = (v: number[], q: number) => [...v].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * v.length) - 1)]!;
const show = (name: string, v: number[]) =>
  console.log(`${name.padEnd(54)} frames ${String(v.length).padStart(4)}  p50 ${pct(v, 0.5).toFixed(2).padStart(6)} ms  p95 ${pct(v, 0.95).toFixed(2).padStart(6)} ms`);

function encode(args: string[]): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', VIDEO, '-t', String(SECONDS), '-an', '-vf', `scale=${W}:${H}`, '-r', '30', ...args, '-'], { maxBuffer: 1 << 28 });
}


/** H.264 access units from Annex-B with access unit delimiters (NAL type 9). */
function annexBAccessUnits(data: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 4 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 0 && data[i + 3] === 1 && (data[i + 4]! & 0x1f) === 9) starts.push(i);
  }
  return starts.map((s, k) => data.subarray(s, starts[k + 1] ?? data.length));
}

/** Per-frame decode ms (with the colour conversion), and the letterbox ms of YOLOX-Nano's input when `letterboxed`. */
function inProcess(codec: 'vp8' | 'h264', frames: Buffer[], options: VideoFrameDecoderOptions = { format: 'bgr' }): { decode: number[]; letterbox: number[] } {
  const decoder = new VideoFrameDecoder(codec, options);
  const times = { decode: [] as number[], letterbox: [] as number[] };
  let tensor: Float32Array | undefined;
  frames.forEach((data, i) => {
    const encoded: EncodedVideoFrame = { codec, data, keyFrame: i === 0, rtpTimestamp: i * 3000, receivedAt: 0, bytes: data.length };
    const out = decoder.decode(encoded);
    if (!out) return;
    times.decode.push(out.decodeMs);
    const frame: Frame = { ...out.frame, timestamp: 0, seq: i };
    const t0 = performance.now();
    tensor = letterbox(frame, FIT, tensor).tensor;
    times.letterbox.push(performance.now() - t0);
  });
  decoder.close();
  return times;
}

/** YOLOX-Nano's letterbox with minimal padding, as the Node detector runs it. */
const FIT = { size: getCatalogModel('yolox-nano').inputSize, ...getCatalogModel('yolox-nano').preprocess, padMultiple: 32 };

/** Delay from writing frame N (IVF) to ffmpeg's stdin at 30 fps until frame N's BGR pixels arrive. */
async function ffmpegPipe(ivf: Buffer): Promise<number[]> {
  const frames = ivfFrames(ivf);
  const child = spawn('ffmpeg', ['-v', 'error', '-f', 'ivf', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'bgr24', 'pipe:1'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const written: number[] = [];
  const delays: number[] = [];
  const size = W * H * 3;
  let pending = 0;
  let n = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.length;
    while (pending >= size) {
      pending -= size;
      delays.push(performance.now() - written[n++]!);
    }
  });
  child.stdin.write(ivf.subarray(0, 32));
  for (let i = 0; i < frames.length; i++) {
    const header = Buffer.alloc(12);
    header.writeUInt32LE(frames[i]!.length, 0);
    header.writeUInt32LE(i, 4);
    written.push(performance.now());
    child.stdin.write(Buffer.concat([header, frames[i]!]));
    await new Promise((r) => setTimeout(r, 1000 / 30));
  }
  const done = new Promise((r) => child.once('close', r));
  child.stdin.end();
  await done;
  return delays.slice(0, frames.length - 1); // the last frame only comes out at end of input
}

const vp8 = encode(['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '1M', '-f', 'ivf']);
const h264 = encode(['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264']);
console.log(`decode ${W}x${H}, ${SECONDS} s of ${VIDEO} at 30 fps`);
for (const [name, codec, frames] of [['VP8', 'vp8', ivfFrames(vp8)], ['H.264', 'h264', annexBAccessUnits(h264)]] as const) {
  const full = inProcess(codec, frames);
  const fitted = inProcess(codec, frames, { fitWithin: FIT });
  show(`in-process node-av ${name} -> BGR (decode ms)`, full.decode);
  show(`  then letterbox 640x480 bgr -> 416x320`, full.letterbox);
  show(`in-process node-av ${name} -> 416x312 gbrp (decode ms)`, fitted.decode);
  show(`  then letterbox 416x312 gbrp -> 416x320`, fitted.letterbox);
}
show('ffmpeg child, IVF pipe -> BGR (write-to-pixels ms)', await ffmpegPipe(vp8));

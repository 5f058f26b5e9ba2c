/**
 * FfmpegSource against the real ffmpeg: exact frames from a file, resizing and
 * rate limiting, pacing, backpressure, cleanup, and the typed errors.
 */
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FfmpegSource, isVidaiError, type FfmpegSourceOptions, type Frame, type ReconnectInfo, type VidaiError } from '@vidai/node';
import { ffmpegChildren, processExists } from './helpers/child-processes.js';
import { ffmpegFrameMd5s } from './helpers/comparisons.js';
import { sharedDir } from '../../../test/helpers/shared-data.js';

const shared = sharedDir;
const video = join(shared, 'videos/intel-car-detection.mp4');
const scratch = mkdtempSync(join(tmpdir(), 'vidai-ffmpeg-source-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** ffprobe's own decoded frame count, independent of the code under test. */
function ffprobeFrameCount(path: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return Number(out.trim());
}


async function expectRejectsWithCode(promise: Promise<unknown>, code: string): Promise<VidaiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isVidaiError(error), `expected a VidaiError, got ${String(error)}`).toBe(true);
  expect((error as VidaiError).code).toBe(code);
  return error as VidaiError;
}

async function drain(source: FfmpegSource): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of source) frames.push(frame);
  return frames;
}

/** A local TCP port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('FfmpegSource reading a file', () => {
  test('delivers every frame, exactly as ffmpeg decodes it, with monotonic seq and pts timestamps', async () => {
    const expectedCount = ffprobeFrameCount(video);
    const expectedMd5s = ffmpegFrameMd5s(video, 'scale=768:432', 'rgb24');
    expect(expectedCount).toBeGreaterThan(300);
    expect(expectedMd5s).toHaveLength(expectedCount);

    const source = new FfmpegSource({ input: video });
    const starts: number[] = [];
    let ends = 0;
    source.on('start', ({ pid }) => starts.push(pid));
    source.on('end', () => ends++);
    let count = 0;
    let mismatches = 0;
    for await (const frame of source) {
      expect(frame.seq).toBe(count);
      expect(frame.timestamp).toBeCloseTo(count * 80, 6); // 12.5 fps
      expect(frame.width).toBe(768);
      expect(frame.height).toBe(432);
      expect(frame.format).toBe('rgb');
      expect(frame.data.byteLength).toBe(768 * 432 * 3);
      expect(frame.data.buffer.byteLength).toBe(768 * 432 * 3); // the frame owns exactly its pixels
      if (createHash('md5').update(frame.data).digest('hex') !== expectedMd5s[count]) mismatches++;
      count++;
    }
    expect(count).toBe(expectedCount);
    expect(mismatches).toBe(0);
    expect(ends).toBe(1);
    expect(starts).toHaveLength(1);
    expect(processExists(starts[0]!)).toBe(false);
  });

  test('resizes keeping the aspect ratio and limits the rate with the fps filter', async () => {
    const source = new FfmpegSource({ input: video, width: 320, fps: 5, format: 'gray' });
    const frames = await drain(source);
    // 377 frames at 12.5 fps last 30.16 s: about 151 frames at 5 fps.
    expect(Math.abs(frames.length - (377 * 5) / 12.5)).toBeLessThanOrEqual(1);
    frames.forEach((frame, i) => {
      expect(frame.seq).toBe(i);
      expect([frame.width, frame.height, frame.format]).toEqual([320, 180, 'gray']);
      expect(frame.data.byteLength).toBe(320 * 180);
      expect(frame.timestamp).toBeCloseTo(i * 200, 6);
    });
  });

  test('derives the width from the height, and bgr is rgb with red and blue swapped', async () => {
    const take = async (options: Partial<FfmpegSourceOptions>) => {
      for await (const frame of new FfmpegSource({ input: video, ...options })) return frame;
      throw new Error('no frame');
    };
    const small = await take({ height: 216 });
    expect([small.width, small.height, small.data.byteLength]).toEqual([384, 216, 384 * 216 * 3]);
    // At the native size both conversions take the same path and differ only in channel order.
    const rgb = await take({ format: 'rgb' });
    const bgr = await take({ format: 'bgr' });
    expect(bgr.format).toBe('bgr');
    const swapped = new Uint8Array(rgb.data.length);
    for (let i = 0; i < swapped.length; i += 3) {
      swapped[i] = rgb.data[i + 2]!;
      swapped[i + 1] = rgb.data[i + 1]!;
      swapped[i + 2] = rgb.data[i]!;
    }
    expect(Buffer.compare(Buffer.from(swapped), Buffer.from(bgr.data))).toBe(0);
    expect(ffmpegChildren()).toEqual([]);
  });

  test('a realtime (paced) read delivers the first frames with their presentation times', async () => {
    const source = new FfmpegSource({ input: video, realtime: true, width: 192 });
    const args: string[] = [];
    source.on('start', (info) => args.push(...info.args));
    const frames: Frame[] = [];
    for await (const frame of source) {
      frames.push(frame);
      if (frames.length === 3) break;
    }
    expect(args).toContain('-re');
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(frames.map((f) => f.timestamp)).toEqual([0, 80, 160]);
    expect(source.isClosed).toBe(true);
  });

  test('breaking out of for await stops ffmpeg and leaves no child process', async () => {
    const source = new FfmpegSource({ input: video });
    let pid: number | undefined;
    source.on('start', (info) => (pid = info.pid));
    let n = 0;
    for await (const _frame of source) {
      if (++n === 5) {
        expect(ffmpegChildren().map((c) => c.pid)).toContain(pid);
        break;
      }
    }
    expect(pid).toBeTypeOf('number');
    expect(processExists(pid!)).toBe(false);
    expect(ffmpegChildren()).toEqual([]);
    expect(source.pid).toBeUndefined();
  });

  test('a slow consumer pauses ffmpeg: what is read but not taken stays bounded', async () => {
    const frameBytes = 64 * 36 * 3;
    const source = new FfmpegSource({ input: video, width: 64, maxBufferedFrames: 2 });
    const iterator = source[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await iterator.next();
    // Unpaused, ffmpeg turns out hundreds of 64x36 frames (MBs) in this time.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const { frames, bufferedBytes } = source.stats;
    // 2 queued frames, plus at most one whole frame and one pipe read (64 KiB) not yet cut into frames.
    expect(bufferedBytes).toBeLessThanOrEqual(3 * frameBytes + 65_536);
    expect(frames).toBeLessThanOrEqual(3 + 2);
    const next = await iterator.next();
    expect((next.value as Frame).seq).toBe(3); // nothing was dropped
    await iterator.return();
    expect(ffmpegChildren()).toEqual([]);
  });

  test("overflow 'drop-oldest' keeps reading and counts the dropped frames", async () => {
    const source = new FfmpegSource({ input: video, width: 64, overflow: 'drop-oldest' });
    const iterator = source[Symbol.asyncIterator]();
    await iterator.next();
    const deadline = Date.now() + 20_000;
    while (source.stats.dropped === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source.stats.dropped).toBeGreaterThan(0);
    const next = await iterator.next();
    expect((next.value as Frame).seq).toBeGreaterThan(1); // frames in between were dropped
    await iterator.return();
  });

  test('close() is idempotent, ends the iterator and emits end once; abort through a signal works too', async () => {
    const source = new FfmpegSource({ input: video });
    let ends = 0;
    source.on('end', () => ends++);
    const iterator = source[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await Promise.all([source.close(), source.close()]);
    await source.close();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(ends).toBe(1);

    const controller = new AbortController();
    const aborted = new FfmpegSource({ input: video, signal: controller.signal });
    let n = 0;
    for await (const _frame of aborted) if (++n === 2) controller.abort();
    expect(n).toBeLessThanOrEqual(4);
    expect(aborted.isClosed).toBe(true);
    expect(ffmpegChildren()).toEqual([]);
  });

  test('rejects bad options with TypeError and a second concurrent consumer with TypeError', async () => {
    expect(() => new FfmpegSource({ input: '' })).toThrow(TypeError);
    expect(() => new FfmpegSource({ input: video, width: -1 })).toThrow(TypeError);
    expect(() => new FfmpegSource({ input: video, format: 'yuv' as never })).toThrow(TypeError);
    expect(() => new FfmpegSource({ input: video, backoffMs: [] })).toThrow(TypeError);
    const source = new FfmpegSource({ input: video });
    const first = source[Symbol.asyncIterator]();
    await first.next();
    await expect(source[Symbol.asyncIterator]().next()).rejects.toThrow(TypeError);
    await first.return();
  });
});

describe('FfmpegSource reading HLS over HTTP', () => {
  test('reads every frame of an HLS playlist served by a local HTTP server', async () => {
    const dir = mkdtempSync(join(scratch, 'hls-'));
    execFileSync('ffmpeg', ['-v', 'error', '-i', video, '-t', '4', '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', join(dir, 'index.m3u8')]);
    const http = createHttpServer((req, res) => {
      try {
        const body = readFileSync(join(dir, (req.url ?? '/').replace(/^\/+/, '').replace(/\.\./g, '')));
        res.writeHead(200, { 'content-type': req.url?.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/index.m3u8`;
    try {
      expect(new FfmpegSource({ input: url }).live).toBe(true); // http is live unless told otherwise
      // Asynchronously: the HTTP server runs in this process.
      const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', url]);
      const expected = Number(stdout.trim().split('\n')[0]); // HLS lists the stream under its program too
      expect(expected).toBeGreaterThan(40);
      const frames = await drain(new FfmpegSource({ input: url, live: false, width: 192 }));
      expect(frames).toHaveLength(expected);
      expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
      expect(frames.every((f) => f.width === 192 && f.height === 108)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});

describe('FfmpegSource errors', () => {
  test('a missing file is input-not-found', async () => {
    const source = new FfmpegSource({ input: join(scratch, 'missing.mp4') });
    const errors: VidaiError[] = [];
    source.on('error', (error) => errors.push(error));
    const error = await expectRejectsWithCode(drain(source), 'input-not-found');
    expect(error.message).toContain('missing.mp4');
    expect(errors).toEqual([error]);
  });

  test('a text file named .mp4 is input-unreadable and quotes ffmpeg', async () => {
    const fake = join(scratch, 'not-a-video.mp4');
    writeFileSync(fake, 'this is a text file, not a video\n');
    const error = await expectRejectsWithCode(drain(new FfmpegSource({ input: fake })), 'input-unreadable');
    expect(error.message).toMatch(/Invalid data found when processing input|moov atom not found/);
    // Without a probe (size and rate given) ffmpeg itself fails, with the same code.
    const direct = new FfmpegSource({ input: fake, width: 64, height: 36, fps: 5 });
    const again = await expectRejectsWithCode(drain(direct), 'input-unreadable');
    expect(again.message).toMatch(/Invalid data found when processing input|moov atom not found/);
    expect(ffmpegChildren()).toEqual([]);
  });

  test('a missing ffmpeg or ffprobe binary is ffmpeg-not-found with install advice', async () => {
    const noFfmpeg = new FfmpegSource({ input: video, ffmpegPath: join(scratch, 'no-such-dir/ffmpeg'), width: 64, height: 36, fps: 5 });
    const error = await expectRejectsWithCode(drain(noFfmpeg), 'ffmpeg-not-found');
    expect(error.message).toMatch(/apt-get install ffmpeg/);
    expect(error.message).toContain('ffmpegPath');
    // The probe runs the ffprobe beside the given ffmpeg: missing too.
    const noFfprobe = new FfmpegSource({ input: video, ffmpegPath: join(scratch, 'no-such-dir/ffmpeg') });
    const probeError = await expectRejectsWithCode(drain(noFfprobe), 'ffmpeg-not-found');
    expect(probeError.message).toContain('ffprobe');
  });

  test('an ffmpeg failure on a file is ffmpeg-failed', async () => {
    const source = new FfmpegSource({ input: video, extraArgs: ['-frames:v', 'not-a-number'] });
    const error = await expectRejectsWithCode(drain(source), 'ffmpeg-failed');
    expect(error.message).toContain('not-a-number');
  });

  test('an RTSP URL nobody serves retries with reported attempts, then fails with stream-unavailable', async () => {
    const port = await closedPort();
    const source = new FfmpegSource({ input: `rtsp://127.0.0.1:${port}/none`, maxAttempts: 2, backoffMs: [20, 40] });
    expect(source.live).toBe(true);
    const attempts: ReconnectInfo[] = [];
    source.on('reconnecting', (info) => attempts.push(info));
    const error = await expectRejectsWithCode(drain(source), 'stream-unavailable');
    expect(attempts.map((a) => [a.attempt, a.delayMs])).toEqual([
      [1, 20],
      [2, 40],
    ]);
    expect(attempts[0]!.reason).toMatch(/Connection refused/);
    expect(error.message).toMatch(/Connection refused/);
    expect(error.details).toMatchObject({ attempts: 2 });
    expect(ffmpegChildren()).toEqual([]);
  });

  test('a server that accepts but never answers: each attempt times out (probe and ffmpeg), then stream-unavailable', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `rtsp://127.0.0.1:${(silent.address() as { port: number }).port}/x`;
    try {
      // Size given: no probe, ffmpeg itself hangs in the RTSP handshake.
      const direct = new FfmpegSource({ input: url, width: 64, height: 36, connectTimeoutMs: 300, maxAttempts: 1, backoffMs: [10] });
      const stalls: number[] = [];
      direct.on('stalled', ({ idleMs }) => stalls.push(idleMs));
      const error = await expectRejectsWithCode(drain(direct), 'stream-unavailable');
      expect(stalls).toEqual([300, 300]);
      expect(error.message).toContain('no frame within 300 ms of starting ffmpeg');
      // No size: ffprobe hangs and is stopped after the same time.
      const probing = new FfmpegSource({ input: url, connectTimeoutMs: 300, maxAttempts: 1, backoffMs: [10] });
      const probeError = await expectRejectsWithCode(drain(probing), 'stream-unavailable');
      expect(probeError.message).toMatch(/ffprobe gave no answer .* within 300 ms/);
      expect(ffmpegChildren()).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

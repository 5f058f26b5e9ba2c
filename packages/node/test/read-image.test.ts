/**
 * readImage, ImageSource and probe against the real ffmpeg/ffprobe.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ImageSource, imageSource, isVidaiError, probe, readImage, type Frame, type VidaiError } from '@vidai/node';
import { ffmpegChildren } from './helpers/child-processes.js';
import { sharedDir } from '../../../test/helpers/shared-data.js';

const shared = sharedDir;
const dog = join(shared, 'images/dog.jpg');
const horses = join(shared, 'images/horses.jpg');
const video = join(shared, 'videos/intel-car-detection.mp4');
const scratch = mkdtempSync(join(tmpdir(), 'vidai-read-image-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function codeOf(promise: Promise<unknown>): Promise<VidaiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isVidaiError(error), `expected a VidaiError, got ${String(error)}`).toBe(true);
  return error as VidaiError;
}

describe('readImage', () => {
  test('decodes dog.jpg to 768x576 rgb with the pixels where ffmpeg puts them', async () => {
    const frame = await readImage(dog);
    expect([frame.width, frame.height, frame.format, frame.seq, frame.timestamp]).toEqual([768, 576, 'rgb', 0, 0]);
    expect(frame.data.byteLength).toBe(768 * 576 * 3);
    expect(frame.data.buffer.byteLength).toBe(768 * 576 * 3);
    // readImage interpolates chroma more finely than ffmpeg's default conversion, so the
    // values differ by rounding only; a byte shift or a torn read would differ by tens.
    const reference = execFileSync('ffmpeg', ['-v', 'error', '-i', dog, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 8 << 20 });
    expect(reference.byteLength).toBe(frame.data.byteLength);
    let sum = 0;
    for (let i = 0; i < reference.length; i++) sum += Math.abs(reference[i]! - frame.data[i]!);
    expect(sum / reference.length).toBeLessThan(2);
  });

  test('other formats and sizes: bgr is swapped rgb, gray and rgba have their sizes, width alone keeps the aspect', async () => {
    const rgb = await readImage(dog);
    const bgr = await readImage(dog, { format: 'bgr' });
    expect(bgr.format).toBe('bgr');
    expect([bgr.data[0], bgr.data[1], bgr.data[2]]).toEqual([rgb.data[2], rgb.data[1], rgb.data[0]]);
    const last = rgb.data.length - 3;
    expect([bgr.data[last], bgr.data[last + 2]]).toEqual([rgb.data[last + 2], rgb.data[last]]);
    const gray = await readImage(dog, { format: 'gray' });
    expect(gray.data.byteLength).toBe(768 * 576);
    const rgba = await readImage(dog, { format: 'rgba' });
    expect(rgba.data.byteLength).toBe(768 * 576 * 4);
    expect(rgba.data[3]).toBe(255);
    const small = await readImage(dog, { width: 384 });
    expect([small.width, small.height, small.data.byteLength]).toEqual([384, 288, 384 * 288 * 3]);
  });

  test('decodes png, bmp and webp as well', async () => {
    const rgb = await readImage(dog, { width: 96 });
    for (const ext of ['png', 'bmp', 'webp']) {
      const path = join(scratch, `dog.${ext}`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', dog, '-vf', 'scale=96:-1', ...(ext === 'webp' ? ['-lossless', '1'] : []), path]);
      const frame = await readImage(path);
      expect([frame.width, frame.height], ext).toEqual([rgb.width, rgb.height]);
    }
  });

  test('errors: missing file, a text file named .jpg, a missing ffmpeg', async () => {
    const missing = await codeOf(readImage(join(scratch, 'nope.jpg')));
    expect(missing.code).toBe('input-not-found');
    expect(missing.message).toContain('nope.jpg');
    const fake = join(scratch, 'fake.jpg');
    writeFileSync(fake, 'not an image at all\n');
    const unreadable = await codeOf(readImage(fake));
    expect(unreadable.code).toBe('input-unreadable');
    expect(unreadable.message).toMatch(/fake\.jpg.*(Invalid data|invalid|error)/i);
    const noFfmpeg = await codeOf(readImage(dog, { ffmpegPath: join(scratch, 'bin/ffmpeg') }));
    expect(noFfmpeg.code).toBe('ffmpeg-not-found');
    await expect(readImage('')).rejects.toThrow(TypeError);
  });
});

describe('ImageSource', () => {
  test('yields each image in order with seq and interval timestamps', async () => {
    const frames: Frame[] = [];
    for await (const frame of imageSource([dog, horses], { intervalMs: 500 })) frames.push(frame);
    expect(frames.map((f) => [f.seq, f.timestamp, f.width, f.height])).toEqual([
      [0, 0, 768, 576],
      [1, 500, 773, 512],
    ]);
  });

  test('a missing image in the list throws input-not-found after the images before it', async () => {
    const source = new ImageSource([dog, join(scratch, 'gone.png')]);
    const seen: number[] = [];
    const error = await codeOf(
      (async () => {
        for await (const frame of source) seen.push(frame.seq);
      })(),
    );
    expect(seen).toEqual([0]);
    expect(error.code).toBe('input-not-found');
  });

  test('close() during decoding ends the iteration quietly and leaves no ffmpeg', async () => {
    const source = new ImageSource([dog, dog, dog]);
    const iterator = source[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    await Promise.all([source.close(), source.close()]);
    expect((await pending).done).toBe(true);
    expect(ffmpegChildren()).toEqual([]);
    expect(() => new ImageSource([])).toThrow(TypeError);
  });
});

describe('probe', () => {
  test('reports size, rate, duration and codec, and counts frames when asked', async () => {
    const info = await probe(video);
    expect(info).toMatchObject({ width: 768, height: 432, fps: 12.5, codec: 'h264', rotation: 0 });
    expect(info.durationMs).toBeCloseTo(30_160, -1);
    const counted = await probe(video, { countFrames: true });
    const reference = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', video], {
      encoding: 'utf8',
    });
    expect(counted.frameCount).toBe(Number(reference.trim()));
    expect(await probe(dog)).toMatchObject({ width: 768, height: 576, codec: 'mjpeg' });
  });

  test('errors: missing file, not a video, missing ffprobe', async () => {
    expect((await codeOf(probe(join(scratch, 'none.mp4')))).code).toBe('input-not-found');
    const fake = join(scratch, 'fake.mp4');
    writeFileSync(fake, 'plain text\n');
    const unreadable = await codeOf(probe(fake));
    expect(unreadable.code).toBe('input-unreadable');
    expect(unreadable.message).toMatch(/Invalid data found when processing input/);
    const noProbe = await codeOf(probe(video, { ffprobePath: join(scratch, 'ffprobe') }));
    expect(noProbe.code).toBe('ffmpeg-not-found');
    expect(noProbe.message).toContain('ffprobePath');
  });
});

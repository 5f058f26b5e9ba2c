/**
 * Our YUV 4:2:0 conversion against the system ffmpeg's default yuv420p -> rgb24
 * conversion (BT.601 limited range, each chroma sample covering its 2x2 block), on real
 * photos. ffmpeg uses that fast path when the chroma planes are exactly half the luma
 * size; other layouts (nv12 input, odd heights) go through its generic scaler, which
 * interpolates chroma, so those are checked through an equivalent yuv420p frame.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameToRgb, i420ToRgb, letterbox, nv12ToRgb } from '@vidai/core';
import { sharedPath } from '../../../test/helpers/shared-data.js';

const IMAGES = process.env.VIDAI_SHARED_IMAGES ?? sharedPath('images');

function ffmpeg(args: string[], input?: Uint8Array): Uint8Array {
  const out = execFileSync('ffmpeg', ['-v', 'error', ...args], { input, maxBuffer: 64 << 20 });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The image scaled to `width x height` in an ffmpeg pixel format. */
function decode(name: string, width: number, height: number, pixFmt: string): Uint8Array {
  return ffmpeg(['-i', join(IMAGES, name), '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', pixFmt, '-']);
}

/** ffmpeg's conversion of raw yuv420p bytes to rgb24. */
function ffmpegRgb(yuv: Uint8Array, width: number, height: number): Uint8Array {
  return ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], yuv);
}

function compare(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; max: number; bias: number } {
  expect(a.length).toBe(b.length);
  let sum = 0;
  let signed = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    signed += d;
    sum += Math.abs(d);
    if (Math.abs(d) > max) max = Math.abs(d);
  }
  return { mean: sum / a.length, max, bias: signed / a.length };
}

/**
 * ffmpeg's fast path truncates where we round, so it is on average about one level
 * darker and never brighter; a wrong matrix, range or chroma placement would show as
 * tens of levels.
 */
function expectLikeFfmpeg(label: string, ours: Uint8Array, theirs: Uint8Array): void {
  const { mean, max, bias } = compare(ours, theirs);
  console.log(`${label}: mean ${mean.toFixed(3)} max ${max} bias ${bias.toFixed(3)}`);
  expect(mean, label).toBeLessThanOrEqual(1.6);
  expect(max, label).toBeLessThanOrEqual(3);
  expect(bias, label).toBeGreaterThanOrEqual(0);
}

const frame = (data: Uint8Array, width: number, height: number, format: 'i420' | 'rgb') => ({ data, width, height, format, timestamp: 0, seq: 0 });

describe.each([
  ['dog.jpg', 768, 576],
  ['eagle.jpg', 773, 512], // odd width
  ['kite.jpg', 1280, 720],
] as const)('%s at %ix%i', (name, width, height) => {
  it('i420 converts like ffmpeg', () => {
    const yuv = decode(name, width, height, 'yuv420p');
    expectLikeFfmpeg(`${name} i420`, i420ToRgb(yuv, width, height), ffmpegRgb(yuv, width, height));
  });

  it('nv12 repacked by ffmpeg converts exactly like its i420', () => {
    const yuv = decode(name, width, height, 'yuv420p');
    const nv12 = ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'nv12', '-'], yuv);
    expect(nv12.length).toBe(yuv.length);
    const a = nv12ToRgb(nv12, width, height);
    const b = i420ToRgb(yuv, width, height);
    // Compared by hand: a failing toEqual would render megabytes of diff.
    expect(compare(a, b).max).toBe(0);
  });

  it('letterboxes an i420 frame like the ffmpeg-converted rgb frame', () => {
    const yuv = decode(name, width, height, 'yuv420p');
    const options = { size: 416, scale: 1 };
    const fromYuv = letterbox(frame(yuv, width, height, 'i420'), options).tensor;
    const fromRgb = letterbox(frame(ffmpegRgb(yuv, width, height), width, height, 'rgb'), options).tensor;
    const { mean, max } = compare(fromYuv, fromRgb);
    console.log(`${name} letterbox i420 vs ffmpeg rgb: mean ${mean.toFixed(3)} max ${max.toFixed(3)}`);
    expect(mean).toBeLessThanOrEqual(1.6);
    // Interpolating Y, U and V before converting equals converting first, but where a clamp cuts.
    const viaOwnRgb = letterbox(frame(frameToRgb(frame(yuv, width, height, 'i420')), width, height, 'rgb'), options).tensor;
    expect(compare(fromYuv, viaOwnRgb).mean).toBeLessThanOrEqual(0.3);
  });
});

it('converts an odd-height i420 frame like ffmpeg converts the same samples one row taller', () => {
  // A 499x333 frame has the same 250x167 chroma planes as a 500x334 one: drop the
  // last luma column and row of ffmpeg's 500x334 frame and compare with its rgb, cropped.
  const [w, h] = [499, 333];
  const big = decode('giraffe.jpg', w + 1, h + 1, 'yuv420p');
  const small = new Uint8Array(w * h + 2 * 250 * 167);
  for (let y = 0; y < h; y++) small.set(big.subarray(y * (w + 1), y * (w + 1) + w), y * w);
  small.set(big.subarray((w + 1) * (h + 1)), w * h);
  const theirsBig = ffmpegRgb(big, w + 1, h + 1);
  const theirs = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) theirs.set(theirsBig.subarray(y * (w + 1) * 3, (y * (w + 1) + w) * 3), y * w * 3);
  expectLikeFfmpeg('giraffe.jpg i420 499x333', i420ToRgb(small, w, h), theirs);
});

/**
 * Proof that our bilinear resize agrees with OpenCV's `cv.resize(INTER_LINEAR)` (the
 * resize YOLO reference pipelines use), on real photos decoded by the system ffmpeg and
 * resized by real OpenCV compiled to wasm (@techstark/opencv-js).
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { letterbox, letterboxTransform, resizeBilinear } from '@vidai/core';
import { decodeImage } from './helpers/decode-image.js';
import { sharedPath } from '../../../test/helpers/shared-data.js';

const IMAGES = process.env.VIDAI_SHARED_IMAGES ?? sharedPath('images');

interface Rgb {
  name: string;
  data: Uint8Array;
  width: number;
  height: number;
}

/** Decodes an image to packed rgb24 with ffmpeg (and its size with ffprobe). */
function decode(path: string): Omit<Rgb, 'name'> {
  const { data, width, height } = decodeImage(path);
  return { data: data as Uint8Array, width, height };
}

// Minimal view of the parts of OpenCV.js used here.
interface CvMat {
  data: Uint8Array;
  rows: number;
  cols: number;
  delete(): void;
}
interface Cv {
  Mat: new () => CvMat;
  Size: new (width: number, height: number) => unknown;
  CV_8UC3: number;
  INTER_LINEAR: number;
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): CvMat;
  resize(src: CvMat, dst: CvMat, size: unknown, fx: number, fy: number, interpolation: number): void;
  onRuntimeInitialized?: () => void;
}

/**
 * Loads OpenCV.js. The module object is an Emscripten thenable that resolves to itself,
 * so it must never be awaited or returned from an async function (promise adoption
 * would loop forever): wait for `onRuntimeInitialized` and hand it back in a wrapper.
 */
async function loadOpenCv(): Promise<{ cv: Cv }> {
  const cv = createRequire(import.meta.url)('@techstark/opencv-js') as Cv;
  if (typeof (cv as Partial<Cv>).Mat !== 'function') {
    await new Promise<void>((resolve) => {
      cv.onRuntimeInitialized = resolve;
    });
  }
  return { cv };
}

function openCvResize(cv: Cv, img: Rgb, width: number, height: number): Uint8Array {
  const src = cv.matFromArray(img.height, img.width, cv.CV_8UC3, img.data);
  const dst = new cv.Mat();
  try {
    cv.resize(src, dst, new cv.Size(width, height), 0, 0, cv.INTER_LINEAR);
    expect([dst.cols, dst.rows]).toEqual([width, height]);
    return dst.data.slice();
  } finally {
    src.delete();
    dst.delete();
  }
}

function compare(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; max: number } {
  expect(a.length).toBe(b.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / a.length, max };
}

let cv: Cv;
const images: Rgb[] = [];

beforeAll(async () => {
  ({ cv } = await loadOpenCv());
  const names = readdirSync(IMAGES).filter((f) => f.endsWith('.jpg')).sort();
  expect(names.length).toBeGreaterThanOrEqual(6);
  for (const name of names) images.push({ name, ...decode(join(IMAGES, name)) });
});

describe('resizeBilinear agrees with OpenCV INTER_LINEAR', () => {
  /** Target sizes for an image: the 416 letterbox content (both roundings), a thumbnail, a non-uniform and an upscale. */
  function targets(img: Rgb): Array<[string, number, number]> {
    const round = letterboxTransform(img.width, img.height, { size: 416 });
    const floor = letterboxTransform(img.width, img.height, { size: 416, rounding: 'floor' });
    return [
      ['letterbox 416 (round)', round.contentWidth, round.contentHeight],
      ['letterbox 416 (floor)', floor.contentWidth, floor.contentHeight],
      ['exact half', Math.round(img.width / 2), Math.round(img.height / 2)],
      ['thumbnail 97x61', 97, 61],
      ['non-uniform 640x200', 640, 200],
      ['upscale x1.7', Math.round(img.width * 1.7), Math.round(img.height * 1.7)],
    ];
  }

  it('has a mean absolute difference <= 1 gray level on every image and size', () => {
    const rows: string[] = [];
    let worstMean = 0;
    let worstMax = 0;
    for (const img of images) {
      for (const [label, w, h] of targets(img)) {
        const ours = resizeBilinear(img.data, img.width, img.height, 3, w, h);
        const theirs = openCvResize(cv, img, w, h);
        const { mean, max } = compare(ours, theirs);
        rows.push(`${img.name} ${img.width}x${img.height} -> ${w}x${h} (${label}): mean ${mean.toFixed(4)} max ${max}`);
        expect(mean, `${img.name} -> ${w}x${h}`).toBeLessThanOrEqual(1);
        worstMean = Math.max(worstMean, mean);
        worstMax = Math.max(worstMax, max);
      }
    }
    console.log(`${rows.join('\n')}\nworst mean ${worstMean.toFixed(4)}, worst max ${worstMax}`);
    // Float interpolation against OpenCV's 11-bit fixed point: only rounding differs.
    expect(worstMax).toBeLessThanOrEqual(1);
  });

  it('fills a letterbox tensor with the OpenCV-resized image and the pad value', () => {
    for (const img of images) {
      for (const align of ['center', 'top-left'] as const) {
        const frame = { data: img.data, width: img.width, height: img.height, format: 'rgb' as const, timestamp: 0, seq: 0 };
        const { tensor, transform: t } = letterbox(frame, { size: 416, align, scale: 1 });
        const theirs = openCvResize(cv, img, t.contentWidth!, t.contentHeight!);
        // Gather the content region of the tensor back into packed rgb, checking pads on the way.
        const content = new Float32Array(theirs.length);
        let padErrors = 0;
        for (let c = 0; c < 3; c++) {
          for (let y = 0; y < 416; y++) {
            for (let x = 0; x < 416; x++) {
              const v = tensor[c * 416 * 416 + y * 416 + x]!;
              const cx = x - t.padX;
              const cy = y - t.padY;
              if (cx >= 0 && cy >= 0 && cx < t.contentWidth! && cy < t.contentHeight!) content[(cy * t.contentWidth! + cx) * 3 + c] = v;
              else if (v !== 114) padErrors++;
            }
          }
        }
        expect(padErrors).toBe(0);
        const { mean, max } = compare(content, theirs);
        expect(mean, `${img.name} ${align}`).toBeLessThanOrEqual(1);
        expect(max).toBeLessThanOrEqual(1);
      }
    }
  });
});

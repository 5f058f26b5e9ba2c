/**
 * The planar `gbrp` format (ffmpeg's planes green, blue, red) gives exactly what the
 * packed `rgb` format gives, wherever frames are read: letterbox (resize and copy
 * paths, any normalization and alignment), frameToRgb and the samplers' thumbnail.
 */
import { describe, expect, it } from 'vitest';
import { frameToRgb } from './color-convert.js';
import type { Frame } from './frame.js';
import { letterbox, type LetterboxOptions } from './letterbox.js';
import { grayThumbnail } from './samplers/gray-thumbnail.js';
import { validateFrame } from './validate-frame.js';

/** A noisy rgb frame and the same picture in gbrp. */
function pair(width: number, height: number, seed = 7): { rgb: Frame; gbrp: Frame } {
  const n = width * height;
  const rgb = new Uint8Array(3 * n);
  let x = seed;
  for (let i = 0; i < rgb.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    rgb[i] = x >>> 24;
  }
  const gbrp = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    gbrp[i] = rgb[3 * i + 1]!;
    gbrp[n + i] = rgb[3 * i + 2]!;
    gbrp[2 * n + i] = rgb[3 * i]!;
  }
  const base = { width, height, timestamp: 0, seq: 0 };
  return { rgb: { ...base, data: rgb, format: 'rgb' }, gbrp: { ...base, data: gbrp, format: 'gbrp' } };
}

const YOLOX: LetterboxOptions = { size: 64, align: 'top-left', channelOrder: 'bgr', scale: 1, padValue: 114, rounding: 'floor' };
const YOLOV8: LetterboxOptions = { size: 64 };
const IMAGENET: LetterboxOptions = { size: 64, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], padMultiple: 32 };

describe("the 'gbrp' pixel format", () => {
  it.each([
    ['YOLOX (raw values, bgr, top-left), resized', YOLOX, 160, 90],
    ['YOLOX, already at the resized size (plane copy)', YOLOX, 64, 36],
    ['YOLOv8 (1/255, centred), resized', YOLOV8, 90, 160],
    ['YOLOX portrait, already at the resized size (row by row copy)', YOLOX, 36, 64],
    ['YOLOv8, already at the resized size, side padding', YOLOV8, 36, 64],
    ['mean/std with minimal padding, already at the resized size', IMAGENET, 64, 48],
    ['YOLOX, upscaled', YOLOX, 20, 15],
  ] as const)('letterboxes to the same tensor as rgb: %s', (_, options, width, height) => {
    const { rgb, gbrp } = pair(width, height);
    const a = letterbox(rgb, options);
    const b = letterbox(gbrp, options);
    expect(b.dims).toEqual(a.dims);
    expect(b.transform).toEqual(a.transform);
    expect(b.tensor).toEqual(a.tensor);
  });

  it('converts to the same rgb bytes and the same gray thumbnail', () => {
    const { rgb, gbrp } = pair(50, 30);
    expect(frameToRgb(gbrp)).toEqual(rgb.data);
    expect(grayThumbnail(gbrp, 16).data).toEqual(grayThumbnail(rgb, 16).data);
  });

  it('is validated as 3 bytes per pixel', () => {
    const { gbrp } = pair(8, 4);
    expect(() => validateFrame(gbrp)).not.toThrow();
    expect(() => validateFrame({ ...gbrp, data: gbrp.data.subarray(1) })).toThrow(/bytes/);
  });
});

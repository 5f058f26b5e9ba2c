import { describe, expect, it } from 'vitest';
import { isVidaiError } from '../errors.js';
import type { Frame } from '../frame.js';
import { ALL_FORMATS, renderFrame, squareOn, type Picture } from '../../test/helpers/synthetic-video.js';
import { grayThumbnail, grayThumbnailSize } from './gray-thumbnail.js';

const gray = (v: number): Picture => () => [v, v, v];

describe('grayThumbnail', () => {
  it('keeps the aspect ratio and never enlarges', () => {
    expect(grayThumbnailSize(1280, 720, 64)).toEqual({ width: 64, height: 36 });
    expect(grayThumbnailSize(640, 480, 64)).toEqual({ width: 64, height: 48 });
    expect(grayThumbnailSize(32, 18, 64)).toEqual({ width: 32, height: 18 });
    expect(grayThumbnailSize(1000, 1, 64)).toEqual({ width: 64, height: 1 });
    const thumb = grayThumbnail(renderFrame(gray(7), { width: 160, height: 90, format: 'gray' }), 64);
    expect([thumb.width, thumb.height, thumb.data.length]).toEqual([64, 36, 64 * 36]);
  });

  it('averages each cell of the source exactly when the frame is small', () => {
    // Columns alternate 0 / 100: every 2x2 cell averages to 50.
    const stripes: Picture = (x) => (x % 2 === 0 ? [0, 0, 0] : [100, 100, 100]);
    const thumb = grayThumbnail(renderFrame(stripes, { width: 8, height: 4, format: 'gray' }), 4);
    expect([...thumb.data]).toEqual(Array(8).fill(50));
    // Left half 0, right half 200, halved: cells do not mix the halves.
    const halves: Picture = (x) => (x < 4 ? [0, 0, 0] : [200, 200, 200]);
    expect([...grayThumbnail(renderFrame(halves, { width: 8, height: 4, format: 'gray' }), 4).data]).toEqual([0, 0, 200, 200, 0, 0, 200, 200]);
  });

  it('gives the same gray in every pixel format (BT.601 luma, YUV expanded to full range)', () => {
    const picture = squareOn([40, 120, 200], [250, 30, 60], 32, 16, 48);
    const thumbs = ALL_FORMATS.map((format) => grayThumbnail(renderFrame(picture, { width: 160, height: 96, format }), 40));
    const reference = thumbs[0]!;
    // Background luma 0.299*40 + 0.587*120 + 0.114*200 = 104.6
    expect(reference.data[0]).toBe(105);
    for (const thumb of thumbs) {
      expect([thumb.width, thumb.height]).toEqual([40, 24]);
      for (let i = 0; i < thumb.data.length; i++) expect(Math.abs(thumb.data[i]! - reference.data[i]!)).toBeLessThanOrEqual(1);
    }
  });

  it('reads channel order: pure red differs from pure blue, and rgb/bgr swap them', () => {
    const red = renderFrame(() => [255, 0, 0], { width: 4, height: 4, format: 'rgb' });
    const asBgr: Frame = { ...red, format: 'bgr' };
    const near = (value: number | undefined, expected: number) => expect(Math.abs(value! - expected)).toBeLessThanOrEqual(1);
    near(grayThumbnail(red, 4).data[0], 0.299 * 255);
    near(grayThumbnail(asBgr, 4).data[0], 0.114 * 255);
    const rgba = renderFrame(() => [255, 0, 0], { width: 4, height: 4, format: 'rgba' });
    rgba.data.fill(0, 3, 4); // alpha is ignored
    near(grayThumbnail(rgba, 4).data[0], 0.299 * 255);
  });

  it('uses only the Y plane of i420 and nv12', () => {
    const frame = renderFrame(gray(128), { width: 16, height: 8, format: 'i420' });
    const before = grayThumbnail(frame, 8).data.slice();
    frame.data.fill(255, 16 * 8); // scribble over both chroma planes
    expect(grayThumbnail(frame, 8).data).toEqual(before);
    expect([...new Set(before)]).toEqual([128]);
    // Limited-range black and white map to 0 and 255.
    const nv12 = renderFrame((x) => (x < 8 ? [0, 0, 0] : [255, 255, 255]), { width: 16, height: 8, format: 'nv12' });
    expect([...grayThumbnail(nv12, 2).data]).toEqual([0, 255]);
  });

  it('samples a large frame on a bounded grid per cell and still finds the cell means', () => {
    // 640x360 to 32x18: cells of 20x20 pixels; each cell uniform with its own level.
    const cells: Picture = (x, y) => {
      const v = (Math.floor(x / 20) * 7 + Math.floor(y / 20) * 13) % 256;
      return [v, v, v];
    };
    const thumb = grayThumbnail(renderFrame(cells, { width: 640, height: 360, format: 'rgb' }), 32);
    for (let ty = 0; ty < 18; ty++) {
      for (let tx = 0; tx < 32; tx++) expect(thumb.data[ty * 32 + tx]).toBe((tx * 7 + ty * 13) % 256);
    }
    // One-pixel stripes 0/100 average to 50: samples spread over the cell, not one point.
    const stripes: Picture = (x) => (x % 2 === 0 ? [0, 0, 0] : [100, 100, 100]);
    const striped = grayThumbnail(renderFrame(stripes, { width: 640, height: 360, format: 'gray' }), 32);
    expect([...new Set(striped.data)]).toEqual([50]);
  });

  it('writes into an output array of the right length and allocates otherwise', () => {
    const frame = renderFrame(gray(90), { width: 64, height: 32, format: 'rgb' });
    const output = new Uint8Array(32 * 16);
    expect(grayThumbnail(frame, 32, { output }).data).toBe(output);
    expect(output[0]).toBe(90);
    const wrong = new Uint8Array(10);
    const thumb = grayThumbnail(frame, 32, { output: wrong });
    expect(thumb.data).not.toBe(wrong);
    expect(wrong.every((v) => v === 0)).toBe(true);
  });

  it('rejects bad frames with a VidaiError and bad arguments with a TypeError', () => {
    const frame = renderFrame(gray(1), { width: 8, height: 8, format: 'rgb' });
    const short: Frame = { ...frame, data: frame.data.subarray(1) };
    expect(() => grayThumbnail(short, 4)).toThrow(expect.objectContaining({ code: 'invalid-frame' }));
    try {
      grayThumbnail({ ...frame, format: 'yuyv' as never }, 4);
      expect.unreachable();
    } catch (err) {
      expect(isVidaiError(err, 'unsupported-format')).toBe(true);
    }
    expect(() => grayThumbnail(frame, 0)).toThrow(TypeError);
    expect(() => grayThumbnail(frame, 2.5)).toThrow(TypeError);
    expect(() => grayThumbnail(frame, 4, { samplesPerAxis: 0 })).toThrow(TypeError);
  });
});

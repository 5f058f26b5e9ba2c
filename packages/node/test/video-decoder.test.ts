/**
 * The in-process decoder of server-side inference on real VP8 from ffmpeg: full-size
 * frames, and frames scaled while converting (`fitWithin`) to what the letterbox would
 * make of them, planar, with the decoded size as display size.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCatalogModel, letterbox, type Frame } from '@vidai/core';
import { VideoFrameDecoder } from '../src/video-decoder.js';
import type { EncodedVideoFrame } from '../src/rtp-frame-assembler.js';
import { ivfFrames } from './helpers/ivf.js';
import { sharedDir } from '../../../test/helpers/shared-data.js';

const SHARED = sharedDir;
const CARS = join(SHARED, 'videos/intel-car-detection.mp4'); // 768x432
const yolox = getCatalogModel('yolox-nano');
const FIT = { size: yolox.inputSize, ...yolox.preprocess };

/** The first `count` frames of a video encoded to VP8 by ffmpeg, split out of the IVF container. */
function vp8Frames(path: string, count: number): EncodedVideoFrame[] {
  const ivf = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-frames:v', String(count), '-c:v', 'libvpx', '-b:v', '2M', '-f', 'ivf', '-'], {
    maxBuffer: 64 << 20,
  });
  return ivfFrames(ivf).map((data, i) => ({
    codec: 'vp8',
    data: new Uint8Array(data),
    keyFrame: (data[0]! & 1) === 0,
    rtpTimestamp: i * 3000,
    receivedAt: 0,
    bytes: data.length,
  }));
}

function decodeAll(decoder: VideoFrameDecoder, frames: EncodedVideoFrame[]): Frame[] {
  const out = frames.map((f) => decoder.decode(f)).filter((d) => d !== undefined);
  decoder.close();
  return out.map((d) => ({ ...d.frame, timestamp: 0, seq: 0 }));
}

describe('VideoFrameDecoder', () => {
  const encoded = vp8Frames(CARS, 5);

  it('decodes full-size bgr frames by default', () => {
    const frames = decodeAll(new VideoFrameDecoder('vp8'), encoded);
    expect(frames).toHaveLength(5);
    expect(frames[0]).toMatchObject({ width: 768, height: 432, format: 'bgr' });
    expect(frames[0]!.displayWidth).toBeUndefined();
    expect(frames[0]!.data.length).toBe(768 * 432 * 3);
  });

  it('with fitWithin, scales to the letterbox size (planar gbrp, display size set) with about the pixels the letterbox makes', () => {
    const full = decodeAll(new VideoFrameDecoder('vp8', { format: 'rgb' }), encoded);
    const fitted = decodeAll(new VideoFrameDecoder('vp8', { fitWithin: FIT }), encoded);
    expect(fitted).toHaveLength(5);
    for (const [i, frame] of fitted.entries()) {
      expect(frame).toMatchObject({ width: 416, height: 234, displayWidth: 768, displayHeight: 432, format: 'gbrp' });
      expect(frame.data.length).toBe(416 * 234 * 3);
      // The tensors of both paths: same geometry, pixels 0.45 gray levels apart on average
      // (measured; swscale's area filter vs the letterbox's bilinear, whose effect on
      // detections ffmpeg-source-fit.test.ts measures). Planes in the wrong order or a
      // picture off by a row are tens of levels off.
      const a = letterbox(frame, FIT);
      const b = letterbox(full[i]!, FIT);
      expect(a.transform).toEqual(b.transform);
      let sum = 0;
      for (let k = 0; k < a.tensor.length; k++) sum += Math.abs(a.tensor[k]! - b.tensor[k]!);
      expect(sum / a.tensor.length).toBeLessThan(1);
      expect(sum / a.tensor.length).toBeGreaterThan(0); // really scaled by the decoder, not copied
    }
  });

  it('rejects letterbox options that cannot fit anything', () => {
    expect(() => new VideoFrameDecoder('vp8', { fitWithin: { size: 0 } })).toThrow(TypeError);
  });
});

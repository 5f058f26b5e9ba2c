/**
 * FfmpegSource with `fitWithin` against the real ffmpeg and the real YOLOX-Nano model:
 * frames come at the letterbox's resized size with the original size as display size,
 * and detections on them agree with detections on full-size frames resized in JS.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FfmpegSource,
  WorkerDetector,
  frameToRgb,
  letterbox,
  createNodeDetector,
  getCatalogModel,
  type DetectionResult,
  type FfmpegSourceOptions,
  type Frame,
  type NodeDetector,
} from '../src/index.js';
import { compareDetections, ffmpegFrameMd5s } from './helpers/comparisons.js';
import { sharedDir } from '../../../test/helpers/shared-data.js';

const SHARED = sharedDir;
const MODEL = { model: 'yolox-nano', cacheDir: join(SHARED, 'models'), download: false } as const;
const CARS = join(SHARED, 'videos/intel-car-detection.mp4'); // 768x432
const TRAFFIC = join(SHARED, 'videos/degirum-Traffic.mp4'); // 960x540
const yolox = getCatalogModel('yolox-nano');
const FIT = { size: yolox.inputSize, ...yolox.preprocess };

async function firstFrames(options: FfmpegSourceOptions, count: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of new FfmpegSource(options)) {
    frames.push(frame);
    if (frames.length === count) break;
  }
  return frames;
}

describe('FfmpegSource with fitWithin', () => {
  it("delivers every frame at the letterbox's resized size, exactly as ffmpeg's area scaler gives it, showing the input's size", async () => {
    const expected = ffmpegFrameMd5s(CARS, 'scale=416:234:flags=area+accurate_rnd+full_chroma_int', 'gbrp');
    const source = new FfmpegSource({ input: CARS, fitWithin: FIT });
    const args: string[] = [];
    source.on('start', (info) => args.push(...info.args));
    let count = 0;
    let mismatches = 0;
    for await (const frame of source) {
      // Planar by default: a detector fills its planar tensor from it plane by plane.
      expect(frame).toMatchObject({ width: 416, height: 234, displayWidth: 768, displayHeight: 432, format: 'gbrp', seq: count });
      expect(frame.data.byteLength).toBe(416 * 234 * 3);
      if (createHash('md5').update(frame.data).digest('hex') !== expected[count]) mismatches++;
      count++;
    }
    expect(count).toBe(expected.length);
    expect(mismatches).toBe(0);
    // The pipe carries (768 * 432) / (416 * 234) = 3.4 times fewer bytes than at full size.
    expect(args.join(' ')).toContain('scale=416:234:flags=area');
  });

  it("gives the same pixels as 'rgb' frames, in planes green, blue, red", async () => {
    const [planar] = await firstFrames({ input: CARS, fitWithin: FIT }, 1);
    const [packed] = await firstFrames({ input: CARS, fitWithin: FIT, format: 'rgb' }, 1);
    expect(planar!.format).toBe('gbrp');
    expect(packed!.format).toBe('rgb');
    expect(Buffer.from(frameToRgb(planar!)).equals(Buffer.from(packed!.data))).toBe(true);
    // The letterbox of either gives the same tensor.
    expect(letterbox(planar!, FIT).tensor).toEqual(letterbox(packed!, FIT).tensor);
  });

  it('follows the letterbox geometry: rounding, other sizes, width/height as the display size, no upscaling', async () => {
    const one = async (options: Omit<FfmpegSourceOptions, 'input'>, input = CARS) => {
      const [frame] = await firstFrames({ input, ...options }, 1);
      return [frame!.width, frame!.height, frame!.displayWidth, frame!.displayHeight, frame!.data.byteLength];
    };
    expect(await one({ fitWithin: FIT }, TRAFFIC)).toEqual([416, 234, 960, 540, 416 * 234 * 3]);
    // 432 * 320 / 768 = 180 exactly; 540 * 300 / 960 = 168.75: rounded to 169, or floored to 168.
    expect(await one({ fitWithin: { size: 320 } })).toEqual([320, 180, 768, 432, 320 * 180 * 3]);
    expect(await one({ fitWithin: { size: 300 } }, TRAFFIC)).toEqual([300, 169, 960, 540, 300 * 169 * 3]);
    expect(await one({ fitWithin: { size: 300, rounding: 'floor' } }, TRAFFIC)).toEqual([300, 168, 960, 540, 300 * 168 * 3]);
    expect(await one({ fitWithin: { size: { width: 640, height: 160 } }, format: 'gray' })).toEqual([284, 160, 768, 432, 284 * 160]);
    // width/height give the picture the frames show; fitWithin scales that picture.
    expect(await one({ width: 384, fitWithin: FIT })).toEqual([416, 234, 384, 216, 416 * 234 * 3]);
    expect(await one({ fitWithin: { size: 1024, allowUpscale: false } })).toEqual([768, 432, 768, 432, 768 * 432 * 3]);
  });

  it('rejects letterbox options that cannot fit anything with TypeError', () => {
    expect(() => new FfmpegSource({ input: CARS, fitWithin: { size: 0 } })).toThrow(TypeError);
    expect(() => new FfmpegSource({ input: CARS, fitWithin: { size: 416, rounding: 'up' as 'floor' } })).toThrow(TypeError);
  });
});

/** Summary of {@link compareDetections} that the tolerances below bound. */
function agreement(reference: DetectionResult[], candidate: DetectionResult[]) {
  const a = compareDetections(
    reference.map((r) => r.detections),
    candidate.map((r) => r.detections),
  );
  const sorted = [...a.coordDiffs].sort((x, y) => x - y);
  return {
    detections: a.total,
    pairedShare: a.paired / a.total,
    meanScoreDiff: a.scoreDiffs.reduce((x, y) => x + y, 0) / a.scoreDiffs.length,
    medianCoordDiff: sorted[Math.floor(sorted.length / 2)]!,
    p90CoordDiff: sorted[Math.floor(sorted.length * 0.9)]!,
  };
}

/**
 * How close is close enough. ffmpeg's area scaler and the JS bilinear (OpenCV
 * INTER_LINEAR) are different filters, so detections move a little; measured here (the
 * first 60 frames of the traffic video, all 377 of the parking lot), ffmpeg path vs JS
 * path: paired 95.1% / 97.0% of detections, mean |score diff| 0.041 / 0.022, median
 * coordinate diff 0.29 / 0.15 px, p90 1.8 / 0.57 px. For scale, the JS path against
 * itself with ffmpeg's rgb conversion rounded differently (one gray level) pairs 97-98.6%
 * over the whole videos (`bench/ffmpeg-resize-agreement.bench.ts`): a few boxes near the
 * threshold always come and go. The bounds below leave room for float noise between
 * CPUs; a picture 24 rows too tall (10% stretch) fails all four (87% / 75% paired, score
 * 0.11 / 0.08, median 1.2 / 1.1 px, p90 4.7 / 4.3 px), and frames without their display
 * size fail the size check.
 */
const AGREEMENT = { pairedShare: 0.92, meanScoreDiff: 0.06, medianCoordDiff: 0.5, p90CoordDiff: 3 };

describe('detections on frames ffmpeg scaled', () => {
  let node: NodeDetector;
  beforeAll(async () => {
    node = await createNodeDetector({ ...MODEL, intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await node?.detector.close();
  });

  it.each([
    ['degirum-Traffic.mp4', TRAFFIC, 60],
    ['intel-car-detection.mp4', CARS, Infinity],
  ])('agree with the JS resize of full-size frames on %s, in the same (original) pixels', async (_, video, frames) => {
    const detect = async (options: Partial<FfmpegSourceOptions>) => {
      const results: DetectionResult[] = [];
      for (const frame of await firstFrames({ input: video, ...options }, frames)) results.push(await node.detector.detect(frame));
      return results;
    };
    const js = await detect({});
    const scaled = await detect({ fitWithin: FIT });
    expect(scaled.map((r) => [r.width, r.height])).toEqual(js.map((r) => [r.width, r.height]));
    const a = agreement(js, scaled);
    expect(a.detections).toBeGreaterThan(250);
    expect(a.pairedShare).toBeGreaterThanOrEqual(AGREEMENT.pairedShare);
    expect(a.meanScoreDiff).toBeLessThanOrEqual(AGREEMENT.meanScoreDiff);
    expect(a.medianCoordDiff).toBeLessThanOrEqual(AGREEMENT.medianCoordDiff);
    expect(a.p90CoordDiff).toBeLessThanOrEqual(AGREEMENT.p90CoordDiff);
  });

  it('reach a WorkerDetector with their display size', async () => {
    const [frame] = await firstFrames({ input: TRAFFIC, fitWithin: FIT }, 1);
    const worker = await WorkerDetector.create({ ...MODEL, workers: 1, intraOpNumThreads: 1 });
    try {
      const inThread = await node.detector.detect(frame!);
      const inWorker = await worker.detect(frame!);
      expect(inWorker).toMatchObject({ width: 960, height: 540 });
      expect(inWorker.detections).toEqual(inThread.detections);
      expect(inWorker.detections.length).toBeGreaterThan(0);
    } finally {
      await worker.close();
    }
  });
});

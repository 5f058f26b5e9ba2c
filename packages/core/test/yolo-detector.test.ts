/**
 * Proof that YoloDetector reproduces the reference detections of the real YOLOX-Nano
 * model on dog.jpg: real ffmpeg decode, real onnxruntime-node session, our letterbox,
 * decoder and NMS. The reference (in ../shared/SOURCES.md) comes from an independent
 * implementation (OpenCV DNN + numpy decode + OpenCV NMS).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxIou, getCatalogModel, isVidaiError, YoloDetector, type Box, type Frame } from '@vidai/core';
import { decodeImage } from './helpers/decode-image.js';
import { sharedDir } from '../../../test/helpers/shared-data.js';

const SHARED = sharedDir;
const MODEL = join(SHARED, 'models/yolox_nano.onnx');
const DOG = join(SHARED, 'images/dog.jpg');

/**
 * Reference detections with a tolerance per coordinate (pixels). The bicycle's left edge
 * (its rear wheel) is where two anchors nearly tie (0.805 and 0.803 after ffmpeg's JPEG
 * decode) with left edges 6.6 px apart, and which one wins depends on the JPEG decoder's
 * rounding (libjpeg in the reference, ffmpeg here): that one coordinate gets 8 px. With a
 * libjpeg-turbo decode (djpeg) the same pipeline gives bicycle 0.803 [53.8, 137.1, 572.3, 423.5].
 */
const REFERENCE: { label: string; classId: number; score: number; box: Box; tolerance?: Box }[] = [
  { label: 'dog', classId: 16, score: 0.855, box: [132.8, 206.6, 325.7, 543.1] },
  { label: 'bicycle', classId: 1, score: 0.803, box: [51.7, 137.2, 572.3, 423.6], tolerance: [8, 2, 2, 2] },
  { label: 'car', classId: 2, score: 0.798, box: [466.3, 78.4, 692.5, 171.3] },
  { label: 'truck', classId: 7, score: 0.306, box: [464.2, 77.6, 682.8, 172.7] },
];

describe('YoloDetector on the real YOLOX-Nano model', () => {
  let session: ort.InferenceSession;
  let dog: Frame;

  beforeAll(async () => {
    session = await ort.InferenceSession.create(MODEL);
    dog = { ...decodeImage(DOG), timestamp: 1234, seq: 7 };
  });
  afterAll(async () => {
    await session?.release();
  });

  it('the shared model file is the one the catalog describes', () => {
    const entry = getCatalogModel('yolox-nano');
    const bytes = readFileSync(MODEL);
    expect(bytes.length).toBe(entry.sizeBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
    expect(session.inputNames).toEqual([entry.inputName]);
    expect(session.outputNames).toEqual([entry.outputName]);
  });

  it('finds dog, bicycle, car and truck on dog.jpg as the reference does (auto-detected family)', async () => {
    const detector = await YoloDetector.create({ session });
    expect(detector.family).toBe('yolox');
    expect(detector.inputSize).toEqual({ width: 416, height: 416 });
    expect(detector.labels[16]).toBe('dog');
    expect(detector.preprocess).toMatchObject({ channelOrder: 'bgr', scale: 1, align: 'top-left', padValue: 114 });

    const result = await detector.detect(dog);
    expect(result).toMatchObject({ seq: 7, timestamp: 1234, width: 768, height: 576 });
    // No other detection scores as high as the weakest reference one.
    expect(result.detections.filter((d) => d.score >= 0.3)).toHaveLength(REFERENCE.length);
    for (const ref of REFERENCE) {
      const found = result.detections.find((d) => d.classId === ref.classId);
      expect(found, ref.label).toBeDefined();
      expect(found!.label).toBe(ref.label);
      expect(Math.abs(found!.score - ref.score), `${ref.label} score ${found!.score}`).toBeLessThanOrEqual(0.02);
      found!.box.forEach((v, i) => {
        expect(Math.abs(v - ref.box[i]!), `${ref.label} box ${found!.box}`).toBeLessThanOrEqual(ref.tolerance?.[i] ?? 2);
      });
      expect(boxIou(found!.box, ref.box), `${ref.label} IoU`).toBeGreaterThan(0.98);
    }
    const scores = result.detections.map((d) => d.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const stage of ['preprocess', 'inference', 'postprocess'] as const) {
      expect(result.timings[stage]).toBeGreaterThanOrEqual(0);
    }
    // The detector does not own a session it was handed: it still runs after close().
    await detector.close();
    await detector.close();
    expect((await session.run({ images: new ort.Tensor('float32', new Float32Array(3 * 416 * 416), [1, 3, 416, 416]) })).output).toBeDefined();
  });

  it('gives the same boxes from the catalog entry, and applies per-call thresholds and class filters', async () => {
    const detector = await YoloDetector.fromCatalog('yolox-nano', { session, classes: ['dog', 2] });
    const filtered = await detector.detect(dog);
    expect(filtered.detections.map((d) => d.label)).toEqual(['dog', 'car']);

    const strict = await detector.detect(dog, { scoreThreshold: 0.82 });
    expect(strict.detections.map((d) => d.label)).toEqual(['dog']);
    await detector.close();

    // Class-agnostic NMS lets the car suppress the truck that overlaps it.
    const agnostic = await YoloDetector.fromCatalog('yolox-nano', { session, agnosticNms: true });
    const labels = (await agnostic.detect(dog)).detections.map((d) => d.label);
    expect(labels).toContain('car');
    expect(labels).not.toContain('truck');
    await agnostic.close();
  });

  it('serializes concurrent calls and reuses its input buffer', async () => {
    const detector = await YoloDetector.create({ session, family: 'yolox' });
    const frames = [dog, { ...dog, seq: 8 }, { ...dog, seq: 9 }];
    const results = await Promise.all(frames.map((f) => detector.detect(f)));
    expect(results.map((r) => r.seq)).toEqual([7, 8, 9]);
    const boxes = results.map((r) => JSON.stringify(r.detections));
    expect(new Set(boxes).size).toBe(1);
    await detector.close();
    await expect(detector.detect(dog)).rejects.toSatisfy((err) => isVidaiError(err, 'closed'));
  });

  it('releases the session on close() when it owns it', async () => {
    const own = await ort.InferenceSession.create(MODEL);
    let released = 0;
    const release = own.release.bind(own);
    own.release = async () => {
      released++;
      await release();
    };
    const detector = await YoloDetector.create({ session: own, ownsSession: true });
    await detector.close();
    await detector.close();
    expect(released).toBe(1);
  });

  it('rejects an inputSize that contradicts the model with model-shape-mismatch', async () => {
    await expect(YoloDetector.create({ session, inputSize: 640 })).rejects.toSatisfy(
      (err) => isVidaiError(err, 'model-shape-mismatch') && /640x640.*416x416/.test((err as Error).message),
    );
  });
});

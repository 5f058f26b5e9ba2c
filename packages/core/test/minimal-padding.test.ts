/**
 * Minimal padding (rectangular inference): letterbox's `padMultiple`, the ONNX rewrite
 * that makes the input size dynamic, and YoloDetector's `padding` modes, on the real
 * YOLOX-Nano model through onnxruntime-node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anchorPointCount,
  isVidaiError,
  letterbox,
  letterboxTransform,
  withDynamicInputSize,
  YoloDetector,
  type Box,
  type Frame,
  type YoloDetectorOptions,
} from '@vidai/core';
import { decodeImage } from './helpers/decode-image.js';
import { buildConstantOutputModel } from './helpers/onnx-model.js';
import { failure } from '../../../test/helpers/rejection.js';
import { sharedDir } from '../../../test/helpers/shared-data.js';

const SHARED = sharedDir;
const MODEL = join(SHARED, 'models/yolox_nano.onnx');
const DOG = join(SHARED, 'images/dog.jpg');

describe('letterbox padMultiple', () => {
  it('pads a 16:9 frame to the next multiple instead of the whole square', () => {
    expect(letterboxTransform(1280, 720, { size: 416, padMultiple: 32, align: 'top-left' })).toMatchObject({
      dstWidth: 416,
      dstHeight: 256,
      contentWidth: 416,
      contentHeight: 234,
      padX: 0,
      padY: 0,
    });
    // Centred: the 22 rows of padding are split 11 / 11.
    expect(letterboxTransform(1280, 720, { size: 416, padMultiple: 32 })).toMatchObject({ dstHeight: 256, padY: 11 });
    // Portrait, and a multiple that does not divide the size.
    expect(letterboxTransform(720, 1280, { size: 416, padMultiple: 32 })).toMatchObject({ dstWidth: 256, dstHeight: 416, padX: 11 });
    expect(letterboxTransform(640, 480, { size: 416, padMultiple: 64 })).toMatchObject({ dstWidth: 448, dstHeight: 320 });
    expect(() => letterboxTransform(640, 480, { size: 416, padMultiple: 0 })).toThrow(/padMultiple/);
  });

  it('writes the same content as full padding, with only the padding rows cut', () => {
    const frame = decodeImage(DOG, '1280:720');
    const options = { size: 416, align: 'top-left', channelOrder: 'bgr', scale: 1, rounding: 'floor' } as const;
    const full = letterbox(frame, options);
    const minimal = letterbox(frame, { ...options, padMultiple: 32 });
    expect(minimal.dims).toEqual([1, 3, 256, 416]);
    expect(minimal.tensor.length).toBe(3 * 256 * 416);
    const plane = 256 * 416;
    for (let c = 0; c < 3; c++) {
      // Rows 0..255 of each plane are the same values as the square tensor's.
      expect(minimal.tensor.subarray(c * plane, (c + 1) * plane)).toEqual(full.tensor.subarray(c * 416 * 416, c * 416 * 416 + plane));
    }
    // Rows 234..255 are padding (114).
    expect(minimal.tensor[240 * 416 + 5]).toBe(114);
    expect(minimal.tensor[233 * 416 + 5]).not.toBe(114);
  });
});

describe('withDynamicInputSize', () => {
  const file = new Uint8Array(readFileSync(MODEL));

  it("makes YOLOX-Nano's input height and width and its anchor count symbolic, and leaves the file as it was", async () => {
    const before = file.slice();
    const { model, report } = withDynamicInputSize(file);
    expect(file).toEqual(before);
    expect(report).toEqual({ input: { name: 'images', dims: [1, 3, 416, 416] }, inputSize: { width: 416, height: 416 }, outputs: { output: { dims: [1, 3549, 85], symbolic: [1] } } });
    const session = await ort.InferenceSession.create(model);
    try {
      expect(session.inputMetadata[0]).toMatchObject({ name: 'images', shape: [1, 3, 'height', 'width'] });
      expect(session.outputMetadata[0]).toMatchObject({ name: 'output', shape: [1, 'anchors', 85] });
      const out = await session.run({ images: new ort.Tensor('float32', new Float32Array(3 * 256 * 416), [1, 3, 256, 416]) });
      expect(out.output!.dims).toEqual([1, anchorPointCount(416, 256), 85]);
    } finally {
      await session.release();
    }
  });

  it('the unchanged model refuses the same input (the rewrite is what makes it run)', async () => {
    const session = await ort.InferenceSession.create(file);
    try {
      await expect(session.run({ images: new ort.Tensor('float32', new Float32Array(3 * 256 * 416), [1, 3, 256, 416]) })).rejects.toThrow(
        /dimensions/i,
      );
    } finally {
      await session.release();
    }
  });

  it('rejects bytes that are not a model, and a model with no image input, with typed errors', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isVidaiError(err) ? err.code : String(err);
      }
      return undefined;
    };
    expect(code(() => withDynamicInputSize(new Uint8Array([0xff, 0xff, 0xff])))).toBe('model-load-failed');
    expect(code(() => withDynamicInputSize(new TextEncoder().encode('not an onnx file at all')))).toBe('model-load-failed');
    const flat = buildConstantOutputModel({ output: new Float32Array(6), outputDims: [1, 6], inputDims: [1, 10] });
    expect(code(() => withDynamicInputSize(flat))).toBe('model-shape-mismatch');
    expect(code(() => withDynamicInputSize(file, 'no-such-input'))).toBe('model-shape-mismatch');
  });
});

describe('YoloDetector padding', () => {
  let fixed: ort.InferenceSession;
  let dynamic: ort.InferenceSession;
  let dog: Frame;
  beforeAll(async () => {
    fixed = await ort.InferenceSession.create(MODEL);
    dynamic = await ort.InferenceSession.create(withDynamicInputSize(new Uint8Array(readFileSync(MODEL))).model);
    dog = decodeImage(DOG);
  });
  afterAll(async () => {
    await fixed?.release();
    await dynamic?.release();
  });

  /** Records the dims of every input tensor the detector builds. */
  function recording(): { dims: number[][]; createTensor: NonNullable<YoloDetectorOptions['createTensor']> } {
    const dims: number[][] = [];
    return { dims, createTensor: (data, d) => (dims.push([...d]), new ort.Tensor('float32', data, d)) };
  }

  it("'auto' uses minimal padding on a dynamic-input session: 416x320 for dog.jpg, the reference boxes within 2 px", async () => {
    const rec = recording();
    const detector = await YoloDetector.fromCatalog('yolox-nano', { session: dynamic, createTensor: rec.createTensor });
    expect(detector.padding).toBe('minimal');
    expect(detector.preprocess.padMultiple).toBe(32);
    rec.dims.length = 0; // drop the probe run
    const result = await detector.detect(dog);
    expect(rec.dims).toEqual([[1, 3, 320, 416]]);
    // Reference detections from ../shared/SOURCES.md (computed with full padding). The
    // bicycle's left edge is where two anchors nearly tie, and which one wins follows the
    // JPEG decoder's rounding (see yolo-detector.test.ts): that one coordinate gets 8 px.
    const reference: Array<[string, number, Box]> = [
      ['dog', 0.855, [132.8, 206.6, 325.7, 543.1]],
      ['bicycle', 0.803, [51.7, 137.2, 572.3, 423.6]],
      ['car', 0.798, [466.3, 78.4, 692.5, 171.3]],
      ['truck', 0.306, [464.2, 77.6, 682.8, 172.7]],
    ];
    expect(result.detections.map((d) => d.label)).toEqual(reference.map(([label]) => label));
    for (const [label, score, box] of reference) {
      const d = result.detections.find((x) => x.label === label)!;
      expect(Math.abs(d.score - score), label).toBeLessThanOrEqual(0.01);
      d.box.forEach((v, i) => expect(Math.abs(v - box[i]!), `${label} ${d.box}`).toBeLessThanOrEqual(label === 'bicycle' && i === 0 ? 8 : 2));
    }
    // A 16:9 frame runs at 416x256.
    await detector.detect(decodeImage(DOG, '1280:720'));
    expect(rec.dims.at(-1)).toEqual([1, 3, 256, 416]);
    await detector.close();
  });

  it("'auto' keeps full padding on a fixed-size session, and 'minimal' there is a model-shape-mismatch", async () => {
    const detector = await YoloDetector.fromCatalog('yolox-nano', { session: fixed });
    expect(detector.padding).toBe('full');
    expect(detector.preprocess.padMultiple).toBeUndefined();
    await detector.close();
    const err = await failure(YoloDetector.fromCatalog('yolox-nano', { session: fixed, padding: 'minimal' }));
    expect(isVidaiError(err, 'model-shape-mismatch')).toBe(true);
    expect(err.message).toContain('withDynamicInputSize');
  });

  it("'full' on a dynamic-input session letterboxes into the whole 416x416", async () => {
    const rec = recording();
    const detector = await YoloDetector.fromCatalog('yolox-nano', { session: dynamic, padding: 'full', createTensor: rec.createTensor });
    expect(detector.padding).toBe('full');
    await detector.detect(dog);
    expect(rec.dims).toEqual([[1, 3, 416, 416]]);
    await detector.close();
  });

  it('checks that the graph really takes rectangular inputs: a fixed-size head fails the probe', async () => {
    // Declares a dynamic input but always outputs 416x416's 3549 anchors.
    const model = buildConstantOutputModel({
      output: new Float32Array(3549 * 85),
      outputDims: [1, 3549, 85],
      inputDims: [1, 3, 'height', 'width'],
    });
    const session = await ort.InferenceSession.create(model);
    try {
      const auto = await YoloDetector.create({ session, family: 'yolox', inputSize: 416 });
      expect(auto.padding).toBe('full');
      const err = await failure(YoloDetector.create({ session, family: 'yolox', inputSize: 416, padding: 'minimal' }));
      expect(isVidaiError(err, 'model-shape-mismatch')).toBe(true);
      expect(err.message).toMatch(/416x224/);
    } finally {
      await session.release();
    }
  });
});

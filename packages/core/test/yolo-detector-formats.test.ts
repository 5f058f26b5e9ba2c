/**
 * Proof that YoloDetector decodes the output formats we have no real model for
 * (YOLOv5, YOLOv8, end-to-end, decoded YOLOX) and rejects unknown ones with a typed
 * error: each test builds a tiny ONNX model whose output is a known constant tensor,
 * writes it to a temp dir, opens it with onnxruntime-node and runs the detector on a
 * frame, then checks the boxes in source pixels against what the constant encodes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { COCO_LABELS, isVidaiError, YoloDetector, type Detection, type Frame } from '@vidai/core';
import { buildConstantOutputModel, type ModelDim } from './helpers/onnx-model.js';

const dir = mkdtempSync(join(tmpdir(), 'vidai-formats-'));
const sessions: ort.InferenceSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
  rmSync(dir, { recursive: true, force: true });
});

let modelCount = 0;
async function openModel(output: Float32Array, outputDims: number[], inputDims: ModelDim[] = [1, 3, 64, 64]): Promise<ort.InferenceSession> {
  const path = join(dir, `model-${modelCount++}.onnx`);
  writeFileSync(path, buildConstantOutputModel({ output, outputDims, inputDims }));
  const session = await ort.InferenceSession.create(path);
  sessions.push(session);
  return session;
}

/**
 * A 128x96 frame. Into a 64x64 input it is scaled by 0.5 to 64x48: centred, it gets
 * 8 px of padding above; top-left, none. So model box [16, 24, 48, 40] is source box
 * [32, 32, 96, 64] when centred and [32, 48, 96, 80] when top-left.
 */
const frame: Frame = { data: new Uint8Array(128 * 96 * 3).fill(90), width: 128, height: 96, format: 'rgb', timestamp: 5, seq: 3 };

function summary(detections: Detection[]): [string, number, number[]][] {
  return detections.map((d) => [d.label, +d.score.toFixed(4), d.box.map((v) => +v.toFixed(3))]);
}

/** Rows of width `width`, all zero but those given. */
function rows(count: number, width: number, set: Record<number, number[]>): Float32Array {
  const out = new Float32Array(count * width);
  for (const [row, values] of Object.entries(set)) out.set(values, Number(row) * width);
  return out;
}

describe('YoloDetector on generated models of each output format', () => {
  it('YOLOv5 [1, 3 x anchor points, 5 + C]: objectness x class, class-aware NMS, centred letterbox', async () => {
    // 64x64 input: 84 anchor points, 3 anchors each = 252 rows; 3 classes.
    const output = rows(252, 8, {
      10: [32, 32, 32, 16, 0.9, 0.1, 0.9, 0.2], // class 1, 0.81, model [16, 24, 48, 40]
      11: [33, 32, 32, 16, 0.8, 0.1, 0.9, 0.2], // class 1, 0.72, overlaps row 10: suppressed
      12: [32, 32, 32, 16, 0.5, 0.1, 0.2, 1.0], // class 2, 0.5, same box: kept (other class)
      13: [10, 10, 4, 4, 0.2, 1, 1, 1], // objectness 0.2: below the threshold
    });
    const session = await openModel(output, [1, 252, 8]);
    const detector = await YoloDetector.create({ session });
    expect(detector.family).toBe('yolov5');
    expect(detector.preprocess).toMatchObject({ channelOrder: 'rgb', align: 'center' });
    const result = await detector.detect(frame);
    expect(result).toMatchObject({ seq: 3, timestamp: 5, width: 128, height: 96 });
    expect(summary(result.detections)).toEqual([
      ['class 1', 0.81, [32, 32, 96, 64]],
      ['class 2', 0.5, [32, 32, 96, 64]],
    ]);

    const named = await YoloDetector.create({ session, labels: ['cat', 'dog', 'fox'], agnosticNms: true });
    expect(summary((await named.detect(frame)).detections)).toEqual([['dog', 0.81, [32, 32, 96, 64]]]);
  });

  it('YOLOv8 [1, 4 + 80, N]: best class score, COCO labels by default', async () => {
    // 320x320 input: 1600 + 400 + 100 = 2100 anchors, channel-major.
    const n = 2100;
    const output = new Float32Array(84 * n);
    const anchor = (j: number, box: number[], classId: number, score: number) => {
      box.forEach((v, k) => (output[k * n + j] = v));
      output[(4 + classId) * n + j] = score;
    };
    // 320x320 from 128x96: scale 2.5 -> 320x240, 40 px padding above.
    anchor(100, [160, 160, 80, 40], 16, 0.9); // dog: model [120, 140, 200, 180] -> source [48, 40, 80, 56]
    anchor(101, [161, 160, 80, 40], 16, 0.6); // overlapping dog: suppressed
    anchor(2000, [40, 100, 40, 20], 2, 0.3); // car: model [20, 90, 60, 110] -> source [8, 20, 24, 28]
    anchor(2001, [40, 100, 40, 20], 3, 0.2); // below the threshold
    const session = await openModel(output, [1, 84, n], [1, 3, 320, 320]);
    const detector = await YoloDetector.create({ session });
    expect(detector.family).toBe('yolov8');
    expect(detector.inputSize).toEqual({ width: 320, height: 320 });
    expect(summary((await detector.detect(frame)).detections)).toEqual([
      ['dog', 0.9, [48, 40, 80, 56]],
      ['car', 0.3, [8, 20, 24, 28]],
    ]);
    const dogsOnly = await YoloDetector.create({ session, classes: ['dog'], scoreThreshold: 0.5 });
    expect(summary((await dogsOnly.detect(frame)).detections)).toEqual([['dog', 0.9, [48, 40, 80, 56]]]);
  });

  it('end-to-end [1, 300, 6]: final boxes, no NMS, sorted and capped', async () => {
    const output = rows(300, 6, {
      0: [0, 8, 8, 16, 0.3, 2], // source [0, 0, 16, 16]
      1: [16, 24, 48, 40, 0.9, 16], // source [32, 32, 96, 64]
      2: [17, 24, 49, 40, 0.8, 16], // overlaps row 1 but the model already ran NMS: kept
      3: [16, 24, 48, 40, 0.1, 5], // below the threshold
    });
    const session = await openModel(output, [1, 300, 6]);
    const detector = await YoloDetector.create({ session, labels: COCO_LABELS });
    expect(detector.family).toBe('end-to-end');
    expect(summary((await detector.detect(frame)).detections)).toEqual([
      ['dog', 0.9, [32, 32, 96, 64]],
      ['dog', 0.8, [34, 32, 98, 64]],
      ['car', 0.3, [0, 0, 16, 16]],
    ]);
    const capped = await YoloDetector.create({ session, maxDetections: 1 });
    expect(summary((await capped.detect(frame)).detections)).toEqual([['class 16', 0.9, [32, 32, 96, 64]]]);
  });

  it('learns the output shape from a probe run when the metadata has no static shape', async () => {
    const output = rows(100, 7, { 0: [0, 16, 24, 48, 40, 1, 0.7] }); // batch, box, class, score
    const real = await openModel(output, [1, 100, 7]);
    let runs = 0;
    const session = Object.create(real, {
      outputMetadata: { value: [{ name: 'output', isTensor: true, type: 'float32', shape: [1, 'detections', 7] }] },
      run: { value: (...args: Parameters<ort.InferenceSession['run']>) => (runs++, real.run(...args)) },
    }) as ort.InferenceSession;
    const detector = await YoloDetector.create({ session });
    expect(runs).toBe(1);
    expect(detector.family).toBe('end-to-end');
    expect(summary((await detector.detect(frame)).detections)).toEqual([['class 1', 0.7, [32, 32, 96, 64]]]);
  });

  it('YOLOX with decoded boxes: told from the values, top-left BGR letterbox', async () => {
    // 84 rows = the anchor points of a 64x64 input: YOLOX by shape; centres in pixels.
    const output = rows(84, 8, {});
    for (let a = 0; a < 84; a++) output.set([20 + (a % 8) * 4, 20 + (a % 5) * 4, 4, 4, 0.01], a * 8);
    output.set([32, 32, 32, 16, 0.9, 0.1, 0.9, 0.2], 40 * 8); // class 1, model [16, 24, 48, 40]
    const session = await openModel(output, [1, 84, 8]);
    const detector = await YoloDetector.create({ session });
    expect(detector.family).toBe('yolox');
    expect(detector.preprocess).toMatchObject({ channelOrder: 'bgr', scale: 1, align: 'top-left' });
    expect(summary((await detector.detect(frame)).detections)).toEqual([['class 1', 0.81, [32, 48, 96, 80]]]);
  });

  it('rejects an unknown output shape with unknown-output-format naming the shape and the option', async () => {
    const session = await openModel(new Float32Array(49), [1, 7, 7]);
    const error = await YoloDetector.create({ session }).catch((err: unknown) => err);
    expect(isVidaiError(error, 'unknown-output-format')).toBe(true);
    expect((error as Error).message).toContain(
      "Model output shape [1,7,7] matches no known YOLO family; pass family: 'yolox' | 'yolov5' | 'yolov8' | 'end-to-end'",
    );
    // Forcing a family that does not fit fails at detect() with model-shape-mismatch.
    const forced = await YoloDetector.create({ session, family: 'yolox', decoded: false });
    await expect(forced.detect(frame)).rejects.toSatisfy((err) => isVidaiError(err, 'model-shape-mismatch'));
  });

  it('wraps a runtime failure in inference-failed, keeping the cause', async () => {
    const real = await openModel(rows(300, 6, {}), [1, 300, 6]);
    // Metadata that lies about the input size makes onnxruntime reject the input dims.
    const session = Object.create(real, {
      inputMetadata: { value: [{ name: 'images', isTensor: true, type: 'float32', shape: [1, 3, 32, 32] }] },
    }) as ort.InferenceSession;
    const detector = await YoloDetector.create({ session });
    const error = await detector.detect(frame).catch((err: unknown) => err);
    expect(isVidaiError(error, 'inference-failed')).toBe(true);
    expect((error as Error).message).toMatch(/^Inference failed: /);
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
    // The detector stays usable after a failed call: the next one fails the same way, not with a stuck queue.
    await expect(detector.detect(frame)).rejects.toSatisfy((err) => isVidaiError(err, 'inference-failed'));
  });
});

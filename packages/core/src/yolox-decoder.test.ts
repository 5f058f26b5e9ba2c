import { describe, expect, it } from 'vitest';
import { DetectionCandidates } from './candidates.js';
import { isVidaiError } from './errors.js';
import { anchorPointCount, decodeYolox, isRawYoloxOutput } from './yolox-decoder.js';

// A 64x64 input: grids 8x8 (stride 8), 4x4 (16), 2x2 (32) = 84 anchor points; 3 classes.
const SIZE = 64;
const ANCHORS = 84;
const WIDTH = 5 + 3;
const dims = [1, ANCHORS, WIDTH];

function rawOutput(): Float32Array {
  const out = new Float32Array(ANCHORS * WIDTH);
  const set = (anchor: number, row: number[]) => out.set(row, anchor * WIDTH);
  // Stride 16, gx = 2, gy = 1: anchor 64 + 1 * 4 + 2 = 70.
  // cx = (0.5 + 2) * 16 = 40, cy = (0.25 + 1) * 16 = 20, w = 2 * 16 = 32, h = 1 * 16 = 16.
  set(70, [0.5, 0.25, Math.log(2), 0, 0.9, 0.1, 0.8, 0.3]);
  // Stride 8, gx = 7, gy = 0: anchor 7. cx = (0 + 7) * 8 = 56, cy = 0.5 * 8 = 4, w = h = 8.
  set(7, [0, 0.5, 0, 0, 0.5, 0.6, 0.2, 0.1]);
  // Stride 32, gx = 1, gy = 1: anchor 83. Objectness below the threshold: skipped.
  set(83, [0, 0, 0, 0, 0.2, 1, 1, 1]);
  // Stride 32, gx = 0, gy = 1: anchor 82. obj 0.9 x cls 0.2 = 0.18 < 0.25: skipped.
  set(82, [0, 0, 0, 0, 0.9, 0.2, 0.1, 0.1]);
  return out;
}

function rows(c: DetectionCandidates): number[][] {
  return Array.from({ length: c.count }, (_, i) => [
    ...Array.from(c.boxes.subarray(i * 4, i * 4 + 4), (v) => +v.toFixed(4)),
    +c.scores[i]!.toFixed(4),
    c.classIds[i]!,
  ]);
}

describe('decodeYolox', () => {
  it('counts anchor points of the stride grids', () => {
    expect(anchorPointCount(416, 416)).toBe(3549);
    expect(anchorPointCount(640, 640)).toBe(8400);
    expect(anchorPointCount(SIZE, SIZE)).toBe(ANCHORS);
  });

  it('grid/stride-decodes raw rows and scores them objectness x best class', () => {
    const c = decodeYolox(rawOutput(), dims, { inputWidth: SIZE, inputHeight: SIZE, scoreThreshold: 0.25 });
    expect(rows(c)).toEqual([
      [52, 0, 60, 8, 0.3, 0],
      [24, 12, 56, 28, 0.72, 1],
    ]);
  });

  it('applies the score threshold and the class mask', () => {
    const opts = { inputWidth: SIZE, inputHeight: SIZE };
    expect(decodeYolox(rawOutput(), dims, { ...opts, scoreThreshold: 0.5 }).count).toBe(1);
    const masked = decodeYolox(rawOutput(), dims, { ...opts, classMask: [1, 0, 0] });
    expect(rows(masked)).toEqual([[52, 0, 60, 8, 0.3, 0]]);
  });

  it('reuses the candidate set it is given', () => {
    const out = new DetectionCandidates();
    out.push(1, 2, 3, 4, 0.5, 9);
    const c = decodeYolox(rawOutput(), dims, { inputWidth: SIZE, inputHeight: SIZE }, out);
    expect(c).toBe(out);
    expect(c.count).toBe(2);
  });

  it('reads already-decoded exports when decoded is true', () => {
    const out = new Float32Array(ANCHORS * WIDTH);
    out.set([40, 20, 32, 16, 0.9, 0.1, 0.8, 0.3], 5 * WIDTH);
    const c = decodeYolox(out, dims, { inputWidth: SIZE, inputHeight: SIZE, decoded: true });
    expect(rows(c)).toEqual([[24, 12, 56, 28, 0.72, 1]]);
  });

  it('throws model-shape-mismatch when the anchor count does not fit the input size', () => {
    try {
      decodeYolox(rawOutput(), dims, { inputWidth: 128, inputHeight: 128 });
      expect.unreachable();
    } catch (err) {
      expect(isVidaiError(err, 'model-shape-mismatch')).toBe(true);
      expect((err as Error).message).toContain('[1,84,8]');
      expect((err as Error).message).toContain('336');
    }
    expect(() => decodeYolox(new Float32Array(10), dims, { inputWidth: SIZE, inputHeight: SIZE })).toThrow(/holds 10 values/);
  });

  it('tells raw head outputs from decoded ones by their values', () => {
    expect(isRawYoloxOutput(rawOutput(), dims)).toBe(true);
    const decoded = new Float32Array(ANCHORS * WIDTH);
    for (let a = 0; a < ANCHORS; a++) decoded.set([(a % 8) * 8 + 4, Math.floor(a / 8) * 8 + 4, 10, 10], a * WIDTH);
    expect(isRawYoloxOutput(decoded, dims)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeYolov8 } from './yolov8-decoder.js';

describe('decodeYolov8', () => {
  // [1, 4 + 2, 3]: channel-major; anchors are columns.
  const output = new Float32Array([
    /* cx */ 50, 10, 30,
    /* cy */ 40, 10, 30,
    /* w  */ 20, 4, 10,
    /* h  */ 10, 4, 10,
    /* c0 */ 0.1, 0.2, 0.7,
    /* c1 */ 0.8, 0.1, 0.3,
  ]);
  const dims = [1, 6, 3];

  it('reads the transposed layout with the best class score (no objectness)', () => {
    const c = decodeYolov8(output, dims);
    expect(c.count).toBe(2);
    expect([...c.boxes.subarray(0, 8)]).toEqual([40, 35, 60, 45, 25, 25, 35, 35]);
    expect(c.scores[0]).toBeCloseTo(0.8, 6);
    expect(c.scores[1]).toBeCloseTo(0.7, 6);
    expect([...c.classIds.subarray(0, 2)]).toEqual([1, 0]);
  });

  it('applies the threshold and the class mask', () => {
    expect(decodeYolov8(output, dims, { scoreThreshold: 0.75 }).count).toBe(1);
    const c = decodeYolov8(output, dims, { classMask: [false, true] });
    expect(c.count).toBe(1);
    expect(c.classIds[0]).toBe(1);
  });

  it('rejects other shapes with model-shape-mismatch', () => {
    expect(() => decodeYolov8(output, [1, 3, 6])).toThrow(expect.objectContaining({ code: 'model-shape-mismatch' }));
  });
});

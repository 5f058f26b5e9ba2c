import { describe, expect, it } from 'vitest';
import { isVidaiError } from './errors.js';
import { decodeYolov5 } from './yolov5-decoder.js';

describe('decodeYolov5', () => {
  // Rows: cx, cy, w, h, obj, cls0, cls1.
  const output = new Float32Array([
    50, 40, 20, 10, 0.9, 0.2, 0.9, // score 0.81, class 1, box [40, 35, 60, 45]
    10, 10, 4, 4, 0.2, 1, 1, // objectness below 0.25: skipped
    30, 30, 10, 10, 0.5, 0.6, 0.1, // score 0.3, class 0, box [25, 25, 35, 35]
  ]);
  const dims = [1, 3, 7];

  it('decodes cx,cy,w,h rows with objectness x best class score', () => {
    const c = decodeYolov5(output, dims);
    expect(c.count).toBe(2);
    expect([...c.boxes.subarray(0, 8)]).toEqual([40, 35, 60, 45, 25, 25, 35, 35]);
    expect(c.scores[0]).toBeCloseTo(0.81, 6);
    expect(c.scores[1]).toBeCloseTo(0.3, 6);
    expect([...c.classIds.subarray(0, 2)]).toEqual([1, 0]);
  });

  it('applies the threshold and the class mask', () => {
    expect(decodeYolov5(output, dims, { scoreThreshold: 0.5 }).count).toBe(1);
    const c = decodeYolov5(output, dims, { classMask: new Uint8Array([1, 0]) });
    expect(c.count).toBe(1);
    expect(c.classIds[0]).toBe(0);
  });

  it('accepts [A, 5 + C] and rejects other shapes', () => {
    expect(decodeYolov5(output, [3, 7]).count).toBe(2);
    expect(() => decodeYolov5(output, [1, 7, 3])).toThrow(expect.objectContaining({ code: 'model-shape-mismatch' }));
    let error: unknown;
    try {
      decodeYolov5(output, [2, 3, 7]);
    } catch (err) {
      error = err;
    }
    expect(isVidaiError(error, 'model-shape-mismatch')).toBe(true);
    expect((error as Error).message).toContain('[2,3,7]');
  });
});

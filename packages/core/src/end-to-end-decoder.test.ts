import { describe, expect, it } from 'vitest';
import { decodeEndToEnd } from './end-to-end-decoder.js';

describe('decodeEndToEnd', () => {
  it('reads x1,y1,x2,y2,score,class rows and skips padding below the threshold', () => {
    const output = new Float32Array([
      10, 20, 30, 40, 0.9, 16,
      50, 60, 70, 80, 0.4, 2,
      0, 0, 0, 0, 0, 0, // padding
    ]);
    const c = decodeEndToEnd(output, [1, 3, 6]);
    expect(c.count).toBe(2);
    expect([...c.boxes.subarray(0, 8)]).toEqual([10, 20, 30, 40, 50, 60, 70, 80]);
    expect([...c.classIds.subarray(0, 2)]).toEqual([16, 2]);
    expect(c.scores[0]).toBeCloseTo(0.9, 6);
    expect(decodeEndToEnd(output, [1, 3, 6], { scoreThreshold: 0.5 }).count).toBe(1);
    expect(decodeEndToEnd(output, [1, 3, 6], { classMask: Uint8Array.of(0, 0, 1) }).classIds[0]).toBe(2);
  });

  it('reads batch,x1,y1,x2,y2,class,score rows for 7 columns', () => {
    const output = new Float32Array([0, 10, 20, 30, 40, 5, 0.75]);
    const c = decodeEndToEnd(output, [1, 7]);
    expect(c.count).toBe(1);
    expect([...c.boxes.subarray(0, 4)]).toEqual([10, 20, 30, 40]);
    expect(c.classIds[0]).toBe(5);
    expect(c.scores[0]).toBeCloseTo(0.75, 6);
  });

  it('rejects other shapes with model-shape-mismatch', () => {
    expect(() => decodeEndToEnd(new Float32Array(8), [1, 1, 8])).toThrow(expect.objectContaining({ code: 'model-shape-mismatch' }));
  });
});

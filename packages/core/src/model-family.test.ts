import { describe, expect, it } from 'vitest';
import { isVidaiError } from './errors.js';
import { detectModelFamily, familyPreprocess } from './model-family.js';

describe('detectModelFamily', () => {
  it('tells YOLOX from the anchor-point count of the input size', () => {
    expect(detectModelFamily([1, 3549, 85], { inputWidth: 416, inputHeight: 416 })).toEqual({ family: 'yolox', numClasses: 80 });
    expect(detectModelFamily([1, 8400, 85], { inputWidth: 640, inputHeight: 640 })).toEqual({ family: 'yolox', numClasses: 80 });
    // Non-square input: 384x640 -> 48*80 + 24*40 + 12*20 = 5040.
    expect(detectModelFamily([1, 5040, 85], { inputWidth: 640, inputHeight: 384 }).family).toBe('yolox');
    // Without an input size, square sizes are inferred from the row count.
    expect(detectModelFamily([1, 3549, 85]).family).toBe('yolox');
  });

  it('tells anchor-based YOLOv5 outputs (3 anchors per grid cell)', () => {
    expect(detectModelFamily([1, 25200, 85], { inputWidth: 640, inputHeight: 640 })).toEqual({ family: 'yolov5', numClasses: 80 });
    expect(detectModelFamily([1, 10647, 85]).family).toBe('yolov5');
    // A [1, A, 5 + C] whose row count fits no grid is YOLOv5-style when numClasses says so.
    expect(detectModelFamily([1, 1000, 25], 20).family).toBe('yolov5');
  });

  it('tells YOLOv8 from the transposed [1, 4 + C, N] layout', () => {
    expect(detectModelFamily([1, 84, 8400])).toEqual({ family: 'yolov8', numClasses: 80 });
    expect(detectModelFamily([84, 8400]).family).toBe('yolov8');
    expect(detectModelFamily([1, 5, 3549]).family).toBe('yolov8');
  });

  it('tells end-to-end outputs [1, N, 6 | 7]', () => {
    expect(detectModelFamily([1, 300, 6])).toEqual({ family: 'end-to-end', numClasses: undefined });
    expect(detectModelFamily([1, 100, 7]).family).toBe('end-to-end');
    // ...unless the row is 5 + numClasses wide and the count fits a grid.
    expect(detectModelFamily([1, 3549, 6], { numClasses: 1, inputWidth: 416, inputHeight: 416 }).family).toBe('yolox');
    expect(detectModelFamily([1, 300, 6], 1).family).toBe('yolov5');
  });

  it('throws unknown-output-format naming the shape and the family option', () => {
    for (const dims of [[1, 7, 7], [1, 3, 4, 5], [1, 'anchors', 85], [2, 3549, 85], [1, 84, 100]]) {
      let error: unknown;
      try {
        detectModelFamily(dims);
      } catch (err) {
        error = err;
      }
      expect(isVidaiError(error, 'unknown-output-format')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain(`[${dims.join(',')}]`);
      expect(message).toContain("pass family: 'yolox' | 'yolov5' | 'yolov8' | 'end-to-end'");
    }
  });
});

describe('familyPreprocess', () => {
  it('gives YOLOX raw BGR with top-left padding and the others RGB/255 centred', () => {
    expect(familyPreprocess('yolox')).toEqual({ channelOrder: 'bgr', scale: 1, padValue: 114, align: 'top-left', rounding: 'floor' });
    for (const family of ['yolov5', 'yolov8', 'end-to-end'] as const) {
      expect(familyPreprocess(family)).toEqual({ channelOrder: 'rgb', scale: 1 / 255, padValue: 114, align: 'center' });
    }
    expect(() => familyPreprocess('yolov99' as never)).toThrow(TypeError);
  });
});

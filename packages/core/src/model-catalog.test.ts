import { describe, expect, it } from 'vitest';
import { COCO_LABELS } from './coco-labels.js';
import { isVidaiError } from './errors.js';
import { getCatalogModel, modelCatalog } from './model-catalog.js';
import { anchorPointCount } from './yolox-decoder.js';

describe('modelCatalog', () => {
  it('describes yolox-nano as the official YOLOX-Nano ONNX file', () => {
    const nano = getCatalogModel('yolox-nano');
    expect(nano).toMatchObject({
      id: 'yolox-nano',
      family: 'yolox',
      inputSize: { width: 416, height: 416 },
      decoded: false,
      url: 'https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/yolox_nano.onnx',
      fileName: 'yolox_nano.onnx',
      sha256: 'd39bee73564e338080378b0ad567fbb40e818b55bbfaf971de82a0267ed16b8a',
      inputName: 'images',
      inputDims: [1, 3, 416, 416],
      outputName: 'output',
      outputDims: [1, 3549, 85],
      preprocess: { channelOrder: 'bgr', scale: 1, padValue: 114, align: 'top-left', rounding: 'floor' },
    });
    expect(nano.labels).toBe(COCO_LABELS);
  });

  it('has consistent entries: dims match the input size and labels', () => {
    for (const [id, entry] of Object.entries(modelCatalog)) {
      expect(entry.id).toBe(id);
      const { width, height } = entry.inputSize;
      expect(entry.inputDims).toEqual([1, 3, height, width]);
      expect(entry.outputDims).toEqual([1, anchorPointCount(width, height), 5 + entry.labels.length]);
      expect(entry.url.endsWith(`/${entry.fileName}`)).toBe(true);
      expect(Object.isFrozen(entry)).toBe(true);
    }
    expect(getCatalogModel('yolox-s').inputSize.width).toBe(640);
    expect(getCatalogModel('yolox-tiny').sha256).toBeUndefined();
  });

  it('throws model-not-found listing the known ids', () => {
    for (const id of ['yolox-huge', 'toString', '__proto__']) {
      let error: unknown;
      try {
        getCatalogModel(id);
      } catch (err) {
        error = err;
      }
      expect(isVidaiError(error, 'model-not-found')).toBe(true);
      expect((error as Error).message).toContain(`'${id}'`);
      expect((error as Error).message).toContain('yolox-nano, yolox-tiny, yolox-s');
    }
  });
});

import type { InferenceSession } from 'onnxruntime-common';
import { describe, expectTypeOf, it } from 'vitest';
import {
  detectModelFamily,
  getCatalogModel,
  nonMaxSuppression,
  YoloDetector,
  type Box,
  type CatalogModel,
  type Detector,
  type ModelFamily,
  type ModelFamilyMatch,
  type YoloDetectorOptions,
} from './index.js';

declare const session: InferenceSession;

describe('YoloDetector types', () => {
  it('is a Detector built by async factories', () => {
    expectTypeOf(YoloDetector.create({ session })).resolves.toEqualTypeOf<YoloDetector>();
    expectTypeOf(YoloDetector.fromCatalog('yolox-nano', { session })).resolves.toEqualTypeOf<YoloDetector>();
    expectTypeOf<YoloDetector>().toExtend<Detector>();
    expectTypeOf<YoloDetector['family']>().toEqualTypeOf<ModelFamily>();
    expectTypeOf<ModelFamily>().toEqualTypeOf<'yolox' | 'yolov5' | 'yolov8' | 'end-to-end'>();
    expectTypeOf<Awaited<ReturnType<YoloDetector['detect']>>['detections'][number]['box']>().toEqualTypeOf<Box>();
    expectTypeOf<YoloDetectorOptions['classes']>().toEqualTypeOf<readonly (number | string)[] | undefined>();
    expectTypeOf(getCatalogModel('yolox-nano')).toEqualTypeOf<CatalogModel>();
    expectTypeOf(detectModelFamily([1, 84, 8400])).toEqualTypeOf<ModelFamilyMatch>();
    expectTypeOf(nonMaxSuppression).returns.toEqualTypeOf<Int32Array>();

    // @ts-expect-error session is required
    void YoloDetector.create({ family: 'yolox' });
    // @ts-expect-error unknown family
    void YoloDetector.create({ session, family: 'yolov99' });
    // @ts-expect-error the catalog entry fixes the family
    void YoloDetector.fromCatalog('yolox-nano', { session, family: 'yolov8' });
    // @ts-expect-error thresholds are numbers
    void YoloDetector.create({ session, scoreThreshold: '0.5' });
    // @ts-expect-error preprocessing cannot set the size (the detector owns it)
    void YoloDetector.create({ session, preprocess: { size: 640 } });
  });
});

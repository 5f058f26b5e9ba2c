import type { DetectionMessage, DetectionResult, Detector, Frame } from '@vidai/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  BrowserDetector,
  CameraSource,
  DetectionLoop,
  Overlay,
  VideoElementSource,
  computeDisplayTransform,
  type BackendReport,
  type BrowserDetectionResult,
  type BrowserDetectorOptions,
  type CaptureSource,
  type DetectionLoopStats,
  type ExecutionProvider,
  type OverlayResult,
} from './index.js';

describe('@vidai/browser public types', () => {
  it('BrowserDetector is a core Detector with a backend report', () => {
    expectTypeOf<BrowserDetector>().toMatchTypeOf<Detector>();
    expectTypeOf(BrowserDetector.create).returns.resolves.toEqualTypeOf<BrowserDetector>();
    expectTypeOf<BrowserDetector['backend']>().toEqualTypeOf<BackendReport>();
    expectTypeOf<BrowserDetectionResult>().toMatchTypeOf<DetectionResult>();
    expectTypeOf<Frame | VideoFrame | ImageBitmap | HTMLVideoElement>().toMatchTypeOf<Parameters<BrowserDetector['detect']>[0]>();
    expectTypeOf<string>().not.toMatchTypeOf<Parameters<BrowserDetector['detect']>[0]>();
  });

  it('options: model is required, providers and workers are checked', () => {
    expectTypeOf<{ model: 'yolox-nano' }>().toMatchTypeOf<BrowserDetectorOptions>();
    expectTypeOf<{ modelBaseUrl: '/models/' }>().not.toMatchTypeOf<BrowserDetectorOptions>();
    expectTypeOf<'cuda'>().not.toMatchTypeOf<ExecutionProvider>();
    expectTypeOf<{ model: string; workers: 'auto' }>().toMatchTypeOf<BrowserDetectorOptions>();
    expectTypeOf<{ model: string; workers: 'many' }>().not.toMatchTypeOf<BrowserDetectorOptions>();
    expectTypeOf<{ model: string; resize: 'gpu' }>().not.toMatchTypeOf<BrowserDetectorOptions>();
  });

  it('sources, loop and overlay', () => {
    expectTypeOf<VideoElementSource>().toMatchTypeOf<CaptureSource>();
    expectTypeOf(CameraSource.open).returns.resolves.toEqualTypeOf<CameraSource>();
    expectTypeOf<CameraSource['stream']>().toEqualTypeOf<MediaStream>();
    expectTypeOf(DetectionLoop.start).returns.toEqualTypeOf<DetectionLoop>();
    expectTypeOf<DetectionLoop['stop']>().returns.resolves.toEqualTypeOf<DetectionLoopStats>();
    expectTypeOf<Parameters<DetectionLoop['on']>[0]>().toEqualTypeOf<'result' | 'error' | 'end'>();
    expectTypeOf(Overlay.attach).returns.toEqualTypeOf<Overlay>();
    expectTypeOf<Overlay['push']>().parameter(0).toEqualTypeOf<OverlayResult>();
    expectTypeOf<DetectionResult>().toMatchTypeOf<OverlayResult>();
    expectTypeOf<DetectionMessage>().toMatchTypeOf<OverlayResult>();
    expectTypeOf(computeDisplayTransform).parameter(0).toHaveProperty('fit');
  });
});

import { expectTypeOf, test } from 'vitest';
import { FfmpegSource, ImageSource, createNodeDetector, probe, readImage, type Frame, type FrameSource, type ProbeResult, type ReconnectInfo, type VidaiError } from './index.js';

test('FfmpegSource options, events and iteration are typed', () => {
  const source = new FfmpegSource({ input: 'clip.mp4', width: 640, fps: 10, format: 'bgr' });
  expectTypeOf(source).toMatchTypeOf<FrameSource>();
  expectTypeOf(source).toMatchTypeOf<AsyncIterable<Frame>>();
  expectTypeOf(source.on('reconnecting', () => {})).toEqualTypeOf<() => void>();
  source.on('reconnecting', (info) => expectTypeOf(info).toEqualTypeOf<ReconnectInfo>());
  source.on('error', (error) => expectTypeOf(error).toEqualTypeOf<VidaiError>());
  source.on('stalled', ({ idleMs }) => expectTypeOf(idleMs).toBeNumber());
  new FfmpegSource({ input: { kind: 'v4l2', device: '/dev/video0', size: { width: 1280, height: 720 } } });
  new FfmpegSource({ input: { kind: 'custom', input: 'testsrc2', format: 'lavfi', live: false } });

  // @ts-expect-error no such event
  source.on('frames', () => {});
  // @ts-expect-error a frame listener gets a Frame
  source.on('frame', (frame: string) => frame);
  // @ts-expect-error i420 is not an ffmpeg source output format
  new FfmpegSource({ input: 'clip.mp4', format: 'i420' });
  // @ts-expect-error an RTSP input has a url, not a path
  new FfmpegSource({ input: { kind: 'rtsp', path: 'rtsp://cam' } });
  // @ts-expect-error input is required
  new FfmpegSource({ width: 640 });
});

test("fitWithin takes a detector's letterbox options; frames may carry a display size", async () => {
  const { detector } = await createNodeDetector({ model: 'yolox-nano' });
  new FfmpegSource({ input: 'clip.mp4', fitWithin: { size: detector.inputSize, ...detector.preprocess } });
  new FfmpegSource({ input: 'clip.mp4', fitWithin: { size: 416, rounding: 'floor' } });
  expectTypeOf<Frame['displayWidth']>().toEqualTypeOf<number | undefined>();
  expectTypeOf<Frame['displayHeight']>().toEqualTypeOf<number | undefined>();

  // @ts-expect-error fitWithin is letterbox options, not a size
  new FfmpegSource({ input: 'clip.mp4', fitWithin: 416 });
  // @ts-expect-error the letterbox needs its size
  new FfmpegSource({ input: 'clip.mp4', fitWithin: { rounding: 'floor' } });
  // @ts-expect-error rounding is 'round' or 'floor'
  new FfmpegSource({ input: 'clip.mp4', fitWithin: { size: 416, rounding: 'ceil' } });
});

test('readImage, ImageSource and probe are typed', () => {
  expectTypeOf(readImage).returns.resolves.toEqualTypeOf<Frame>();
  expectTypeOf(probe).returns.resolves.toEqualTypeOf<ProbeResult>();
  expectTypeOf(new ImageSource(['a.jpg'])).toMatchTypeOf<FrameSource>();
  // @ts-expect-error one path or a list of paths
  new ImageSource(42);
});

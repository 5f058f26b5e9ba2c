import { ErrorCodes, VidaiError } from '@vidai/core';
import { FrameGate, capturedFrame, type CaptureSource, type CapturedFrame } from './capture-source.js';

/**
 * The timestamp of the frame a `<video>` shows, in ms: `metadata.mediaTime * 1000`
 * inside a `requestVideoFrameCallback`, else `video.currentTime * 1000`. The video
 * source stamps frames with it and the overlay reads it, so they agree.
 */
export function videoFrameTime(video: HTMLVideoElement, metadata?: VideoFrameCallbackMetadata): number {
  return (metadata?.mediaTime ?? video.currentTime) * 1000;
}

/** Options of {@link VideoElementSource}. */
export interface VideoElementSourceOptions {
  /**
   * How frames are grabbed: `'video-frame'` (`new VideoFrame(video)`, no pixel copy),
   * `'image-bitmap'` (`createImageBitmap(video)`), or `'auto'`: VideoFrame where the
   * browser has it. Default `'auto'`.
   */
  capture?: 'auto' | 'video-frame' | 'image-bitmap';
  /** Timestamp of a frame in ms. Default {@link videoFrameTime}. */
  frameTime?: (video: HTMLVideoElement, metadata?: VideoFrameCallbackMetadata) => number;
}

/**
 * Frames of a `<video>` element: a file, a camera (`CameraSource.attach`) or a remote
 * WebRTC track. New frames are noticed with `requestVideoFrameCallback` where the
 * browser has it (else by polling `currentTime` every animation frame), and a frame is
 * grabbed only when the consumer asks for it, so frames that would be dropped cost nothing.
 *
 * @example
 * ```ts
 * const source = new VideoElementSource(video);
 * const frame = await source.next();
 * if (frame) await detector.detect(frame.image, { transfer: true, timestamp: frame.timestamp, seq: frame.seq });
 * ```
 */
export class VideoElementSource implements CaptureSource {
  private readonly gate = new FrameGate();
  private readonly useVideoFrame: boolean;
  private readonly frameTime: (video: HTMLVideoElement, metadata?: VideoFrameCallbackMetadata) => number;
  private metadata: VideoFrameCallbackMetadata | undefined;
  /**
   * Frames the element presented before its current media: the browser's
   * `presentedFrames` starts over when `srcObject` or `src` changes (a peer that
   * reconnects, a new file), and `seq` must keep increasing across that.
   */
  private presentedBefore = 0;
  private handle = 0;
  private lastTime = -1;
  private closed = false;
  private readonly onEnded = () => this.gate.end();
  /** Whether `requestVideoFrameCallback` is used (else animation-frame polling). */
  readonly usesVideoFrameCallback: boolean;

  constructor(
    /** The element frames are read from. */
    readonly video: HTMLVideoElement,
    options: VideoElementSourceOptions = {},
  ) {
    if (typeof HTMLVideoElement !== 'undefined' && !(video instanceof HTMLVideoElement)) {
      throw new TypeError('VideoElementSource: video must be an HTMLVideoElement.');
    }
    const capture = options.capture ?? 'auto';
    const hasVideoFrame = typeof VideoFrame !== 'undefined';
    if (capture === 'video-frame' && !hasVideoFrame) {
      throw new VidaiError(ErrorCodes.UNSUPPORTED_FORMAT, "This browser has no VideoFrame; use capture: 'image-bitmap' or 'auto'.");
    }
    this.useVideoFrame = capture === 'video-frame' || (capture === 'auto' && hasVideoFrame);
    this.frameTime = options.frameTime ?? videoFrameTime;
    this.usesVideoFrameCallback = typeof video.requestVideoFrameCallback === 'function';
    video.addEventListener('ended', this.onEnded);
    this.watch();
  }

  /** Frames presented so far (the browser's count where it gives one). */
  get presentedFrames(): number {
    return Math.max(this.presentedBefore + (this.metadata?.presentedFrames ?? 0), this.gate.presented);
  }

  private watch(): void {
    const video = this.video;
    if (this.usesVideoFrameCallback) {
      const onFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
        if (this.closed) return;
        const previous = this.metadata?.presentedFrames ?? 0;
        if (metadata.presentedFrames < previous) this.presentedBefore += previous; // new media: the count started over
        this.metadata = metadata;
        this.gate.frame();
        this.handle = video.requestVideoFrameCallback(onFrame);
      };
      this.handle = video.requestVideoFrameCallback(onFrame);
      // A frame already shown counts as the first one.
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) this.gate.frame();
    } else {
      const poll = () => {
        if (this.closed) return;
        if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.currentTime !== this.lastTime) {
          this.lastTime = video.currentTime;
          this.gate.frame();
        }
        this.handle = requestAnimationFrame(poll);
      };
      poll();
    }
  }

  /**
   * Grabs the newest frame not yet taken, waiting for one if needed; `undefined` when
   * ended or closed. While the element has no picture (it was just given a new `src` or
   * `srcObject`), it waits for the first frame of the new media.
   */
  async next(signal?: AbortSignal): Promise<CapturedFrame | undefined> {
    const video = this.video;
    for (;;) {
      if (this.closed || !(await this.gate.wait(signal)) || this.closed) return undefined;
      // No picture to grab: skip before the frame's time is taken (a custom frameTime may record it).
      if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) continue;
      const metadata = this.metadata;
      const timestamp = this.frameTime(video, metadata);
      const capturedAt = metadata?.captureTime ?? metadata?.presentationTime ?? performance.now();
      const seq = (metadata ? this.presentedBefore + metadata.presentedFrames : this.gate.presented) - 1;
      let image: VideoFrame | ImageBitmap;
      try {
        image = this.useVideoFrame
          ? new VideoFrame(video, { timestamp: Math.round(timestamp * 1000) })
          : await createImageBitmap(video);
      } catch (error) {
        // The picture went away between the check and the grab (new media): wait for the next.
        if (error instanceof DOMException && error.name === 'InvalidStateError') continue;
        throw error;
      }
      return capturedFrame(image, timestamp, seq, capturedAt);
    }
  }

  /** Stops watching the element. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.video.removeEventListener('ended', this.onEnded);
    if (this.usesVideoFrameCallback) this.video.cancelVideoFrameCallback(this.handle);
    else cancelAnimationFrame(this.handle);
    this.gate.end();
  }
}

/**
 * A frame grabbed from a live browser source, ready to hand to the detector without
 * a pixel copy: a `VideoFrame` or an `ImageBitmap` that the receiver closes.
 */
export interface CapturedFrame {
  /** The pixels; pass it with `transfer: true` (the detector then closes it) or call `close()`. */
  image: VideoFrame | ImageBitmap;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /**
   * The frame's timestamp in ms, in the source's clock (for a `<video>`: `mediaTime * 1000`,
   * the clock the overlay reads), so results can be drawn on the frame they belong to.
   */
  timestamp: number;
  /**
   * The frame's index among the frames the source presented (gaps are frames never
   * grabbed). It only increases, also when a `<video>` changes media, so results can
   * be put in order by it.
   */
  seq: number;
  /**
   * When the frame was captured or presented, in `performance.now()` ms (the camera's
   * capture time where the browser gives it): the start of end-to-end latency.
   */
  capturedAt: number;
  /** Releases the image (when it was not transferred). Safe to call twice. */
  close(): void;
}

/**
 * A live source that hands out only its newest frame: {@link CaptureSource.next}
 * grabs the current frame if one arrived since the last call, else waits for the next.
 * Nothing is queued, so a slow consumer skips frames instead of falling behind
 * (latest-frame-wins) and frames nobody takes are never copied.
 */
export interface CaptureSource {
  /** The newest frame not yet taken, or `undefined` once the source has ended or closed. */
  next(signal?: AbortSignal): Promise<CapturedFrame | undefined>;
  /** Frames presented by the source so far (taken or not). */
  readonly presentedFrames: number;
  /** Stops watching the source (does not stop a camera's tracks). Safe to call twice. */
  close(): Promise<void>;
}

/** Wraps an image as a {@link CapturedFrame}. @internal */
export function capturedFrame(
  image: VideoFrame | ImageBitmap,
  timestamp: number,
  seq: number,
  capturedAt: number,
): CapturedFrame {
  const width = 'displayWidth' in image ? image.displayWidth : image.width;
  const height = 'displayHeight' in image ? image.displayHeight : image.height;
  return { image, width, height, timestamp, seq, capturedAt, close: () => image.close() };
}

/**
 * Resolves when a newer frame is available, the source ends or `signal` aborts.
 * Shared by the sources. @internal
 */
export class FrameGate {
  /** Frames presented so far. */
  presented = 0;
  /** `presented` at the last take. */
  taken = 0;
  ended = false;
  private waiters: Array<() => void> = [];

  /** Records a presented frame and wakes waiters. */
  frame(): void {
    this.presented++;
    this.wake();
  }

  /** Marks the end and wakes waiters. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Waits for a frame newer than the last taken one; false when ended or aborted. */
  async wait(signal?: AbortSignal): Promise<boolean> {
    while (!this.ended && this.presented <= this.taken) {
      if (signal?.aborted) return false;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    if (this.ended || signal?.aborted) return false;
    this.taken = this.presented;
    return true;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

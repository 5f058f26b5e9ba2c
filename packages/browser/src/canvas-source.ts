import { FrameGate, capturedFrame, type CaptureSource, type CapturedFrame } from './capture-source.js';

/** What a {@link CanvasSource} reads. */
export type CanvasSourceTarget = HTMLCanvasElement | OffscreenCanvas | ImageBitmap | HTMLImageElement;

/** Options of {@link CanvasSource}. */
export interface CanvasSourceOptions {
  /**
   * Treat the target as changing this many times per second (a canvas animated by the
   * app). Default: not polled; a frame is available at the start and after each
   * {@link CanvasSource.invalidate}.
   */
  fps?: number;
  /** Timestamp of a frame in ms. Default `performance.now()`. */
  now?: () => number;
}

/**
 * Frames of a canvas, an ImageBitmap or an image element. The app says when the
 * content changed with `invalidate()` (or gives `fps`); each frame is copied into a
 * new ImageBitmap only when the consumer takes it.
 *
 * @example
 * ```ts
 * const source = new CanvasSource(canvas);
 * drawScene(canvas); source.invalidate();
 * const frame = await source.next();
 * ```
 */
export class CanvasSource implements CaptureSource {
  private readonly gate = new FrameGate();
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    /** The canvas or image frames are read from. */
    readonly target: CanvasSourceTarget,
    options: CanvasSourceOptions = {},
  ) {
    if (options.fps !== undefined && !(options.fps > 0)) throw new TypeError(`CanvasSource: fps must be > 0, got ${String(options.fps)}.`);
    this.now = options.now ?? (() => performance.now());
    this.gate.frame();
    if (options.fps !== undefined) this.timer = setInterval(() => this.gate.frame(), 1000 / options.fps);
  }

  /** Frames presented so far (the initial one, invalidations and ticks). */
  get presentedFrames(): number {
    return this.gate.presented;
  }

  /** Tells the source the target shows a new frame. */
  invalidate(): void {
    if (!this.closed) this.gate.frame();
  }

  /** Copies the current content into an ImageBitmap once it changed since the last call. */
  async next(signal?: AbortSignal): Promise<CapturedFrame | undefined> {
    if (this.closed || !(await this.gate.wait(signal)) || this.closed) return undefined;
    const t = this.now();
    const image = await createImageBitmap(this.target);
    return capturedFrame(image, t, this.gate.presented - 1, t);
  }

  /** Stops the source. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.gate.end();
  }
}

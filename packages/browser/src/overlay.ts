import type { DetectionResult } from '@vidai/core';
import { computeDisplayTransform, mapBoxToDisplay, type DisplayTransform, type ObjectFit } from './display-transform.js';
import { ResultTimeline } from './result-timeline.js';
import { videoFrameTime } from './video-element-source.js';

/** Options of {@link Overlay.attach}. */
export interface OverlayOptions {
  /** Canvas to draw on. Default: a new canvas placed over the video (absolute, pointer-events none). */
  canvas?: HTMLCanvasElement;
  /** `object-fit` of the video. Default: read from the video's computed style on each draw. */
  fit?: ObjectFit;
  /** `object-position` as fractions `[x, y]`. Default `[0.5, 0.5]`. */
  position?: [number, number];
  /** The video is shown mirrored (front camera); boxes are mirrored to match, text is not. Default `false`. */
  mirror?: boolean;
  /**
   * `'frame'`: draw each result on the first frame at or after its timestamp (a result
   * that arrives early waits for its frame; a late one is drawn at once and ages).
   * `'arrival'`: draw each result as soon as it arrives, whatever frame is shown.
   * Default `'frame'`.
   */
  sync?: 'frame' | 'arrival';
  /** Results older than this (ms of video time) start to fade. Default 500 ms. */
  maxAge?: number;
  /** Duration of the fade after `maxAge`, in ms. Default 250 ms. */
  fade?: number;
  /** Timestamp of a presented frame in ms; must use the results' clock. Default: `mediaTime * 1000` (as `VideoElementSource`). */
  frameTime?: (video: HTMLVideoElement, metadata?: VideoFrameCallbackMetadata) => number;
  /** Box line width in CSS pixels. Default 2. */
  lineWidth?: number;
  /** Label font (CSS). Default `'600 13px system-ui, sans-serif'`. */
  font?: string;
  /** Show the score next to the label. Default `true`. */
  showScores?: boolean;
  /** Color of a class. Default: a fixed palette by class id. */
  color?: (classId: number, label: string) => string;
  /** Device pixels per CSS pixel. Default `window.devicePixelRatio`, re-read each draw. */
  devicePixelRatio?: number;
}

/**
 * What {@link Overlay.push} draws: a core `DetectionResult` or a `DetectionMessage` as
 * it arrives (neither `timings` nor the wire fields are read).
 */
export type OverlayResult = Pick<DetectionResult, 'seq' | 'timestamp' | 'width' | 'height' | 'detections'>;

const PALETTE = ['#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231', '#911eb4', '#46f0f0', '#f032e6', '#bcf60c', '#fabebe', '#008080', '#e6beff'];

/**
 * Draws detection boxes, labels and scores on a canvas laid over a `<video>`, matching
 * `object-fit` (contain, cover, ...), `devicePixelRatio` and a mirrored front camera.
 * Each result is drawn on the frame it was detected on: results carry the frame's
 * timestamp and are matched with presented frames through `requestVideoFrameCallback`
 * (animation frames and `currentTime` where it is missing); results that get old fade out.
 *
 * @example
 * ```ts
 * const overlay = Overlay.attach(video, { mirror: camera.isFrontFacing });
 * loop.on('result', (r) => overlay.push(r));
 * // ...
 * overlay.close();
 * ```
 */
export class Overlay {
  /** The canvas drawn on. */
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly timeline: ResultTimeline<OverlayResult>;
  private readonly ownsCanvas: boolean;
  private readonly resizeObserver: ResizeObserver | undefined;
  private handle = 0;
  private closed = false;
  private arrival: { result: OverlayResult; at: number } | undefined;
  private drawn: OverlayResult | undefined;
  private readonly frameTime: NonNullable<OverlayOptions['frameTime']>;

  private constructor(
    /** The video the overlay follows. */
    readonly video: HTMLVideoElement,
    private readonly options: OverlayOptions,
  ) {
    this.timeline = new ResultTimeline<OverlayResult>({
      ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
      ...(options.fade !== undefined ? { fade: options.fade } : {}),
    });
    this.frameTime = options.frameTime ?? videoFrameTime;
    this.ownsCanvas = options.canvas === undefined;
    this.canvas = options.canvas ?? document.createElement('canvas');
    if (this.ownsCanvas) {
      Object.assign(this.canvas.style, { position: 'absolute', pointerEvents: 'none' });
      video.insertAdjacentElement('afterend', this.canvas);
      this.place();
      if (typeof ResizeObserver !== 'undefined') {
        this.resizeObserver = new ResizeObserver(() => this.place());
        this.resizeObserver.observe(video);
      }
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new TypeError('Overlay: the canvas has no 2D context.');
    this.ctx = ctx;
    this.schedule();
  }

  /** Starts drawing over `video`. */
  static attach(video: HTMLVideoElement, options: OverlayOptions = {}): Overlay {
    return new Overlay(video, options);
  }

  /** Mirrors the boxes (front camera) from now on. */
  set mirror(value: boolean) {
    this.options.mirror = value;
  }

  /**
   * Adds a result to draw on its frame. Generic so that an object literal with more
   * fields (a full `DetectionResult`) is taken as well.
   */
  push<R extends OverlayResult>(result: R): void {
    if (this.closed) return;
    if ((this.options.sync ?? 'frame') === 'arrival') this.arrival = { result, at: performance.now() };
    else this.timeline.push(result);
  }

  /** Removes every box. */
  clear(): void {
    this.timeline.clear();
    this.arrival = undefined;
    this.draw(undefined, 1);
  }

  /** The result drawn last (undefined when nothing is drawn). */
  get current(): OverlayResult | undefined {
    return this.drawn;
  }

  /** The mapping from source pixels to the canvas's CSS pixels for the video's current layout. */
  transform(sourceWidth: number, sourceHeight: number): DisplayTransform {
    const style = typeof getComputedStyle === 'function' ? getComputedStyle(this.video) : undefined;
    const fit = this.options.fit ?? ((style?.objectFit as ObjectFit | undefined) || 'contain');
    return computeDisplayTransform({
      sourceWidth,
      sourceHeight,
      displayWidth: this.video.clientWidth,
      displayHeight: this.video.clientHeight,
      fit,
      ...(this.options.position ? { position: this.options.position } : {}),
      mirror: this.options.mirror ?? false,
    });
  }

  /** Stops drawing and removes a canvas the overlay created. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (typeof this.video.cancelVideoFrameCallback === 'function') this.video.cancelVideoFrameCallback(this.handle);
    cancelAnimationFrame(this.handle);
    this.resizeObserver?.disconnect();
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.ownsCanvas) this.canvas.remove();
    this.timeline.clear();
  }

  private place(): void {
    const v = this.video;
    Object.assign(this.canvas.style, {
      left: `${v.offsetLeft + v.clientLeft}px`,
      top: `${v.offsetTop + v.clientTop}px`,
      width: `${v.clientWidth}px`,
      height: `${v.clientHeight}px`,
    });
  }

  private schedule(): void {
    if (this.closed) return;
    const video = this.video;
    if (typeof video.requestVideoFrameCallback === 'function') {
      const onFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
        if (this.closed) return;
        this.tick(this.frameTime(video, metadata));
        this.handle = video.requestVideoFrameCallback(onFrame);
      };
      this.handle = video.requestVideoFrameCallback(onFrame);
      // Paused video: no frame callbacks, so keep fading with animation frames.
      const idle = () => {
        if (this.closed) return;
        if (video.paused || video.ended || (this.options.sync ?? 'frame') === 'arrival') this.tick(this.frameTime(video));
        requestAnimationFrame(idle);
      };
      requestAnimationFrame(idle);
    } else {
      const onAnimationFrame = () => {
        if (this.closed) return;
        this.tick(this.frameTime(video));
        this.handle = requestAnimationFrame(onAnimationFrame);
      };
      this.handle = requestAnimationFrame(onAnimationFrame);
    }
  }

  private tick(frameTime: number): void {
    if ((this.options.sync ?? 'frame') === 'arrival') {
      const a = this.arrival;
      if (!a) return this.draw(undefined, 1);
      const age = performance.now() - a.at;
      const maxAge = this.options.maxAge ?? 500;
      const fade = this.options.fade ?? 250;
      const alpha = age <= maxAge ? 1 : Math.max(0, 1 - (age - maxAge) / (fade || 1));
      return this.draw(alpha > 0 ? a.result : undefined, alpha);
    }
    const pick = this.timeline.at(frameTime);
    this.draw(pick?.result, pick?.alpha ?? 1);
  }

  private draw(result: OverlayResult | undefined, alpha: number): void {
    const { canvas, ctx } = this;
    const dpr = this.options.devicePixelRatio ?? (typeof devicePixelRatio === 'number' ? devicePixelRatio : 1);
    const cssWidth = this.ownsCanvas ? this.video.clientWidth : canvas.clientWidth || this.video.clientWidth;
    const cssHeight = this.ownsCanvas ? this.video.clientHeight : canvas.clientHeight || this.video.clientHeight;
    const w = Math.round(cssWidth * dpr);
    const h = Math.round(cssHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      if (this.ownsCanvas) this.place();
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    this.drawn = result;
    if (!result || result.width === 0 || result.height === 0) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const t = this.transform(result.width, result.height);
    const lineWidth = this.options.lineWidth ?? 2;
    ctx.globalAlpha = alpha;
    ctx.lineWidth = lineWidth;
    ctx.font = this.options.font ?? '600 13px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    const showScores = this.options.showScores ?? true;
    for (const d of result.detections) {
      const [x1, y1, x2, y2] = mapBoxToDisplay(d.box, t);
      const color = this.options.color?.(d.classId, d.label) ?? PALETTE[d.classId % PALETTE.length]!;
      ctx.strokeStyle = color;
      ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
      const text = showScores ? `${d.label} ${d.score.toFixed(2)}` : d.label;
      const tw = ctx.measureText(text).width + 6;
      const th = 18;
      const ty = y1 - th >= 0 ? y1 - th : y1;
      ctx.fillStyle = color;
      ctx.fillRect(x1 - lineWidth / 2, ty, tw, th);
      ctx.fillStyle = '#000';
      ctx.fillText(text, x1 + 3 - lineWidth / 2, ty + 2);
    }
    ctx.globalAlpha = 1;
  }
}

/**
 * A {@link FrameSource} over still images, decoded one at a time with ffmpeg.
 */
import { ErrorCodes, isVidaiError, type Frame, type FrameSource } from '@vidai/core';
import { readImage, type ReadImageOptions } from './read-image.js';

/** Options of {@link ImageSource}. */
export interface ImageSourceOptions extends Omit<ReadImageOptions, 'signal'> {
  /** Time between consecutive images in the frames' `timestamp`, in ms (images are not paced). Default: 1000 (ms). */
  intervalMs?: number;
  /** Aborting closes the source. */
  signal?: AbortSignal;
}

/**
 * Frames from one or more image files, in order: frame `seq` is the image's index
 * and `timestamp` is `seq * intervalMs`. Each image is decoded when it is pulled;
 * a missing or undecodable image throws `input-not-found` or `input-unreadable`.
 *
 * @example
 * ```ts
 * for await (const frame of new ImageSource(['a.jpg', 'b.png'], { format: 'bgr' })) {
 *   console.log(frame.seq, frame.width, frame.height);
 * }
 * ```
 */
export class ImageSource implements FrameSource {
  /** The image paths, in order. */
  readonly paths: readonly string[];
  private readonly options: ImageSourceOptions;
  private readonly abort = new AbortController();
  private pending: Promise<Frame> | undefined;
  private closed = false;
  private readonly onSignalAbort = () => void this.close();

  /** @param paths one path or a list of paths; TypeError when empty. */
  constructor(paths: string | readonly string[], options: ImageSourceOptions = {}) {
    const list = typeof paths === 'string' ? [paths] : [...paths];
    if (list.length === 0 || list.some((path) => typeof path !== 'string' || path.length === 0)) {
      throw new TypeError('ImageSource needs one or more non-empty image paths');
    }
    const interval = options.intervalMs;
    if (interval !== undefined && !(Number.isFinite(interval) && interval >= 0)) {
      throw new TypeError(`intervalMs must be a number >= 0, got ${String(interval)}`);
    }
    this.paths = list;
    this.options = options;
    if (options.signal?.aborted) this.closed = true;
    else options.signal?.addEventListener('abort', this.onSignalAbort, { once: true });
  }

  /** Decodes and yields the images in order; breaking out of the loop closes the source. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Frame, void, undefined> {
    const intervalMs = this.options.intervalMs ?? 1000;
    try {
      for (let seq = 0; seq < this.paths.length && !this.closed; seq++) {
        this.pending = readImage(this.paths[seq] as string, { ...this.options, signal: this.abort.signal });
        let frame: Frame;
        try {
          frame = await this.pending;
        } catch (error) {
          if (this.closed && isVidaiError(error, ErrorCodes.ABORTED)) return;
          throw error;
        } finally {
          this.pending = undefined;
        }
        yield { ...frame, seq, timestamp: seq * intervalMs };
      }
    } finally {
      await this.close();
    }
  }

  /** Stops decoding (kills a running ffmpeg and waits for it) and ends the iteration. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onSignalAbort);
    this.abort.abort();
    await this.pending?.catch(() => undefined);
  }
}

/**
 * A {@link FrameSource} over image files; see {@link ImageSource}.
 *
 * @example
 * ```ts
 * const source = imageSource(['../shared/images/dog.jpg', '../shared/images/horses.jpg']);
 * for await (const frame of source) console.log(frame.seq, frame.width);
 * ```
 */
export function imageSource(paths: string | readonly string[], options?: ImageSourceOptions): ImageSource {
  return new ImageSource(paths, options);
}

/**
 * Pixel formats a frame may carry. Packed formats store channels interleaved per
 * pixel; `i420` and `nv12` are planar YUV 4:2:0 (Y plane, then chroma); `gbrp` is
 * planar 8-bit RGB with the planes in ffmpeg's order, green, blue, red (each
 * `width * height` bytes): a model's planar tensor is filled from it plane by plane.
 */
export type PixelFormat = 'rgba' | 'rgb' | 'bgr' | 'gray' | 'i420' | 'nv12' | 'gbrp';

/** A frame of video: pixels plus geometry and time. */
export interface Frame {
  /** Pixel bytes, tightly packed (no row padding) in `format`. */
  data: Uint8Array | Uint8ClampedArray;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /**
   * Width in pixels of the picture the frame shows, when the decoder scaled it down to
   * `width` x `height` (as WebCodecs' `VideoFrame.displayWidth`; `FfmpegSource`'s
   * `fitWithin` sets it). Detectors report boxes and the result's `width`/`height` in
   * display pixels. Set both or neither. Default: `width`.
   */
  displayWidth?: number;
  /** Height in pixels of the picture the frame shows. See `displayWidth`. Default: `height`. */
  displayHeight?: number;
  /** Layout of `data`. */
  format: PixelFormat;
  /**
   * Capture or presentation time in milliseconds. For files this is the
   * presentation time from the start of the stream; for live inputs it is the
   * wall-clock time (ms since the epoch) when the frame was captured or received.
   */
  timestamp: number;
  /** Sequence number assigned by the source, starting at 0 and increasing by 1. */
  seq: number;
}

/** A source of frames: an async iterable that can be closed. */
export interface FrameSource extends AsyncIterable<Frame> {
  /** Stops the source and releases everything it holds. Safe to call twice. */
  close(): Promise<void>;
}

/** Bytes per pixel of the packed formats, or the byte size of a planar frame. */
export function frameByteLength(format: PixelFormat, width: number, height: number): number {
  switch (format) {
    case 'rgba':
      return width * height * 4;
    case 'rgb':
    case 'bgr':
    case 'gbrp':
      return width * height * 3;
    case 'gray':
      return width * height;
    case 'i420':
    case 'nv12':
      return width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2));
  }
}

/**
 * A {@link FrameSource} over any iterable or async iterable of frames (an array,
 * a generator, a stream adapter). `close()` stops the iteration early.
 *
 * @example
 * ```ts
 * const source = fromFrames([frameA, frameB]);
 * for await (const frame of source) console.log(frame.seq);
 * ```
 */
export function fromFrames(frames: Iterable<Frame> | AsyncIterable<Frame>): FrameSource {
  let closed = false;
  let active: Iterator<Frame> | AsyncIterator<Frame> | undefined;
  return {
    async *[Symbol.asyncIterator]() {
      const iterator =
        Symbol.asyncIterator in frames
          ? (frames as AsyncIterable<Frame>)[Symbol.asyncIterator]()
          : (frames as Iterable<Frame>)[Symbol.iterator]();
      active = iterator;
      try {
        while (!closed) {
          const next = await iterator.next();
          if (next.done || closed) return;
          yield next.value;
        }
      } finally {
        active = undefined;
        await iterator.return?.();
      }
    },
    async close() {
      closed = true;
      await active?.return?.();
    },
  };
}

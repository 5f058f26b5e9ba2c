import type { Frame, FrameSource } from './frame.js';

/**
 * A {@link FrameSource} fed by calls instead of pulled from a device: a network
 * receiver, a decoder callback or a test pushes frames, a pipeline iterates them.
 * Only the newest unread frame is kept (a live input never queues stale frames);
 * frames replaced before they were read are counted in `overwritten`.
 *
 * @example
 * ```ts
 * const source = new PushFrameSource();
 * const pipeline = createPipeline({ source, detector });
 * void pipeline.run();
 * decoder.onFrame = (frame) => source.push(frame);
 * ```
 */
export class PushFrameSource implements FrameSource {
  private next: Frame | undefined;
  private wake: (() => void) | undefined;
  private ended = false;
  private iterating = false;
  /** Frames replaced by a newer one before they were read. */
  overwritten = 0;

  /** Offers a frame; returns false (and ignores it) after `end()` or `close()`. */
  push(frame: Frame): boolean {
    if (this.ended) return false;
    if (this.next) this.overwritten++;
    this.next = frame;
    this.wake?.();
    return true;
  }

  /** True after `end()` or `close()`. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Ends the stream: an iterator finishes after the frame it has not read yet. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** Yields pushed frames until {@link PushFrameSource.end} or `close()`; one iteration at a time. */
  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    if (this.iterating) throw new TypeError('PushFrameSource can be iterated once at a time');
    this.iterating = true;
    try {
      for (;;) {
        if (this.next) {
          const frame = this.next;
          this.next = undefined;
          yield frame;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.iterating = false;
    }
  }

  /** Ends the stream and drops the unread frame. Safe to call twice. */
  async close(): Promise<void> {
    this.next = undefined;
    this.end();
  }
}

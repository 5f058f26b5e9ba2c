/**
 * Cuts a byte stream of raw video (ffmpeg's `-f rawvideo` on a pipe) into whole
 * frames of a fixed size. Pipe reads split frames anywhere; the assembler copies
 * each byte exactly once, into the frame it belongs to, and never joins chunks.
 */

/**
 * Collects chunks and hands out complete frames of `frameBytes` bytes.
 * `push()` only keeps a reference to the chunk; `next()` copies out one frame when
 * enough bytes are there, so a consumer that stops calling `next()` leaves the
 * unread bytes in the chunks they came in (and the caller pauses the pipe).
 *
 * @example
 * ```ts
 * const assembler = new FrameAssembler(width * height * 3);
 * stdout.on('data', (chunk) => {
 *   assembler.push(chunk);
 *   for (let data = assembler.next(); data; data = assembler.next()) deliver(data);
 * });
 * ```
 */
export class FrameAssembler {
  /** Bytes of one frame. */
  readonly frameBytes: number;
  private readonly chunks: Uint8Array[] = [];
  /** Read offset into `chunks[0]`. */
  private offset = 0;
  /** Unread bytes over all chunks. */
  private available = 0;

  /** @param frameBytes size of one frame in bytes, a positive integer. */
  constructor(frameBytes: number) {
    if (!Number.isSafeInteger(frameBytes) || frameBytes <= 0) {
      throw new TypeError(`frameBytes must be a positive integer, got ${String(frameBytes)}`);
    }
    this.frameBytes = frameBytes;
  }

  /** Adds bytes read from the stream. The chunk must not be modified afterwards. */
  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.available += chunk.byteLength;
  }

  /** True when a whole frame can be taken with {@link next}. */
  get hasFrame(): boolean {
    return this.available >= this.frameBytes;
  }

  /** Bytes held and not yet handed out in a frame. */
  get bufferedBytes(): number {
    return this.available;
  }

  /** Takes the next whole frame, or undefined when not enough bytes have arrived. */
  next(): Uint8Array | undefined {
    if (this.available < this.frameBytes) return undefined;
    // One allocation per frame, not zero-filled: every byte is written below.
    const frame = new Uint8Array(Buffer.allocUnsafeSlow(this.frameBytes).buffer, 0, this.frameBytes);
    let filled = 0;
    while (filled < this.frameBytes) {
      const chunk = this.chunks[0] as Uint8Array;
      const take = Math.min(chunk.byteLength - this.offset, this.frameBytes - filled);
      frame.set(chunk.subarray(this.offset, this.offset + take), filled);
      filled += take;
      this.offset += take;
      if (this.offset === chunk.byteLength) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.available -= this.frameBytes;
    return frame;
  }

  /** Drops everything held (used when a stream restarts mid-frame). */
  reset(): void {
    this.chunks.length = 0;
    this.offset = 0;
    this.available = 0;
  }
}

/**
 * Puts RTP packets back in sequence-number order and declares gaps lost after a
 * short wait, so that the frame assembler sees an ordered stream with explicit
 * loss markers. Sequence numbers are 16-bit and wrap.
 */

/** The part of an RTP packet the reorder buffer looks at. */
export interface SequencedPacket {
  /** The RTP header; only its 16-bit `sequenceNumber` is read. */
  header: { sequenceNumber: number };
}

/** One item out of the reorder buffer: a packet in order, or a run of lost packets. */
export type ReorderOutput<P extends SequencedPacket> = { packet: P; lost?: undefined } | { lost: number; packet?: undefined };

/** Options of {@link RtpReorderBuffer}. */
export interface RtpReorderBufferOptions {
  /**
   * Longest time a packet waits for a missing predecessor before the missing ones
   * are declared lost, in ms. Retransmissions (NACK) arriving later are too late.
   * Default: 40.
   */
  maxDelayMs?: number;
  /** Most packets held while waiting; beyond it the gap is declared lost at once. Default: 512. */
  maxPackets?: number;
  /** Clock in ms (injectable for tests). Default: `performance.now`. */
  now?: () => number;
}

/** Counters of a {@link RtpReorderBuffer}. */
export interface RtpReorderStats {
  /** Packets accepted. */
  received: number;
  /** Packets that arrived out of order and were put back in place. */
  reordered: number;
  /** Packets declared lost. */
  lost: number;
  /** Packets dropped as duplicates or arriving after their gap was declared lost. */
  late: number;
}

/** Signed distance `a - b` between 16-bit sequence numbers. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/**
 * A small sequence-number reorder buffer (a jitter buffer without playout delay).
 *
 * @example
 * ```ts
 * const buffer = new RtpReorderBuffer();
 * for (const out of buffer.push(rtp)) out.packet ? assemble(out.packet) : markLoss(out.lost);
 * ```
 */
export class RtpReorderBuffer<P extends SequencedPacket = SequencedPacket> {
  private expected: number | undefined;
  private readonly waiting = new Map<number, { packet: P; at: number }>();
  private readonly maxDelayMs: number;
  private readonly maxPackets: number;
  private readonly now: () => number;
  /** Counters since creation. */
  readonly stats: RtpReorderStats = { received: 0, reordered: 0, lost: 0, late: 0 };

  constructor(options: RtpReorderBufferOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? 40;
    this.maxPackets = options.maxPackets ?? 512;
    this.now = options.now ?? (() => performance.now());
    if (!(this.maxDelayMs >= 0)) throw new TypeError(`maxDelayMs must be >= 0, got ${options.maxDelayMs}`);
    if (!(this.maxPackets >= 1)) throw new TypeError(`maxPackets must be >= 1, got ${options.maxPackets}`);
  }

  /** Number of packets waiting for a predecessor. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Adds a packet; returns what can now be released, in order. */
  push(packet: P): ReorderOutput<P>[] {
    const seq = packet.header.sequenceNumber & 0xffff;
    const out: ReorderOutput<P>[] = [];
    if (this.expected === undefined) this.expected = seq;
    const d = seqDiff(seq, this.expected);
    if (d < 0 || this.waiting.has(seq)) {
      this.stats.late++;
      return out;
    }
    this.stats.received++;
    if (d === 0) {
      out.push({ packet });
      this.expected = (seq + 1) & 0xffff;
      this.release(out);
    } else if (d > 0x4000) {
      // A jump this large is a restarted stream, not a gap worth waiting for.
      this.flushAll(out);
      out.push({ lost: 0 });
      out.push({ packet });
      this.expected = (seq + 1) & 0xffff;
    } else {
      this.stats.reordered++;
      this.waiting.set(seq, { packet, at: this.now() });
    }
    this.expire(out);
    return out;
  }

  /** Releases packets whose wait is over (call from a timer when the stream may pause). */
  poll(): ReorderOutput<P>[] {
    const out: ReorderOutput<P>[] = [];
    this.expire(out);
    return out;
  }

  /** Forgets every packet and the expected sequence number. */
  reset(): void {
    this.waiting.clear();
    this.expected = undefined;
  }

  private release(out: ReorderOutput<P>[]): void {
    for (;;) {
      const next = this.waiting.get(this.expected!);
      if (!next) return;
      this.waiting.delete(this.expected!);
      out.push({ packet: next.packet });
      this.expected = (this.expected! + 1) & 0xffff;
    }
  }

  private expire(out: ReorderOutput<P>[]): void {
    const now = this.now();
    while (this.waiting.size > 0) {
      let oldestAt = Infinity;
      let nearest: number | undefined;
      let nearestDiff = Infinity;
      for (const [seq, entry] of this.waiting) {
        oldestAt = Math.min(oldestAt, entry.at);
        const d = seqDiff(seq, this.expected!);
        if (d < nearestDiff) {
          nearestDiff = d;
          nearest = seq;
        }
      }
      if (now - oldestAt < this.maxDelayMs && this.waiting.size <= this.maxPackets) return;
      this.stats.lost += nearestDiff;
      out.push({ lost: nearestDiff });
      this.expected = nearest!;
      this.release(out);
    }
  }

  private flushAll(out: ReorderOutput<P>[]): void {
    const entries = [...this.waiting.entries()].sort((a, b) => seqDiff(a[0], b[0]));
    this.waiting.clear();
    let expected = this.expected!;
    for (const [seq, entry] of entries) {
      const gap = seqDiff(seq, expected);
      if (gap > 0) {
        this.stats.lost += gap;
        out.push({ lost: gap });
      }
      out.push({ packet: entry.packet });
      expected = (seq + 1) & 0xffff;
    }
  }
}

/**
 * Groups ordered RTP packets into whole encoded video frames (VP8 frames, H.264
 * access units in Annex-B) with werift's payload depacketizers, and refuses to pass
 * on anything that cannot decode cleanly: after any loss, or a frame that does not
 * depacketize, frames are dropped until the next key frame, and a key frame is
 * requested (the caller sends RTCP PLI).
 */
import { dePacketizeRtpPackets, type RtpPacket } from 'werift';

/** Video codecs the assembler can depacketize. */
export type VideoCodecName = 'vp8' | 'h264';

/** A complete encoded frame. */
export interface EncodedVideoFrame {
  /** Codec of `data`. */
  codec: VideoCodecName;
  /** The frame: a VP8 frame, or an H.264 access unit in Annex-B (start codes). */
  data: Uint8Array;
  /** True for a key frame (VP8 key frame, H.264 IDR). */
  keyFrame: boolean;
  /** RTP timestamp of the frame (90 kHz clock). */
  rtpTimestamp: number;
  /** When the frame's last packet arrived (the assembler's clock, ms). */
  receivedAt: number;
  /** Total RTP payload bytes of the frame. */
  bytes: number;
}

/**
 * Why a key frame is requested: the stream `start`s, a `loss`, a `corrupt` frame, or
 * still `waiting` (a frame was dropped while waiting: the key frame asked for earlier
 * may itself have been lost, so the request is repeated; the caller throttles).
 */
export type KeyFrameReason = 'start' | 'loss' | 'corrupt' | 'waiting';

/** Options of {@link RtpFrameAssembler}. */
export interface RtpFrameAssemblerOptions {
  /** Called when a key frame is needed; the caller sends PLI (throttling is the caller's). Default: none. */
  onNeedKeyFrame?: (reason: KeyFrameReason) => void;
  /** Largest encoded frame accepted, in bytes; bigger ones are dropped as corrupt. Default: 8 MiB. */
  maxFrameBytes?: number;
  /** Clock in ms (injectable for tests). Default: `performance.now`. */
  now?: () => number;
}

/** Counters of a {@link RtpFrameAssembler}. */
export interface RtpFrameAssemblerStats {
  /** Frames passed on. */
  frames: number;
  /** Key frames passed on. */
  keyFrames: number;
  /** Frames dropped (incomplete, corrupt, or waiting for a key frame). */
  dropped: number;
  /** Key frame requests made. */
  keyFrameRequests: number;
}

const werift: Record<VideoCodecName, 'VP8' | 'MPEG4/ISO/AVC'> = { vp8: 'VP8', h264: 'MPEG4/ISO/AVC' };

/**
 * Assembles encoded frames from in-order RTP packets and loss markers (the output
 * of {@link RtpReorderBuffer}).
 *
 * @example
 * ```ts
 * const assembler = new RtpFrameAssembler('vp8', { onNeedKeyFrame: () => receiver.sendRtcpPLI(ssrc) });
 * for (const out of reorder.push(rtp)) {
 *   const frame = out.packet ? assembler.push(out.packet) : assembler.markLoss();
 *   if (frame) decode(frame);
 * }
 * ```
 */
export class RtpFrameAssembler {
  private packets: RtpPacket[] = [];
  private timestamp: number | undefined;
  private waitingForKeyFrame = true;
  private requestedAtStart = false;
  private readonly maxFrameBytes: number;
  private readonly now: () => number;
  private readonly onNeedKeyFrame: (reason: KeyFrameReason) => void;
  /** Counters since creation. */
  readonly stats: RtpFrameAssemblerStats = { frames: 0, keyFrames: 0, dropped: 0, keyFrameRequests: 0 };

  /**
   * @param codec - The payload format of the packets: `'vp8'` or `'h264'`.
   * @param options - Limits and callbacks; see {@link RtpFrameAssemblerOptions}.
   */
  constructor(
    /** The payload format of the packets. */
    readonly codec: VideoCodecName,
    options: RtpFrameAssemblerOptions = {},
  ) {
    if (!(codec in werift)) throw new TypeError(`codec must be 'vp8' or 'h264', got ${String(codec)}`);
    this.maxFrameBytes = options.maxFrameBytes ?? 8 * 1024 * 1024;
    this.now = options.now ?? (() => performance.now());
    this.onNeedKeyFrame = options.onNeedKeyFrame ?? (() => {});
  }

  /** True while frames are dropped until a key frame arrives. */
  get awaitingKeyFrame(): boolean {
    return this.waitingForKeyFrame;
  }

  /** Reports lost packets: the frame in progress is dropped and a key frame is needed. */
  markLoss(): undefined {
    if (this.packets.length > 0) this.stats.dropped++;
    this.packets = [];
    this.timestamp = undefined;
    if (!this.waitingForKeyFrame) {
      this.waitingForKeyFrame = true;
      this.request('loss');
    }
    return undefined;
  }

  /** Adds the next in-order packet; returns a frame when this packet completes one. */
  push(packet: RtpPacket): EncodedVideoFrame | undefined {
    if (!this.requestedAtStart) {
      this.requestedAtStart = true;
      this.request('start');
    }
    const { timestamp, marker } = packet.header;
    if (this.timestamp !== undefined && timestamp !== this.timestamp) {
      // The previous frame never saw its marker bit: it is incomplete.
      this.markLoss();
    }
    this.timestamp = timestamp;
    this.packets.push(packet);
    if (!marker) {
      let bytes = 0;
      for (const p of this.packets) bytes += p.payload.length;
      if (bytes > this.maxFrameBytes) this.corrupt();
      return undefined;
    }
    const packets = this.packets;
    this.packets = [];
    this.timestamp = undefined;
    let bytes = 0;
    for (const p of packets) bytes += p.payload.length;
    let parsed: { data: Buffer; isKeyframe: boolean; frameFragmentBuffer?: Buffer };
    try {
      if (bytes > this.maxFrameBytes) throw new RangeError('frame too large');
      parsed = dePacketizeRtpPackets(werift[this.codec], packets);
    } catch {
      this.stats.dropped++;
      this.corrupt();
      return undefined;
    }
    // A fragment left over means an H.264 FU-A never ended: the frame is incomplete.
    if (parsed.data.length === 0 || parsed.frameFragmentBuffer !== undefined) {
      this.stats.dropped++;
      this.corrupt();
      return undefined;
    }
    const keyFrame = parsed.isKeyframe && this.startsCleanly(packets[0]!);
    if (this.waitingForKeyFrame) {
      if (!keyFrame) {
        this.stats.dropped++;
        this.request('waiting');
        return undefined;
      }
      this.waitingForKeyFrame = false;
    }
    this.stats.frames++;
    if (keyFrame) this.stats.keyFrames++;
    return {
      codec: this.codec,
      data: new Uint8Array(parsed.data.buffer, parsed.data.byteOffset, parsed.data.length),
      keyFrame,
      rtpTimestamp: timestamp,
      receivedAt: this.now(),
      bytes,
    };
  }

  /** Forgets the frame in progress and waits for a key frame again. */
  reset(): void {
    this.packets = [];
    this.timestamp = undefined;
    this.waitingForKeyFrame = true;
  }

  private corrupt(): void {
    this.packets = [];
    this.timestamp = undefined;
    this.waitingForKeyFrame = true;
    this.request('corrupt');
  }

  private request(reason: KeyFrameReason): void {
    this.stats.keyFrameRequests++;
    try {
      this.onNeedKeyFrame(reason);
    } catch {
      // a failing callback must not break assembly
    }
  }

  /** A key frame must start with the start of the frame (VP8 S bit and partition 0). */
  private startsCleanly(first: RtpPacket): boolean {
    if (this.codec !== 'vp8') return true;
    const b = first.payload[0];
    return b !== undefined && (b & 0x10) !== 0 && (b & 0x07) === 0;
  }
}

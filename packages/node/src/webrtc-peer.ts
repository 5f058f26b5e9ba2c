/**
 * One browser connected to the inference server: a werift `RTCPeerConnection` that
 * receives a video track, turns its RTP into decoded frames (reorder buffer -> frame
 * assembler -> in-process decoder), runs the detector on the newest frame whenever it
 * is free (latest-frame-wins: a slow model never builds a queue) and sends each
 * result back on the client's DataChannel in the core wire format.
 */
import { randomUUID } from 'node:crypto';
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type MediaStreamTrack,
  type PeerConfig,
  type RTCDataChannel,
  type RTCIceServer,
  type RtpPacket,
} from 'werift';
import {
  Evented,
  ErrorCodes,
  LatencyTracker,
  PushFrameSource,
  TimerSet,
  VidaiError,
  createPipeline,
  decodeWireMessage,
  encodeDetectionMessage,
  encodeWireMessage,
  isVidaiError,
  type DetectOptions,
  type DetectionResult,
  type Detector,
  type Frame,
  type LatencyStats,
  type LetterboxOptions,
  type Pipeline,
  type Sampler,
  type WireLimits,
} from '@vidai/core';
import { fixDtlsRecordSequence } from './dtls-record-sequence-fix.js';
import { RtpFrameAssembler, type EncodedVideoFrame, type VideoCodecName } from './rtp-frame-assembler.js';
import { RtpReorderBuffer } from './rtp-reorder-buffer.js';
import { addBitrateHint, type BitrateHint } from './sdp-bitrate-hint.js';
import { VideoFrameDecoder, type DecodedPixelFormat } from './video-decoder.js';

/** Lifecycle of a peer. */
export type PeerState = 'connecting' | 'connected' | 'closed';

/** Why a peer closed. */
export type PeerCloseReason =
  | 'closed'
  | 'connect-timeout'
  | 'media-timeout'
  | 'ice-failed'
  | 'bad-messages'
  | 'server-shutdown';

/** Events of an {@link InferencePeer}. */
export type InferencePeerEvents = {
  /** A detection result was sent to the client. */
  result: [DetectionResult];
  /** The peer changed state. */
  state: [PeerState];
  /** Something went wrong for this peer (it may close next). */
  error: [VidaiError];
  /** The peer closed and released everything. */
  close: [PeerCloseReason];
};

/** Options of an {@link InferencePeer}. */
export interface InferencePeerOptions {
  /**
   * The detector every frame goes to, shared between peers. Required. A `YoloDetector`
   * (from `createNodeDetector`) runs one call at a time in the main thread, which then
   * receives and decodes no video meanwhile; a `WorkerDetector` runs up to its `workers`
   * calls at once in worker threads.
   */
  detector: Detector;
  /** Thresholds passed to `detect`. Default: the detector's. */
  detectOptions?: Omit<DetectOptions, 'signal'>;
  /**
   * ICE servers (STUN/TURN). Default: `[]`, host candidates only, which is right on a
   * LAN or a server with a public address. werift's own default would contact a public
   * STUN server; pass one (and TURN, see `createTurnCredentials`) when clients are
   * behind NAT.
   */
  iceServers?: RTCIceServer[];
  /** Video codecs offered in order of preference. Default: `['vp8', 'h264']`. */
  codecs?: VideoCodecName[];
  /** Sender bitrate hint added to the answer, or `false` for none. Default: see {@link BitrateHint}. */
  bitrateHint?: BitrateHint | false;
  /** Close the peer when it is not connected after this long, ms. Default: 15000. */
  connectTimeoutMs?: number;
  /** Close the peer when no frame could be decoded for this long once connected, ms. Default: 10000. */
  mediaTimeoutMs?: number;
  /** Shortest interval between two key frame requests (RTCP PLI), ms. Default: 300. */
  keyFrameIntervalMs?: number;
  /** How long the reorder buffer waits for a missing packet, ms. Default: 40. */
  reorderDelayMs?: number;
  /** Pixel format of decoded frames when the detector resizes them (see `resize`). Default: `'bgr'`. */
  pixelFormat?: DecodedPixelFormat;
  /**
   * Who resizes decoded frames to the model's input. `'decoder'`: the decoder's colour
   * conversion also scales each picture (swscale `area`, as `FfmpegSource`'s
   * `fitWithin`), so frames reach the detector planar (`'gbrp'`) at the letterboxed size
   * with the decoded size as display size, and the detector only pads and converts.
   * It needs a detector that exposes `inputSize` and `preprocess` (`YoloDetector`,
   * `WorkerDetector`). `'detector'`: full-size frames in `pixelFormat`, resized by the
   * detector's letterbox. Default: `'decoder'` when the detector exposes both and
   * `pixelFormat` is not set, else `'detector'`. `mapFrame` sees the frames as decoded.
   */
  resize?: 'decoder' | 'detector';
  /** Decides which decoded frames reach the detector. Default: every frame (the detector's pace still drops the rest). */
  sampler?: Sampler;
  /**
   * Rewrites each decoded frame before sampling, for example to read a frame id the
   * sender drew into the picture and put it in `seq`. Default: none.
   */
  mapFrame?: (frame: Frame) => Frame;
  /** Limits of the wire format (message size, detection count). Default: the core defaults. */
  wireLimits?: WireLimits;
  /** Malformed DataChannel messages tolerated before the peer is closed. Default: 20. */
  maxBadMessages?: number;
  /** Further werift configuration (ports, interfaces, ...); `codecs` and `iceServers` above win. Default: none. */
  peerConfig?: Partial<PeerConfig>;
  /** Wall clock in ms since the epoch, for frame timestamps (injectable for tests). Default: `Date.now`. */
  now?: () => number;
}

/** Per-peer counters and latencies. */
export interface PeerStats {
  /** The peer's id. */
  id: string;
  /** Current state. */
  state: PeerState;
  /** Negotiated video codec, once media flows. */
  codec: VideoCodecName | undefined;
  /** RTP packets received. */
  packets: number;
  /** RTP packets declared lost by the reorder buffer. */
  packetsLost: number;
  /** Encoded frames assembled (complete and decodable). */
  framesReceived: number;
  /** Frames decoded to pixels. */
  framesDecoded: number;
  /** Frames the sampler accepted. */
  framesSampled: number;
  /** Frames dropped: incomplete or waiting for a key frame, rejected by the decoder, or replaced by a newer frame while the detector was busy. */
  framesDropped: number;
  /** Frames detected and sent. */
  framesProcessed: number;
  /** Key frame requests (PLI) sent. */
  keyFrameRequests: number;
  /** Received video bitrate over the last few seconds, bit/s. */
  bitrate: number;
  /** Malformed messages received on the DataChannel. */
  badMessages: number;
  /** Per-stage latency in ms: decode, queue (waiting for the detector), preprocess, inference, postprocess, total (frame arrival to result). */
  latency: LatencyStats;
}

const codecParameters: Record<VideoCodecName, () => RTCRtpCodecParameters> = {
  vp8: () =>
    new RTCRtpCodecParameters({
      mimeType: 'video/VP8',
      clockRate: 90000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
    }),
  h264: () =>
    new RTCRtpCodecParameters({
      mimeType: 'video/H264',
      clockRate: 90000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
    }),
};

/** Session description as exchanged by signaling. */
export interface SessionDescription {
  /** `'offer'` or `'answer'`. */
  type: 'offer' | 'answer';
  /** The SDP text. */
  sdp: string;
}

/** A remote ICE candidate as sent by a browser (`RTCIceCandidate.toJSON()`). */
export interface IceCandidateInit {
  /** The `candidate:` attribute, or an empty string for end-of-candidates. */
  candidate?: string;
  /** Media section id. */
  sdpMid?: string | null;
  /** Media section index. */
  sdpMLineIndex?: number | null;
}

/**
 * A server-side WebRTC peer running detection on the video it receives. Created by
 * the inference server for each offer; usable on its own with any signaling.
 *
 * @example
 * ```ts
 * const peer = await InferencePeer.fromOffer(offer, { detector });
 * respond(peer.answer);               // send the answer back to the browser
 * peer.on('result', (r) => console.log(r.detections.length));
 * await peer.close();
 * ```
 */
export class InferencePeer extends Evented<InferencePeerEvents> {
  /** Unique id of this peer. */
  readonly id: string;
  /** The local description; complete with candidates after {@link fromOffer}. */
  answer: SessionDescription | undefined;

  private readonly pc: RTCPeerConnection;
  private readonly options: InferencePeerOptions;
  private readonly now: () => number;
  /** Decode latency (the pipeline tracks the later stages). */
  private readonly decodeLatency = new LatencyTracker();
  private readonly source = new PushFrameSource();
  private readonly pipeline: Pipeline;
  /**
   * Each frame in flight, by `seq`: its decode time, and its RTP timestamp so its result
   * can name the frame to the client.
   */
  private readonly inFlightBySeq = new Map<number, { decodeMs: number; rtpTimestamp: number }>();
  private readonly timers = new TimerSet();
  private readonly unsubscribers: Array<() => void> = [];
  private state: PeerState = 'connecting';
  private closing: Promise<void> | undefined;
  private channel: RTCDataChannel | undefined;
  private track: MediaStreamTrack | undefined;
  private codec: VideoCodecName | undefined;
  private reorder: RtpReorderBuffer<RtpPacket> | undefined;
  private assembler: RtpFrameAssembler | undefined;
  private decoder: VideoFrameDecoder | undefined;
  private lastKeyFrameRequest = -Infinity;
  private lastDecodedAt = 0;
  private mediaTimer: ReturnType<typeof setInterval> | undefined;
  private seq = 0;
  private pipelineDone: Promise<unknown> = Promise.resolve();
  private readonly byteWindow: Array<{ at: number; bytes: number }> = [];
  private readonly counts = {
    packets: 0,
    framesDecoded: 0,
    decodeErrors: 0,
    keyFrameRequests: 0,
    badMessages: 0,
  };

  /** The decoder's resize, decided from the options once. */
  private readonly fit: { fitWithin?: LetterboxOptions };

  private constructor(options: InferencePeerOptions) {
    super();
    if (!options || typeof options.detector?.detect !== 'function') {
      throw new TypeError('InferencePeer: options.detector must be a Detector');
    }
    const codecs = options.codecs ?? ['vp8', 'h264'];
    if (codecs.length === 0 || codecs.some((c) => !(c in codecParameters))) {
      throw new TypeError(`InferencePeer: codecs must be a non-empty list of 'vp8' | 'h264', got ${JSON.stringify(codecs)}`);
    }
    this.options = options;
    this.fit = decoderFit(options);
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
    this.pipeline = createPipeline({
      source: this.source,
      detector: options.detector,
      ...(options.sampler ? { sampler: options.sampler } : {}),
      mode: 'live',
      ...(options.detectOptions ? { detectOptions: options.detectOptions } : {}),
      now: this.now,
      timestamps: 'wall-clock',
      statsIntervalMs: 0,
      onResult: (result) => this.onResult(result),
      onError: (error) => this.emitError(error),
    });
    this.id = randomUUID();
    this.pc = new RTCPeerConnection({
      ...options.peerConfig,
      iceServers: options.iceServers ?? [],
      codecs: { audio: [], video: codecs.map((c) => codecParameters[c]()) },
    });
    this.unsubscribers.push(
      this.pc.onTrack.subscribe((track) => this.onTrack(track)).unSubscribe,
      this.pc.onDataChannel.subscribe((channel) => this.onDataChannel(channel)).unSubscribe,
      this.pc.connectionStateChange.subscribe((s) => {
        if (s === 'connected') this.setState('connected');
        else if (s === 'failed' || s === 'closed') void this.close('ice-failed');
      }).unSubscribe,
    );
    this.timers.set(() => {
      if (this.state === 'connecting') {
        this.emitError(new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, 'The client did not connect in time; check ICE servers and that UDP can reach the server.'));
        void this.close('connect-timeout');
      }
    }, options.connectTimeoutMs ?? 15_000);
  }

  /**
   * Creates a peer for a browser's offer and answers it.
   *
   * @param offer the browser's offer.
   * @param options peer options.
   * @param trickle when true, answer at once and deliver local candidates through
   *   `onCandidate`; when false (default), wait for ICE gathering to finish so the
   *   answer carries every candidate (one round trip).
   * @throws VidaiError `offer-invalid` when the offer cannot be applied (the peer is closed).
   */
  static async fromOffer(
    offer: SessionDescription,
    options: InferencePeerOptions,
    trickle?: { onCandidate: (candidate: IceCandidateInit | null) => void },
  ): Promise<InferencePeer> {
    const peer = new InferencePeer(options);
    try {
      await peer.negotiate(offer, trickle?.onCandidate);
    } catch (cause) {
      await peer.close('closed');
      if (isVidaiError(cause)) throw cause;
      throw new VidaiError(ErrorCodes.OFFER_INVALID, `The offer could not be applied: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    }
    return peer;
  }

  private async negotiate(offer: SessionDescription, onCandidate?: (candidate: IceCandidateInit | null) => void): Promise<void> {
    if (!/^m=video /m.test(offer.sdp)) {
      throw new VidaiError(ErrorCodes.OFFER_INVALID, 'The offer has no video section; add the camera track (addTransceiver or addTrack) before createOffer().');
    }
    if (!/^m=application /m.test(offer.sdp)) {
      throw new VidaiError(ErrorCodes.OFFER_INVALID, 'The offer has no DataChannel; create one (createDataChannel) before createOffer() to receive detections.');
    }
    if (onCandidate) {
      this.unsubscribers.push(
        this.pc.onIceCandidate.subscribe((c) => {
          if (this.state === 'closed') return;
          onCandidate(c ? { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null } : null);
        }).unSubscribe,
      );
    }
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    fixDtlsRecordSequence(this.pc);
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    if (!onCandidate) await this.gatheringComplete();
    const local = this.pc.localDescription;
    if (!local) throw new VidaiError(ErrorCodes.OFFER_INVALID, 'No answer could be created for the offer.');
    const sdp = this.options.bitrateHint === false ? local.sdp : addBitrateHint(local.sdp, this.options.bitrateHint);
    this.answer = { type: 'answer', sdp };
  }

  private gatheringComplete(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const { unSubscribe } = this.pc.iceGatheringStateChange.subscribe((s) => {
        if (s === 'complete') {
          unSubscribe();
          resolve();
        }
      });
    });
  }

  /** Adds a remote candidate (trickle ICE); `null` or an empty candidate ends them. */
  async addIceCandidate(candidate: IceCandidateInit | null): Promise<void> {
    if (this.state === 'closed') return;
    if (!candidate || !candidate.candidate) return;
    try {
      await this.pc.addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
      });
    } catch (cause) {
      throw new VidaiError(ErrorCodes.OFFER_INVALID, `The ICE candidate is malformed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    }
  }

  /** The peer's current state. */
  get currentState(): PeerState {
    return this.state;
  }

  /** A snapshot of this peer's counters and latencies. */
  stats(): PeerStats {
    const a = this.assembler?.stats;
    const now = performance.now();
    this.trimBytes(now);
    let bytes = 0;
    for (const b of this.byteWindow) bytes += b.bytes;
    const span = this.byteWindow.length > 1 ? (now - this.byteWindow[0]!.at) / 1000 : 0;
    const p = this.pipeline.stats();
    return {
      id: this.id,
      state: this.state,
      codec: this.codec,
      packets: this.counts.packets,
      packetsLost: this.reorder?.stats.lost ?? 0,
      framesReceived: a?.frames ?? 0,
      framesDecoded: this.counts.framesDecoded,
      framesSampled: p.sampled,
      framesDropped: (a?.dropped ?? 0) + this.counts.decodeErrors + this.source.overwritten + p.dropped,
      framesProcessed: p.processed,
      keyFrameRequests: this.counts.keyFrameRequests,
      bitrate: span > 0 ? Math.round((bytes * 8) / span) : 0,
      badMessages: this.counts.badMessages,
      latency: { ...this.decodeLatency.stats(), ...p.latency },
    };
  }

  // -------------------------------------------------------------------------
  // Media path

  private onTrack(track: MediaStreamTrack): void {
    if (track.kind !== 'video' || this.track || this.state === 'closed') return;
    const name = track.codec?.name.toLowerCase();
    const codec: VideoCodecName | undefined = name === 'vp8' ? 'vp8' : name === 'h264' ? 'h264' : undefined;
    if (!codec) {
      this.emitError(new VidaiError(ErrorCodes.UNSUPPORTED_FORMAT, `The client sends ${track.codec?.mimeType ?? 'an unknown codec'}; send VP8 or H.264.`));
      return;
    }
    this.track = track;
    this.codec = codec;
    this.reorder = new RtpReorderBuffer<RtpPacket>({ maxDelayMs: this.options.reorderDelayMs ?? 40 });
    this.assembler = new RtpFrameAssembler(codec, { onNeedKeyFrame: () => this.requestKeyFrame() });
    this.decoder = new VideoFrameDecoder(codec, { format: this.options.pixelFormat ?? 'bgr', ...this.fit });
    this.pipelineDone = this.pipeline.run().catch((error) => {
      if (!this.isClosed()) this.emitError(error instanceof VidaiError ? error : new VidaiError(ErrorCodes.INFERENCE_FAILED, String(error), { cause: error }));
    });
    const payloadType = track.codec?.payloadType;
    this.unsubscribers.push(
      track.onReceiveRtp.subscribe((rtp) => {
        if (payloadType !== undefined && rtp.header.payloadType !== payloadType) return;
        this.onRtp(rtp);
      }).unSubscribe,
    );
  }

  private onRtp(rtp: RtpPacket): void {
    if (this.state === 'closed') return;
    this.counts.packets++;
    const at = performance.now();
    this.byteWindow.push({ at, bytes: rtp.payload.length });
    if (this.byteWindow.length > 4096) this.trimBytes(at);
    for (const out of this.reorder!.push(rtp)) {
      const frame = out.packet ? this.assembler!.push(out.packet) : this.assembler!.markLoss();
      if (frame) this.decodeFrame(frame);
    }
  }

  private trimBytes(now: number): void {
    while (this.byteWindow.length > 0 && now - this.byteWindow[0]!.at > 3000) this.byteWindow.shift();
  }

  private requestKeyFrame(): void {
    const now = performance.now();
    if (now - this.lastKeyFrameRequest < (this.options.keyFrameIntervalMs ?? 300)) return;
    const ssrc = this.track?.ssrc;
    const receiver = this.pc.getTransceivers().find((t) => t.receiver.tracks.includes(this.track!))?.receiver;
    if (ssrc === undefined || !receiver) return;
    this.lastKeyFrameRequest = now;
    this.counts.keyFrameRequests++;
    receiver.sendRtcpPLI(ssrc).catch(() => {});
  }

  private decodeFrame(encoded: EncodedVideoFrame): void {
    const decoder = this.decoder;
    if (!decoder || this.state === 'closed') return;
    const receivedAt = this.now();
    let decoded;
    try {
      decoded = decoder.decode(encoded);
    } catch {
      decoded = undefined;
    }
    if (!decoded) {
      this.counts.decodeErrors++;
      this.assembler?.reset();
      this.requestKeyFrame();
      return;
    }
    this.counts.framesDecoded++;
    this.lastDecodedAt = performance.now();
    this.decodeLatency.record('decode', decoded.decodeMs);
    let frame: Frame = { ...decoded.frame, timestamp: receivedAt, seq: this.seq++ };
    if (this.options.mapFrame) frame = this.options.mapFrame(frame);
    this.inFlightBySeq.set(frame.seq, { decodeMs: decoded.decodeMs, rtpTimestamp: decoded.rtpTimestamp });
    if (this.inFlightBySeq.size > 64) this.inFlightBySeq.delete(this.inFlightBySeq.keys().next().value as number);
    this.source.push(frame);
  }

  private onResult(result: DetectionResult): void {
    if (this.isClosed()) return;
    const sentAt = this.now();
    const inFlight = this.inFlightBySeq.get(result.seq);
    this.inFlightBySeq.delete(result.seq);
    const decode = inFlight?.decodeMs;
    const rtpTimestamp = inFlight?.rtpTimestamp;
    // server: from the arrival of the frame's last packet (its timestamp) to sending.
    result.timings = { ...result.timings, ...(decode !== undefined ? { decode } : {}), server: sentAt - result.timestamp };
    this.send(result, sentAt, rtpTimestamp);
    this.events.emit('result', result);
  }

  private send(result: DetectionResult, sentAt: number, rtpTimestamp: number | undefined): void {
    const channel = this.channel;
    if (!channel || channel.readyState !== 'open') return;
    try {
      channel.send(encodeDetectionMessage(result, { ...this.options.wireLimits, sentAt, ...(rtpTimestamp !== undefined ? { rtpTimestamp } : {}) }));
    } catch (cause) {
      this.emitError(isVidaiError(cause) ? cause : new VidaiError(ErrorCodes.MALFORMED_MESSAGE, `Could not send a result: ${String(cause)}`, { cause }));
    }
  }

  // -------------------------------------------------------------------------
  // DataChannel

  private onDataChannel(channel: RTCDataChannel): void {
    if (this.channel || this.state === 'closed') {
      channel.close();
      return;
    }
    this.channel = channel;
    this.unsubscribers.push(channel.onMessage.subscribe((data) => this.onMessage(channel, data)).unSubscribe);
  }

  private onMessage(channel: RTCDataChannel, data: string | Buffer): void {
    const t1 = this.now();
    let message;
    try {
      message = decodeWireMessage(typeof data === 'string' ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength), this.options.wireLimits);
    } catch (cause) {
      this.counts.badMessages++;
      const error = isVidaiError(cause) ? cause : new VidaiError(ErrorCodes.MALFORMED_MESSAGE, String(cause), { cause });
      this.emitError(error);
      if (this.counts.badMessages > (this.options.maxBadMessages ?? 20)) {
        void this.close('bad-messages');
        return;
      }
      if (channel.readyState === 'open') {
        channel.send(encodeWireMessage({ v: 1, type: 'error', code: error.code, message: error.message.slice(0, 1000) }));
      }
      return;
    }
    if (message.type === 'ping' && channel.readyState === 'open') {
      channel.send(encodeWireMessage({ v: 1, type: 'pong', id: message.id, t0: message.t0, t1, t2: this.now() }));
    }
  }

  // -------------------------------------------------------------------------
  // Lifecycle

  /** Re-reads the state after an await (TypeScript narrows it across awaits otherwise). */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private setState(state: PeerState): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    if (state === 'connected') this.watchMedia();
    this.events.emit('state', state);
  }

  /** Once connected, a peer that sends no decodable video (none at all, or garbage) is closed. */
  private watchMedia(): void {
    if (this.mediaTimer) return;
    this.lastDecodedAt = performance.now();
    const mediaTimeout = this.options.mediaTimeoutMs ?? 10_000;
    this.mediaTimer = setInterval(() => {
      if (this.state !== 'connected') return;
      if (performance.now() - this.lastDecodedAt > mediaTimeout) {
        this.emitError(
          new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, `No decodable video from the client for ${mediaTimeout} ms; closing the peer.`, {
            details: { peer: this.id },
          }),
        );
        void this.close('media-timeout');
      }
    }, Math.min(1000, mediaTimeout));
  }

  private emitError(error: VidaiError): void {
    this.events.emit('error', error);
  }

  /**
   * Closes the connection and releases the decoder, timers and pending frames; waits
   * for a detection in progress to finish. Safe to call twice.
   */
  close(reason: PeerCloseReason = 'closed'): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closed';
      this.events.emit('state', 'closed');
      this.timers.clear();
      if (this.mediaTimer) clearInterval(this.mediaTimer);
      this.mediaTimer = undefined;
      for (const off of this.unsubscribers.splice(0)) off();
      this.reorder?.reset();
      this.assembler?.reset();
      try {
        await this.pc.close();
      } catch {
        // closing a half-negotiated connection may throw inside werift; nothing is left to release
      }
      this.decoder?.close();
      this.decoder = undefined;
      await this.pipeline.close();
      await this.pipelineDone;
      this.inFlightBySeq.clear();
      this.events.emit('close', reason);
      this.events.clear();
    })();
    return this.closing;
  }
}

/** The decoder's `fitWithin` for a peer's options: the detector's letterbox when the decoder resizes (see `resize`). */
function decoderFit(options: InferencePeerOptions): { fitWithin?: LetterboxOptions } {
  const { detector } = options;
  const fit =
    'inputSize' in detector && 'preprocess' in detector
      ? { size: detector.inputSize as LetterboxOptions['size'], ...(detector.preprocess as Omit<LetterboxOptions, 'size'>) }
      : undefined;
  const resize = options.resize ?? (fit && options.pixelFormat === undefined ? 'decoder' : 'detector');
  if (resize !== 'decoder' && resize !== 'detector') throw new TypeError(`InferencePeer: resize must be 'decoder' or 'detector', got ${String(resize)}`);
  if (resize === 'detector') return {};
  if (!fit) throw new TypeError("InferencePeer: resize 'decoder' needs a detector with inputSize and preprocess (YoloDetector, WorkerDetector)");
  return { fitWithin: fit };
}

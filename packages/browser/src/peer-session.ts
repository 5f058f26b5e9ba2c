/**
 * One WebRTC connection between the sender of a room and one viewer, inside a
 * `PeerLink`. The sender is always the offerer (it adds the camera and the
 * DataChannel), the viewer always answers, so offers never collide. The offerer
 * restarts ICE when the connection fails or stays disconnected, and when an offer
 * went unanswered (lost while signaling was down); the DataChannel survives ICE
 * restarts. Signals are handled strictly in order.
 */
import { Evented, ErrorCodes, VidaiError, decodeWireMessage, type SignalingPeer, type WireMessage } from '@vidai/core';
import { ClockSync } from './clock-sync.js';
import type { PeerSignal } from './signaling-client.js';
import { configureSender, preferVideoCodec, type PreferredVideoCodec } from './video-sender.js';

/** Options of a {@link PeerSession}. */
export interface PeerSessionOptions {
  /** The remote member. */
  remote: SignalingPeer;
  /** The local camera: given on the sender (the offerer), absent on a viewer. */
  stream?: MediaStream;
  /** ICE servers of the connection. */
  iceServers: RTCIceServer[];
  /** Sends a signal to the remote member; false when it could not be sent now. */
  signal: (signal: PeerSignal) => boolean;
  /** Preferred video codec of the sender. Default: the browser's choice. */
  codec?: PreferredVideoCodec;
  /** Highest send bitrate, bit/s. Default: the browser's. */
  maxBitrate?: number;
  /** What the encoder gives up first under load. Default `'maintain-resolution'` (detection needs pixels more than frames). */
  degradationPreference?: RTCDegradationPreference;
  /** How long the connection may stay `disconnected` before the offerer restarts ICE, ms. Default: 2000. */
  disconnectGraceMs?: number;
  /** How long an offer may go unanswered before the offerer offers again (with an ICE restart), ms. Default: 10000. */
  negotiationTimeoutMs?: number;
  /** Interval of clock pings on the DataChannel, ms; 0 disables. Default: 2000. */
  pingIntervalMs?: number;
}

/** Counters of a {@link PeerSession}. */
export interface PeerSessionStats {
  /** Offers made (offerer) or answered (viewer). */
  negotiations: number;
  /** ICE restarts started by this side. */
  iceRestarts: number;
  /** Wire messages received on the DataChannel that could not be decoded. */
  badMessages: number;
}

/** Events of a {@link PeerSession}. */
export type PeerSessionEvents = {
  /** The connection state changed (`RTCPeerConnection.connectionState`). */
  state: [RTCPeerConnectionState];
  /** A remote track arrived (viewer). */
  track: [MediaStreamTrack, MediaStream];
  /** The DataChannel opened (again). */
  open: [];
  /** A wire message other than ping/pong arrived on the DataChannel, at local time `receivedAt` (ms since the epoch). */
  message: [WireMessage, number];
  /** Something failed. */
  error: [VidaiError];
};

/** Largest backlog on the DataChannel before a message is skipped (latest-wins), bytes. */
const MAX_CHANNEL_BACKLOG = 256 * 1024;

/** A peer connection with one remote member of the room. */
export class PeerSession extends Evented<PeerSessionEvents> {
  /** The peer connection. */
  readonly pc: RTCPeerConnection;
  /** Clock offset to the remote side, estimated over the DataChannel. */
  readonly clock: ClockSync;
  /** Counters. */
  readonly stats: PeerSessionStats = { negotiations: 0, iceRestarts: 0, badMessages: 0 };

  private readonly options: PeerSessionOptions;
  private readonly offerer: boolean;
  private readonly senders: RTCRtpSender[] = [];
  private channel: RTCDataChannel | undefined;
  private chain: Promise<void> = Promise.resolve();
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private negotiationTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(options: PeerSessionOptions) {
    super();
    this.options = options;
    this.offerer = options.stream !== undefined;
    const pc = new RTCPeerConnection({ iceServers: options.iceServers });
    this.pc = pc;
    this.clock = new ClockSync((text) => this.sendRaw(text), { intervalMs: options.pingIntervalMs ?? 2000 });
    pc.onicecandidate = (event) => {
      const json = event.candidate?.toJSON();
      options.signal({ type: 'candidate', candidate: json ? { ...json, candidate: json.candidate ?? '' } : null });
    };
    pc.onconnectionstatechange = () => this.onConnectionState();
    pc.oniceconnectionstatechange = () => this.onIceState();
    if (this.offerer) {
      const stream = options.stream!;
      for (const track of stream.getVideoTracks()) {
        const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
        preferVideoCodec(transceiver, options.codec);
        this.senders.push(transceiver.sender);
      }
      // Only the newest detections matter: unordered, no retransmissions.
      this.useChannel(pc.createDataChannel('vidai', { ordered: false, maxRetransmits: 0 }));
      pc.onnegotiationneeded = () => this.enqueue(() => this.offer());
    } else {
      pc.ontrack = (event) => this.events.emit('track', event.track, event.streams[0] ?? new MediaStream([event.track]));
      pc.ondatachannel = (event) => this.useChannel(event.channel);
    }
  }

  /** The remote member. */
  get remote(): SignalingPeer {
    return this.options.remote;
  }

  /** The connection state. */
  get state(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  /** True while the DataChannel is open. */
  get channelOpen(): boolean {
    return this.channel?.readyState === 'open';
  }

  /** Handles a signal from the remote member (in order with every other). */
  handle(signal: PeerSignal): Promise<void> {
    return this.enqueue(() => this.apply(signal));
  }

  /**
   * Restarts ICE (offerer only; a viewer waits for the sender's new offer). An offer
   * still waiting for its answer is withdrawn and made again with new ICE credentials.
   */
  restartIce(): void {
    if (!this.offerer || this.closed) return;
    void this.enqueue(async () => {
      if (this.pc.signalingState === 'have-local-offer') await this.pc.setLocalDescription({ type: 'rollback' });
      this.stats.iceRestarts++;
      this.pc.restartIce();
    });
  }

  /**
   * Brings the session back in step after signaling was lost (the remote member
   * rejoined): an offer without an answer, or a connection that is not up, gets an ICE
   * restart. A connected, stable session is left alone: media kept flowing.
   */
  resync(): void {
    if (!this.offerer || this.closed) return;
    if (this.pc.signalingState !== 'stable' || this.pc.connectionState !== 'connected') this.restartIce();
  }

  /** Sends `stream`'s video track instead of the current one (sender), without renegotiating. */
  async replaceStream(stream: MediaStream): Promise<void> {
    const track = stream.getVideoTracks()[0] ?? null;
    for (const sender of this.senders) await sender.replaceTrack(track);
  }

  /** Sends a text message on the DataChannel; false when it is not open or too backed up (the message is skipped). */
  send(text: string): boolean {
    return this.sendRaw(text);
  }

  private sendRaw(text: string): boolean {
    const ch = this.channel;
    if (!ch || ch.readyState !== 'open' || ch.bufferedAmount > MAX_CHANNEL_BACKLOG) return false;
    try {
      ch.send(text);
      return true;
    } catch {
      return false;
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = async () => {
      if (this.closed) return;
      try {
        await task();
      } catch (error) {
        if (this.closed) return;
        this.events.emit(
          'error',
          error instanceof VidaiError
            ? error
            : new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, `Negotiation with ${this.remote.peerId} failed: ${String((error as Error)?.message ?? error)}`, { cause: error }),
        );
      }
    };
    this.chain = this.chain.then(run, run);
    return this.chain;
  }

  private async offer(): Promise<void> {
    if (this.pc.signalingState !== 'stable') return; // negotiationneeded fires again once stable
    await this.pc.setLocalDescription();
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) return;
    this.stats.negotiations++;
    this.options.signal({ type: 'offer', sdp });
    this.armNegotiationTimer();
  }

  private armNegotiationTimer(): void {
    if (this.negotiationTimer) clearTimeout(this.negotiationTimer);
    this.negotiationTimer = setTimeout(() => {
      this.negotiationTimer = undefined;
      if (this.pc.signalingState === 'have-local-offer') this.restartIce();
    }, this.options.negotiationTimeoutMs ?? 10_000);
  }

  private async apply(signal: PeerSignal): Promise<void> {
    const pc = this.pc;
    if (signal.type === 'offer') {
      if (this.offerer) return; // the sender makes the offers; a viewer's offer is ignored
      await pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
      await pc.setLocalDescription();
      this.stats.negotiations++;
      this.options.signal({ type: 'answer', sdp: pc.localDescription!.sdp });
      await this.flushCandidates();
    } else if (signal.type === 'answer') {
      if (!this.offerer || pc.signalingState !== 'have-local-offer') return; // stale: answers an offer that was withdrawn
      await pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
      if (this.negotiationTimer) clearTimeout(this.negotiationTimer);
      this.negotiationTimer = undefined;
      await this.flushCandidates();
      for (const sender of this.senders) {
        await configureSender(sender, { maxBitrate: this.options.maxBitrate, degradationPreference: this.options.degradationPreference ?? 'maintain-resolution' });
      }
    } else if (signal.type === 'candidate') {
      const c = signal.candidate;
      if (!pc.remoteDescription) {
        if (c && this.pendingCandidates.length < 100) this.pendingCandidates.push(c);
        return;
      }
      // A candidate of an ICE generation that was replaced fails to add: that is expected.
      await pc.addIceCandidate(c ?? undefined).catch(() => {});
    }
  }

  private async flushCandidates(): Promise<void> {
    for (const c of this.pendingCandidates.splice(0)) await this.pc.addIceCandidate(c).catch(() => {});
  }

  private onIceState(): void {
    const ice = this.pc.iceConnectionState;
    if (ice === 'connected' || ice === 'completed') {
      if (this.graceTimer) clearTimeout(this.graceTimer);
      this.graceTimer = undefined;
    } else if (ice === 'disconnected' && !this.graceTimer) {
      this.graceTimer = setTimeout(() => {
        this.graceTimer = undefined;
        if (this.pc.iceConnectionState === 'disconnected') this.restartIce();
      }, this.options.disconnectGraceMs ?? 2000);
    } else if (ice === 'failed') {
      this.restartIce();
    }
  }

  private onConnectionState(): void {
    if (this.closed) return;
    this.events.emit('state', this.pc.connectionState);
  }

  private useChannel(channel: RTCDataChannel): void {
    if (this.channel && this.channel !== channel) this.channel.close();
    this.channel = channel;
    channel.onopen = () => {
      this.clock.start();
      this.events.emit('open');
    };
    channel.onclose = () => this.clock.stop();
    channel.onmessage = (event) => this.onChannelMessage(event.data);
    if (channel.readyState === 'open') channel.onopen(new Event('open'));
  }

  private onChannelMessage(data: unknown): void {
    const receivedAt = this.clock.now();
    let message: WireMessage;
    try {
      message = decodeWireMessage(data as string | ArrayBuffer);
    } catch (error) {
      this.stats.badMessages++;
      // One report per 100 bad messages: a misbehaving peer must not flood the page's handlers.
      if (this.stats.badMessages % 100 === 1) this.events.emit('error', error as VidaiError);
      return;
    }
    if (message.type === 'ping') this.sendRaw(this.clock.answer(message, receivedAt));
    else if (message.type === 'pong') this.clock.onPong(message, receivedAt);
    else this.events.emit('message', message, receivedAt);
  }

  /** Closes the connection and its DataChannel; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.negotiationTimer) clearTimeout(this.negotiationTimer);
    this.clock.stop();
    const ch = this.channel;
    if (ch) {
      ch.onopen = ch.onclose = ch.onmessage = null;
      ch.close();
    }
    const pc = this.pc;
    pc.onicecandidate = pc.onconnectionstatechange = pc.oniceconnectionstatechange = pc.onnegotiationneeded = pc.ontrack = pc.ondatachannel = null;
    pc.close();
    this.events.emit('state', 'closed');
    this.events.clear();
  }
}

/**
 * Peer-to-peer video with detections going back: a phone (the sender) publishes its
 * camera to the viewers of a room, each viewer detects objects in the video it
 * receives, and sends the detections back over a DataChannel in the core wire format,
 * so the phone can draw them too. Signaling goes through a vidai `SignalingServer`;
 * video and detections go directly between the browsers (or through TURN).
 *
 * Roles are explicit. The sender makes one peer connection per viewer and is always
 * the offerer. Recovery: the signaling connection reconnects with backoff and rejoins
 * with the same peer id while media keeps flowing; a connection that fails, stays
 * disconnected, or has an unanswered offer gets an ICE restart; a network change
 * (`online`, `navigator.connection` change) triggers both at once.
 */
import {
  Evented,
  ErrorCodes,
  VidaiError,
  encodeDetectionMessage,
  type DetectionMessage,
  type DetectionResult,
  type PeerLeaveReason,
  type PeerRole,
  type SignalingPeer,
} from '@vidai/core';
import { PeerSession } from './peer-session.js';
import type { ReconnectOptions } from './reconnect-backoff.js';
import { SignalingClient, type PeerSignal } from './signaling-client.js';
import type { PreferredVideoCodec } from './video-sender.js';

/** State of a {@link PeerLink}: its membership of the room (peer connections report their own). */
export type PeerLinkState = 'connecting' | 'joined' | 'reconnecting' | 'closed';

/** Options of {@link PeerLink}. */
export interface PeerLinkOptions {
  /** The signaling endpoint: `wss://host/signal`, an `https:` URL or a path such as `/signal`. Required. */
  url: string | URL;
  /** Room id. Required. */
  room: string;
  /** `'sender'` publishes `stream`; `'viewer'` receives the sender's video. Required. */
  role: PeerRole;
  /** The room token. Default: none. */
  token?: string;
  /** The camera to publish (its video tracks). Required for the sender; not allowed for a viewer. */
  stream?: MediaStream;
  /** Own peer id, kept across reconnections. Default: a random UUID. */
  peerId?: string;
  /**
   * ICE servers of the peer connections. Default: those the signaling server hands
   * out on join (none unless it is configured with some, e.g. TURN credentials).
   */
  iceServers?: RTCIceServer[];
  /** Sender: preferred video codec (a phone encodes H.264 in hardware). Default: the browser's choice. */
  codec?: PreferredVideoCodec;
  /** Sender: highest bitrate per viewer, bit/s. Default: the browser's. */
  maxBitrate?: number;
  /**
   * Sender: what the encoder gives up first when bandwidth or CPU run short. Default
   * `'maintain-resolution'`: detection needs pixels more than frames (with the browser's
   * `'balanced'`, a 768x576 camera reached the viewer at 256x192 for its first 7 s on
   * loopback, at 384x288 after).
   */
  degradationPreference?: RTCDegradationPreference;
  /** Reconnection of the signaling connection. Default: 500 ms doubling to 10 s, jittered, forever. */
  reconnect?: ReconnectOptions | false;
  /** Keepalive of the signaling connection, ms (see `SignalingClientOptions.keepaliveMs`). Default: 10000. */
  keepaliveMs?: number;
  /** A connection may stay `disconnected` this long before the sender restarts ICE, ms. Default: 2000. */
  disconnectGraceMs?: number;
  /** An offer unanswered this long is made again with an ICE restart, ms. Default: 10000. */
  negotiationTimeoutMs?: number;
  /**
   * A member whose signaling connection was lost keeps its peer connection while that
   * stays connected; once it is not, and the member has not come back within this
   * time, the connection is closed, ms. Default: 15000.
   */
  peerTimeoutMs?: number;
  /** Clock pings on the DataChannel, ms; 0 disables. Default: 2000. */
  pingIntervalMs?: number;
  /** React to `online` and `navigator.connection` change events (reconnect, restart ICE). Default: true. */
  watchNetwork?: boolean;
}

/** A remote member and its connection, as {@link PeerLink.peers} reports it. */
export interface PeerLinkPeer extends SignalingPeer {
  /** `RTCPeerConnection.connectionState`, or `'closed'` once the connection is gone. */
  state: RTCPeerConnectionState;
  /** True while the DataChannel is open. */
  channelOpen: boolean;
  /** Round trip on the DataChannel (best of the last pings), ms. */
  rttMs: number | undefined;
  /** Add to a local time (ms since the epoch) to get the member's clock, estimated with those pings. */
  clockOffsetMs: number | undefined;
  /** Offers made or answered on this connection. */
  negotiations: number;
  /** ICE restarts started by this side. */
  iceRestarts: number;
}

/** A remote video track. */
export interface PeerLinkTrack {
  /** The sender's peer id. */
  peerId: string;
  /** The track. */
  track: MediaStreamTrack;
  /** Its stream (set it as a `<video>`'s `srcObject`). */
  stream: MediaStream;
}

/** Detections a member sent. */
export interface PeerLinkDetections {
  /** Who sent them. */
  peerId: string;
  /**
   * The message: boxes in the pixels of a `width` x `height` frame (the frame the viewer
   * received, which may be smaller than the camera's); `timestamp` is the viewer's
   * frame time, `sentAt` its clock when sent.
   */
  message: DetectionMessage;
  /** Local time it arrived, ms since the epoch. */
  receivedAt: number;
  /**
   * Time from the member sending to this side receiving, ms, once the clock offset is
   * known (ping/pong on the DataChannel; its error is at most half the round trip).
   */
  transportMs: number | undefined;
}

/** Events of a {@link PeerLink}. */
export type PeerLinkEvents = {
  /** Membership of the room changed. */
  state: [PeerLinkState];
  /** A peer connection changed state (or closed). */
  peer: [PeerLinkPeer];
  /** A viewer received the sender's video. */
  track: [PeerLinkTrack];
  /** Detections arrived from a member. */
  detections: [PeerLinkDetections];
  /** Something failed (signaling refused or lost, negotiation failed, a bad message). */
  error: [VidaiError];
};

interface Entry {
  session: PeerSession;
  absentSince: number | undefined;
}

/**
 * One end of a phone-to-desktop link.
 *
 * @example
 * ```ts
 * // phone
 * const camera = await CameraSource.open({ facingMode: 'environment' });
 * const link = new PeerLink({ url: '/signal', room, token, role: 'sender', stream: camera.stream });
 * link.on('detections', ({ message }) => overlay.push(message));
 *
 * // desktop
 * const link = new PeerLink({ url: '/signal', room, token, role: 'viewer' });
 * link.on('track', ({ stream }) => (video.srcObject = stream));
 * loop.on('result', (result) => link.sendDetections(result));
 * ```
 */
export class PeerLink extends Evented<PeerLinkEvents> {
  /** Own role. */
  readonly role: PeerRole;

  private readonly options: PeerLinkOptions;
  private readonly signaling: SignalingClient;
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private readonly onNetworkChange = () => this.networkChanged();
  private state: PeerLinkState = 'connecting';
  private stream: MediaStream | undefined;

  /** Joins the room at once; listen to the events or await {@link joined}. */
  constructor(options: PeerLinkOptions) {
    super();
    if (!options || typeof options !== 'object') throw new TypeError('PeerLink: options are required');
    if (options.role === 'sender') {
      if (!options.stream || typeof options.stream.getVideoTracks !== 'function' || options.stream.getVideoTracks().length === 0) {
        throw new TypeError('PeerLink: a sender needs options.stream, a MediaStream with a video track (CameraSource.stream)');
      }
    } else if (options.role === 'viewer') {
      if (options.stream) throw new TypeError('PeerLink: a viewer receives video; pass no stream');
    } else {
      throw new TypeError(`PeerLink: role must be 'sender' or 'viewer', got ${JSON.stringify(options.role)}`);
    }
    this.options = options;
    this.role = options.role;
    this.stream = options.stream;
    this.signaling = new SignalingClient({
      url: options.url,
      room: options.room,
      role: options.role,
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.peerId !== undefined ? { peerId: options.peerId } : {}),
      ...(options.reconnect !== undefined ? { reconnect: options.reconnect } : {}),
      ...(options.keepaliveMs !== undefined ? { keepaliveMs: options.keepaliveMs } : {}),
    });
    const s = this.signaling;
    s.on('state', (state) => {
      if (state === 'closed') this.close();
      else this.setState(state);
    });
    s.on('joined', (joined) => {
      const present = new Set(joined.peers.map((p) => p.peerId));
      for (const [peerId, entry] of this.entries) if (!present.has(peerId)) entry.absentSince ??= performance.now();
      for (const peer of joined.peers) this.present(peer);
    });
    s.on('peer-joined', (peer) => this.present(peer));
    s.on('peer-left', (peer, reason) => this.left(peer, reason));
    s.on('signal', (from, signal) => this.onSignal(from, signal));
    s.on('error', (error) => this.events.emit('error', error));
    this.sweeper = setInterval(() => this.sweep(), 1000);
    if (options.watchNetwork ?? true) {
      globalThis.addEventListener?.('online', this.onNetworkChange);
      (navigator as { connection?: EventTarget }).connection?.addEventListener?.('change', this.onNetworkChange);
    }
  }

  /** Own peer id. */
  get peerId(): string {
    return this.signaling.peerId;
  }

  /** The current state. */
  get currentState(): PeerLinkState {
    return this.state;
  }

  /** Resolves when the room is joined; rejects if the link closes first (e.g. `unauthorized`, `room-full`). */
  joined(): Promise<void> {
    return this.signaling.joined();
  }

  /** The remote members this side has a connection with. */
  peers(): PeerLinkPeer[] {
    return [...this.entries.values()].map((e) => this.describe(e.session));
  }

  /**
   * Sends detections (the core wire format, `sentAt` set) to one member or to every
   * member with an open DataChannel. A message is skipped for a member whose channel is
   * backed up: only the newest detections matter. Returns how many members it went to.
   */
  sendDetections(result: DetectionResult, to?: string): number {
    const text = encodeDetectionMessage(result, { sentAt: performance.timeOrigin + performance.now() });
    let sent = 0;
    for (const [peerId, entry] of this.entries) {
      if (to !== undefined && peerId !== to) continue;
      if (entry.session.send(text)) sent++;
    }
    return sent;
  }

  /**
   * Sender: publishes another camera (a switch to the front camera) to every viewer,
   * without renegotiating; later viewers get it too. The old stream is not stopped.
   */
  async replaceStream(stream: MediaStream): Promise<void> {
    if (this.role !== 'sender') throw new TypeError('PeerLink.replaceStream: only a sender publishes a stream');
    if (!stream || typeof stream.getVideoTracks !== 'function' || stream.getVideoTracks().length === 0) {
      throw new TypeError('PeerLink.replaceStream: pass a MediaStream with a video track');
    }
    this.stream = stream;
    await Promise.all([...this.entries.values()].map((e) => e.session.replaceStream(stream)));
  }

  /**
   * Restarts ICE with one member or all (sender only: the sender makes every offer;
   * on a viewer this does nothing).
   */
  restartIce(peerId?: string): void {
    for (const [id, entry] of this.entries) if (peerId === undefined || id === peerId) entry.session.restartIce();
  }

  private setState(state: PeerLinkState): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    this.events.emit('state', state);
  }

  private describe(session: PeerSession): PeerLinkPeer {
    return {
      ...session.remote,
      state: session.state,
      channelOpen: session.channelOpen,
      rttMs: session.clock.estimate?.rtt,
      clockOffsetMs: session.clock.estimate?.offset,
      negotiations: session.stats.negotiations,
      iceRestarts: session.stats.iceRestarts,
    };
  }

  /** A member is (again) in the room. */
  private present(peer: SignalingPeer): void {
    if (peer.role === this.role) return; // viewers connect only with the sender
    const entry = this.entries.get(peer.peerId);
    if (entry) {
      entry.absentSince = undefined;
      entry.session.resync();
    } else if (this.role === 'sender') {
      this.createSession(peer);
    }
  }

  private left(peer: SignalingPeer, reason: PeerLeaveReason): void {
    const entry = this.entries.get(peer.peerId);
    if (!entry) return;
    if (reason === 'left') this.closeSession(peer.peerId);
    else entry.absentSince ??= performance.now();
  }

  private onSignal(from: string, signal: PeerSignal): void {
    let entry = this.entries.get(from);
    if (!entry) {
      // A viewer's connection starts with the sender's offer.
      if (this.role !== 'viewer' || signal.type !== 'offer') return;
      const sender = this.signaling.peers.find((p) => p.peerId === from && p.role === 'sender');
      if (!sender) return;
      entry = this.createSession(sender);
    }
    void entry.session.handle(signal);
  }

  private createSession(remote: SignalingPeer): Entry {
    const o = this.options;
    const session = new PeerSession({
      remote,
      iceServers: o.iceServers ?? this.signaling.iceServers,
      // Signals to a member who is not in the room now would only be refused by the relay.
      signal: (signal) => this.signaling.peers.some((p) => p.peerId === remote.peerId) && this.signaling.send(remote.peerId, signal),
      ...(this.stream ? { stream: this.stream } : {}),
      ...(o.codec ? { codec: o.codec } : {}),
      ...(o.maxBitrate ? { maxBitrate: o.maxBitrate } : {}),
      ...(o.degradationPreference ? { degradationPreference: o.degradationPreference } : {}),
      ...(o.disconnectGraceMs !== undefined ? { disconnectGraceMs: o.disconnectGraceMs } : {}),
      ...(o.negotiationTimeoutMs !== undefined ? { negotiationTimeoutMs: o.negotiationTimeoutMs } : {}),
      ...(o.pingIntervalMs !== undefined ? { pingIntervalMs: o.pingIntervalMs } : {}),
    });
    const entry: Entry = { session, absentSince: undefined };
    this.entries.set(remote.peerId, entry);
    session.on('state', (state) => this.events.emit('peer', { ...this.describe(session), state }));
    session.on('track', (track, stream) => this.events.emit('track', { peerId: remote.peerId, track, stream }));
    session.on('message', (message, receivedAt) => {
      if (message.type === 'detections') {
        const transportMs = session.clock.transitMs(message.sentAt, receivedAt);
        this.events.emit('detections', { peerId: remote.peerId, message, receivedAt, transportMs });
      }
      else if (message.type === 'error') {
        this.events.emit('error', new VidaiError(ErrorCodes.MALFORMED_MESSAGE, `Peer ${remote.peerId} reported: ${message.code}: ${message.message}`));
      }
    });
    session.on('error', (error) => this.events.emit('error', error));
    return entry;
  }

  private closeSession(peerId: string): void {
    const entry = this.entries.get(peerId);
    if (!entry) return;
    this.entries.delete(peerId);
    // The session reports its 'closed' state, which is forwarded as the one 'peer' event of the close.
    entry.session.close();
  }

  /** Closes connections of members that went away and whose connection is no longer up. */
  private sweep(): void {
    const timeout = this.options.peerTimeoutMs ?? 15_000;
    const now = performance.now();
    for (const [peerId, entry] of this.entries) {
      if (entry.absentSince !== undefined && now - entry.absentSince > timeout && entry.session.state !== 'connected') this.closeSession(peerId);
    }
  }

  private networkChanged(): void {
    this.signaling.reconnectNow();
    // The old candidate pairs may be gone: look for new ones at once.
    this.restartIce();
  }

  /** Leaves the room, closes every peer connection and stops reconnecting. The stream is not stopped (it is the caller's). Safe to call twice. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearInterval(this.sweeper);
    globalThis.removeEventListener?.('online', this.onNetworkChange);
    (navigator as { connection?: EventTarget }).connection?.removeEventListener?.('change', this.onNetworkChange);
    for (const peerId of [...this.entries.keys()]) this.closeSession(peerId);
    this.signaling.close();
    this.events.emit('state', 'closed');
  }
}

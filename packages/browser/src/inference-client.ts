/**
 * The browser half of server-side inference: sends a camera track to a vidai
 * inference server over WebRTC and receives detections on an unordered,
 * no-retransmit DataChannel (only the newest result matters). Signaling by HTTP
 * `POST <url>/offer` (one round trip, candidates gathered first) or by WebSocket
 * `<url>/ws` (trickle ICE). Reconnects with backoff when the connection fails and
 * estimates the server's clock offset with ping/pong so each result's latency can be
 * split into stages.
 */
import { Evented, ErrorCodes, TimerSet, VidaiError, decodeWireMessage, type ClockOffsetEstimate, type DetectionMessage } from '@vidai/core';
import { ClockSync } from './clock-sync.js';
import { ReconnectBackoff, type ReconnectOptions } from './reconnect-backoff.js';
import { knownErrorCode } from './remote-error.js';
import { RtpFrameClock } from './rtp-frame-clock.js';
import { canTapSenderFrames, tapSenderFrames } from './sender-frame-tap.js';
import { signalingUrl } from './signaling-client.js';
import { configureSender, preferVideoCodec } from './video-sender.js';

export type { ReconnectOptions } from './reconnect-backoff.js';

/** Connection state of an {@link InferenceClient}. */
export type InferenceClientState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** A detection message with the client-side facts needed to place it in time. */
export interface ClientDetections {
  /** The message as the server sent it (its `timestamp` is the server's clock: when the frame arrived there). */
  message: DetectionMessage;
  /** Local time the message arrived (ms since the epoch, `performance.timeOrigin + performance.now()`). */
  receivedAt: number;
  /**
   * `message.timestamp` on the local clock (ms since the epoch), when the clock offset
   * is known: when the frame's last packet reached the server.
   */
  frameArrivedAt: number | undefined;
  /** Time from the server sending to the client receiving, ms, when the clock offset is known. */
  returnMs: number | undefined;
  /**
   * Capture time of the local frame the result belongs to (ms, `performance.now()`
   * clock, as `captureTime` in `requestVideoFrameCallback`), when frames are paired by
   * RTP timestamp (see {@link InferenceClient.pairing}) and the pairing is calibrated.
   */
  captureTime: number | undefined;
}

/**
 * How results are tied to local frames: `'rtp-timestamp'` (each result names its frame
 * by RTP timestamp and {@link InferenceClient.frameClock} maps it to the local capture
 * time) or `'arrival'` (the browser has no `RTCRtpScriptTransform`, or pairing is off:
 * draw results when they arrive).
 */
export type FramePairing = 'rtp-timestamp' | 'arrival';

/** Events of an {@link InferenceClient}. */
export type InferenceClientEvents = {
  /** A detection result arrived. */
  detections: [ClientDetections];
  /** The connection state changed. */
  state: [InferenceClientState];
  /** Something failed (signaling refused, connection lost, malformed message). */
  error: [VidaiError];
};

/** Options of {@link InferenceClient}. */
export interface InferenceClientOptions {
  /** Base URL of the inference server, e.g. `https://host:8443` or `/vidai` (relative to the page). Required. */
  url: string;
  /** Bearer token the server expects. Default: none. */
  token?: string;
  /** `'http'` (POST /offer, default) or `'websocket'` (trickle ICE at /ws). */
  signaling?: 'http' | 'websocket';
  /** ICE servers, or `'server'` to fetch them (e.g. TURN credentials) from `<url>/ice-servers`. Default: `[]`. */
  iceServers?: RTCIceServer[] | 'server';
  /** Preferred codec, `'vp8'` or `'h264'`. Default: the browser's choice. */
  codec?: 'vp8' | 'h264';
  /** Highest send bitrate, bit/s. Default: the browser's. */
  maxBitrate?: number;
  /** Reconnection with exponential backoff, or `false` to give up at the first failure. Default: see {@link ReconnectOptions}. */
  reconnect?: ReconnectOptions | false;
  /** Interval of clock-offset pings after the first few quick ones, ms; 0 disables them. Default: 2000. */
  pingIntervalMs?: number;
  /** Give up on one connection attempt after this long, ms. Default: 15000. */
  connectTimeoutMs?: number;
  /**
   * Pair results with the local frames they were detected on, through a pass-through
   * encoded transform on the video sender (`RTCRtpScriptTransform`, run in a blob:
   * worker) that reports each sent frame's RTP timestamp. Ignored where the browser
   * lacks it ({@link InferenceClient.pairing} says `'arrival'`). Default: true.
   */
  pairFrames?: boolean;
}

const now = (): number => performance.timeOrigin + performance.now();

/**
 * Sends a video track to a vidai inference server and receives its detections.
 *
 * @example
 * ```ts
 * const stream = await navigator.mediaDevices.getUserMedia({ video: true });
 * const client = new InferenceClient(stream, { url: 'https://server:8443', token });
 * client.on('detections', ({ message }) => overlay.draw(message));
 * client.on('state', (s) => console.log(s));
 * await client.connected();
 * // later
 * client.close();
 * ```
 */
export class InferenceClient extends Evented<InferenceClientEvents> {
  /** The server's id for the current connection. */
  peerId: string | undefined;
  /**
   * Maps sent frames' RTP timestamps to local capture times when {@link pairing} is
   * `'rtp-timestamp'`. Pass its `frameTime` to the Overlay showing the same track, so it
   * learns the preview's capture times and draws on the same clock.
   */
  readonly frameClock: RtpFrameClock | undefined;

  private readonly track: MediaStreamTrack;
  private readonly options: InferenceClientOptions;
  private state: InferenceClientState = 'connecting';
  private pc: RTCPeerConnection | undefined;
  private channel: RTCDataChannel | undefined;
  private socket: WebSocket | undefined;
  private readonly backoff: ReconnectBackoff;
  private readonly clock: ClockSync;
  private readonly timers = new TimerSet();
  private generation = 0;
  private untap: (() => void) | undefined;
  private pairingMode: FramePairing;

  /** Starts connecting at once; listen to `state` or await {@link connected}. */
  constructor(source: MediaStream | MediaStreamTrack, options: InferenceClientOptions) {
    super();
    const track = 'getVideoTracks' in source ? source.getVideoTracks()[0] : source;
    if (!track || track.kind !== 'video') throw new TypeError('InferenceClient: pass a MediaStream with a video track, or a video MediaStreamTrack');
    if (!options || typeof options.url !== 'string') throw new TypeError('InferenceClient: options.url is required');
    this.track = track;
    this.options = options;
    this.pairingMode = options.pairFrames !== false && canTapSenderFrames() ? 'rtp-timestamp' : 'arrival';
    this.frameClock = this.pairingMode === 'rtp-timestamp' ? new RtpFrameClock() : undefined;
    this.backoff = new ReconnectBackoff(options.reconnect === false ? { maxAttempts: 0 } : options.reconnect);
    this.clock = new ClockSync((text) => this.channel?.readyState === 'open' && this.channel.send(text), {
      intervalMs: options.pingIntervalMs ?? 2000,
      now,
    });
    void this.connect();
  }

  /** Best clock-offset estimate so far: add `offset` to a local time to get the server's. */
  get clockOffset(): ClockOffsetEstimate | undefined {
    return this.clock.estimate;
  }

  /**
   * How results are tied to local frames (see {@link FramePairing}): decided at
   * construction from the browser's support, and `'arrival'` for good when the
   * transform cannot be installed (e.g. a Content-Security-Policy without `worker-src blob:`).
   */
  get pairing(): FramePairing {
    return this.pairingMode;
  }

  /** The current state. */
  get currentState(): InferenceClientState {
    return this.state;
  }

  /** Resolves when connected (the DataChannel is open); rejects if the client closes first. */
  connected(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(new VidaiError(ErrorCodes.CLOSED, 'The client is closed.'));
    return new Promise((resolve, reject) => {
      const off = this.events.on('state', (s) => {
        if (s === 'connected') {
          off();
          resolve();
        } else if (s === 'closed') {
          off();
          reject(new VidaiError(ErrorCodes.CLOSED, 'The client closed before it connected.'));
        }
      });
    });
  }

  private setState(state: InferenceClientState): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    this.events.emit('state', state);
  }

  private base(): string {
    return this.options.url.replace(/\/+$/, '');
  }

  private headers(): Record<string, string> {
    return this.options.token ? { authorization: `Bearer ${this.options.token}` } : {};
  }

  private async iceServers(): Promise<RTCIceServer[]> {
    const ice = this.options.iceServers ?? [];
    if (ice !== 'server') return ice;
    const res = await fetch(`${this.base()}/ice-servers`, { headers: this.headers() });
    if (!res.ok) throw await this.refusal(res);
    return (await res.json()) as RTCIceServer[];
  }

  private async refusal(res: Response): Promise<VidaiError> {
    let body: { error?: { code?: string; message?: string } } = {};
    try {
      body = await res.json();
    } catch {
      // not JSON: keep the status only
    }
    const code = knownErrorCode(body.error?.code, ErrorCodes.STREAM_UNAVAILABLE);
    return new VidaiError(code, body.error?.message ?? `The server answered HTTP ${res.status}.`, { details: { status: res.status } });
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    const stale = () => generation !== this.generation || this.state === 'closed';
    try {
      const pc = new RTCPeerConnection({ iceServers: await this.iceServers() });
      if (stale()) {
        pc.close();
        return;
      }
      this.pc = pc;
      const channel = pc.createDataChannel('vidai', { ordered: false, maxRetransmits: 0 });
      this.channel = channel;
      channel.onopen = () => {
        if (stale()) return;
        this.backoff.reset();
        this.setState('connected');
        this.clock.start();
      };
      channel.onmessage = (event) => this.onMessage(event.data);
      channel.onclose = () => {
        if (!stale()) this.lost(new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, 'The server closed the DataChannel.'));
      };
      const transceiver = pc.addTransceiver(this.track, { direction: 'sendonly' });
      preferVideoCodec(transceiver, this.options.codec);
      const clock = this.frameClock;
      if (clock && this.pairingMode === 'rtp-timestamp') {
        clock.reset(); // a new connection has a new random RTP offset
        try {
          this.untap = tapSenderFrames(transceiver.sender, (rtp, at) => {
            if (!stale()) clock.encoded(rtp, at);
          });
        } catch {
          this.pairingMode = 'arrival';
        }
      }
      pc.onconnectionstatechange = () => {
        if (stale()) return;
        if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
          this.lost(new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, `The connection to the server ${pc.connectionState}.`));
        }
      };
      this.timers.set(() => {
        if (!stale() && this.state !== 'connected') this.lost(new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, 'Connecting to the server timed out.'));
      }, this.options.connectTimeoutMs ?? 15_000);
      if (this.options.signaling === 'websocket') await this.signalWebSocket(pc, stale);
      else await this.signalHttp(pc, stale);
      await configureSender(transceiver.sender, { maxBitrate: this.options.maxBitrate });
    } catch (error) {
      if (stale()) return;
      const e = error instanceof VidaiError ? error : new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, `Could not connect: ${String((error as Error)?.message ?? error)}`, { cause: error });
      this.lost(e);
    }
  }

  private async signalHttp(pc: RTCPeerConnection, stale: () => boolean): Promise<void> {
    await pc.setLocalDescription();
    await gatheringComplete(pc);
    if (stale()) return;
    const res = await fetch(`${this.base()}/offer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.headers() },
      body: JSON.stringify({ type: 'offer', sdp: pc.localDescription!.sdp }),
    });
    if (!res.ok) throw await this.refusal(res);
    const answer = (await res.json()) as { type: 'answer'; sdp: string; peerId?: string };
    if (stale()) return;
    this.peerId = answer.peerId;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  }

  private signalWebSocket(pc: RTCPeerConnection, stale: () => boolean): Promise<void> {
    const url = signalingUrl(`${this.base()}/ws`);
    const protocols = this.options.token ? [`bearer.${this.options.token}`] : [];
    const ws = new WebSocket(url, protocols);
    this.socket = ws;
    const early: RTCIceCandidateInit[] = [];
    return new Promise<void>((resolve, reject) => {
      pc.onicecandidate = (event) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'candidate', candidate: event.candidate?.toJSON() ?? null }));
      };
      ws.onopen = async () => {
        try {
          await pc.setLocalDescription();
          ws.send(JSON.stringify({ type: 'offer', sdp: pc.localDescription!.sdp }));
        } catch (error) {
          reject(error);
        }
      };
      ws.onmessage = async (event) => {
        if (stale()) return;
        let message: { type?: string; sdp?: string; peerId?: string; candidate?: RTCIceCandidateInit | null; code?: string; message?: string };
        try {
          message = JSON.parse(String(event.data));
        } catch {
          return;
        }
        try {
          if (message.type === 'answer' && message.sdp) {
            this.peerId = message.peerId;
            await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
            for (const c of early.splice(0)) await pc.addIceCandidate(c);
            resolve();
          } else if (message.type === 'candidate' && message.candidate) {
            // The server may send candidates before its answer arrives here.
            if (!pc.remoteDescription) early.push(message.candidate);
            else await pc.addIceCandidate(message.candidate);
          } else if (message.type === 'error') {
            reject(new VidaiError(knownErrorCode(message.code, ErrorCodes.STREAM_UNAVAILABLE), message.message ?? 'The server refused the offer.'));
          }
        } catch (error) {
          reject(error);
        }
      };
      ws.onerror = () => reject(new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, 'The signaling WebSocket failed (refused, unauthorized or unreachable).'));
      ws.onclose = () => {
        reject(new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, 'The signaling WebSocket closed.'));
        if (!stale() && this.state === 'connected') this.lost(new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, 'The server ended the session.'));
      };
    });
  }

  private onMessage(data: unknown): void {
    const receivedAt = now();
    let message;
    try {
      message = decodeWireMessage(data as string | ArrayBuffer);
    } catch (error) {
      this.events.emit('error', error as VidaiError);
      return;
    }
    if (message.type === 'detections') {
      const o = this.clock.estimate?.offset;
      const rtp = message.rtpTimestamp;
      this.events.emit('detections', {
        message,
        receivedAt,
        frameArrivedAt: o === undefined ? undefined : message.timestamp - o,
        returnMs: this.clock.transitMs(message.sentAt, receivedAt),
        captureTime: rtp === undefined || this.pairingMode !== 'rtp-timestamp' ? undefined : this.frameClock?.captureTime(rtp),
      });
    } else if (message.type === 'pong') {
      this.clock.onPong(message, receivedAt);
    } else if (message.type === 'error') {
      this.events.emit('error', new VidaiError(ErrorCodes.MALFORMED_MESSAGE, `The server reported: ${message.code}: ${message.message}`));
    }
  }

  private lost(error: VidaiError): void {
    if (this.state === 'closed') return;
    this.events.emit('error', error);
    this.teardown();
    const noRetry = [ErrorCodes.UNAUTHORIZED, ErrorCodes.FORBIDDEN_ORIGIN, ErrorCodes.OFFER_INVALID, ErrorCodes.PAYLOAD_TOO_LARGE, ErrorCodes.UNSUPPORTED_FORMAT] as string[];
    const delay = noRetry.includes(error.code) ? undefined : this.backoff.next();
    if (delay === undefined) {
      this.close();
      return;
    }
    this.setState('reconnecting');
    this.timers.set(() => void this.connect(), delay);
  }

  private teardown(): void {
    this.generation++;
    this.timers.clear();
    this.clock.stop();
    this.untap?.();
    this.untap = undefined;
    if (this.channel) {
      this.channel.onopen = this.channel.onmessage = this.channel.onclose = null;
      this.channel.close();
    }
    this.channel = undefined;
    if (this.socket) {
      this.socket.onclose = this.socket.onmessage = this.socket.onerror = this.socket.onopen = null;
      this.socket.close();
    }
    this.socket = undefined;
    if (this.pc) {
      this.pc.onconnectionstatechange = this.pc.onicecandidate = null;
      this.pc.close();
    }
    this.pc = undefined;
  }

  /** Closes the connection and stops reconnecting. The track is not stopped (it is the caller's). Safe to call twice. */
  close(): void {
    if (this.state === 'closed') return;
    this.teardown();
    this.state = 'closed';
    this.events.emit('state', 'closed');
  }
}

function gatheringComplete(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (pc.iceGatheringState === 'complete') {
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      }
    };
    pc.addEventListener('icegatheringstatechange', check);
  });
}

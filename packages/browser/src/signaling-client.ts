/**
 * The browser's connection to a vidai `SignalingServer`: joins one room with a role,
 * sends and receives offers, answers and ICE candidates addressed by peer id, and
 * stays joined: when the WebSocket drops or goes silent (keepalive pings) it
 * reconnects with backoff and rejoins with the same peer id, so the relay and the
 * other members see the same peer come back.
 */
import {
  Evented,
  ErrorCodes,
  SIGNALING_PROTOCOL_VERSION,
  VidaiError,
  isSignalingId,
  parseSignalingServerMessage,
  type JoinedMessage,
  type PeerLeaveReason,
  type PeerRole,
  type SignalingCandidate,
  type SignalingPeer,
  type SignalingServerMessage,
} from '@vidai/core';
import { ReconnectBackoff, type ReconnectOptions } from './reconnect-backoff.js';
import { knownErrorCode } from './remote-error.js';

/** Connection state of a {@link SignalingClient}. */
export type SignalingClientState = 'connecting' | 'joined' | 'reconnecting' | 'closed';

/** What one peer sends another through the relay. */
export type PeerSignal = { type: 'offer' | 'answer'; sdp: string } | { type: 'candidate'; candidate: SignalingCandidate | null };

/** Options of {@link SignalingClient}. */
export interface SignalingClientOptions {
  /**
   * The signaling endpoint: `wss://host/signal`, or an `https:`/`http:` URL or a path
   * (`/signal`) resolved against the page and switched to `wss:`/`ws:`. Required.
   */
  url: string | URL;
  /** Room id (1-64 of `A-Z a-z 0-9 _ -`). Required. */
  room: string;
  /** Role in the room. Required. */
  role: PeerRole;
  /** The room token. Default: none (for relays that authorize otherwise). */
  token?: string;
  /** Own peer id, kept across reconnections. Default: a random UUID. */
  peerId?: string;
  /** Reconnection policy, or `false` to close at the first loss. Default: see {@link ReconnectOptions}. */
  reconnect?: ReconnectOptions | false;
  /**
   * Keepalive interval, ms: a `ping` is sent this often and the connection is
   * considered lost (and reopened) when nothing arrives for two intervals. 0 disables.
   * Default: 10000.
   */
  keepaliveMs?: number;
  /** Give up on one connection attempt (open and join) after this long, ms. Default: 10000. */
  connectTimeoutMs?: number;
}

/** Events of a {@link SignalingClient}. */
export type SignalingClientEvents = {
  /** The connection state changed. */
  state: [SignalingClientState];
  /** The room was joined (again, after a reconnection): the members present. */
  joined: [JoinedMessage];
  /** A member joined (or rejoined after a lost connection). */
  'peer-joined': [SignalingPeer];
  /** A member left. */
  'peer-left': [SignalingPeer, PeerLeaveReason];
  /** A member sent a signal. */
  signal: [from: string, signal: PeerSignal];
  /** Something failed: the relay refused a message or the join, or the connection was lost. */
  error: [VidaiError];
};

/** Codes after which reconnecting cannot help: the client closes. */
const FATAL: readonly string[] = [ErrorCodes.UNAUTHORIZED, ErrorCodes.ROOM_FULL, ErrorCodes.FORBIDDEN_ORIGIN];

/** Resolves a signaling URL against the page and makes it a WebSocket URL. */
export function signalingUrl(url: string | URL): URL {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const u = new URL(url, base);
  if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol !== 'wss:' && u.protocol !== 'ws:') throw new TypeError(`signaling url must be ws:, wss:, http: or https:, got ${u.protocol}`);
  return u;
}

/**
 * A member of one room of a signaling relay.
 *
 * @example
 * ```ts
 * const signaling = new SignalingClient({ url: '/signal', room, token, role: 'viewer' });
 * signaling.on('signal', (from, signal) => handle(from, signal));
 * signaling.send(senderId, { type: 'answer', sdp });
 * ```
 */
export class SignalingClient extends Evented<SignalingClientEvents> {
  /** Own peer id. */
  readonly peerId: string;
  /** The ICE servers the relay handed out at the last join. */
  iceServers: RTCIceServer[] = [];

  private readonly options: SignalingClientOptions;
  private readonly url: URL;
  private readonly backoff: ReconnectBackoff;
  private readonly present = new Map<string, SignalingPeer>();
  private state: SignalingClientState = 'connecting';
  private socket: WebSocket | undefined;
  private lastError: VidaiError | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;

  /** Connects at once; listen to `state` or await {@link joined}. */
  constructor(options: SignalingClientOptions) {
    super();
    if (!options || (typeof options.url !== 'string' && !(options.url instanceof URL))) throw new TypeError('SignalingClient: options.url is required');
    if (!isSignalingId(options.room)) throw new TypeError(`SignalingClient: room must be 1-64 of A-Z a-z 0-9 _ -, got ${JSON.stringify(options.room)}`);
    if (options.role !== 'sender' && options.role !== 'viewer') throw new TypeError(`SignalingClient: role must be 'sender' or 'viewer', got ${JSON.stringify(options.role)}`);
    const peerId = options.peerId ?? crypto.randomUUID();
    if (!isSignalingId(peerId)) throw new TypeError(`SignalingClient: peerId must be 1-64 of A-Z a-z 0-9 _ -, got ${JSON.stringify(peerId)}`);
    this.options = options;
    this.peerId = peerId;
    this.url = signalingUrl(options.url);
    this.backoff = new ReconnectBackoff(options.reconnect === false ? { maxAttempts: 0 } : options.reconnect);
    this.connect();
  }

  /** The current state. */
  get currentState(): SignalingClientState {
    return this.state;
  }

  /** The other members of the room as last reported by the relay. */
  get peers(): SignalingPeer[] {
    return [...this.present.values()];
  }

  /** Resolves when the room is joined; rejects if the client closes first. */
  joined(): Promise<void> {
    if (this.state === 'joined') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(this.lastError ?? new VidaiError(ErrorCodes.CLOSED, 'The signaling client is closed.'));
    return new Promise((resolve, reject) => {
      const off = this.events.on('state', (s) => {
        if (s === 'joined') {
          off();
          resolve();
        } else if (s === 'closed') {
          off();
          reject(this.lastError ?? new VidaiError(ErrorCodes.CLOSED, 'The signaling client closed before it joined.'));
        }
      });
    });
  }

  /**
   * Sends a signal to a member of the room. Returns false when not joined right now
   * (the signal is dropped: after a rejoin the caller renegotiates).
   */
  send(to: string, signal: PeerSignal): boolean {
    if (this.state !== 'joined') return false;
    return this.write({ ...signal, to });
  }

  /** Reconnects now when not joined (for example when the network came back), skipping the backoff wait. */
  reconnectNow(): void {
    if (this.state !== 'reconnecting') return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.connect();
  }

  private write(message: object): boolean {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  private setState(state: SignalingClientState): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    this.events.emit('state', state);
  }

  private connect(): void {
    this.dropSocket();
    const ws = new WebSocket(this.url);
    this.socket = ws;
    this.lastHeard = performance.now();
    this.connectTimer = setTimeout(() => this.lost(new VidaiError(ErrorCodes.SIGNALING_UNAVAILABLE, 'Joining the room timed out.')), this.options.connectTimeoutMs ?? 10_000);
    ws.onopen = () => {
      this.write({
        type: 'join',
        v: SIGNALING_PROTOCOL_VERSION,
        room: this.options.room,
        role: this.options.role,
        peerId: this.peerId,
        ...(this.options.token !== undefined ? { token: this.options.token } : {}),
      });
    };
    ws.onmessage = (event) => this.onMessage(event.data);
    ws.onerror = () => {
      // A close event follows with the details there are.
    };
    ws.onclose = (event) => {
      const refused = this.lastError && FATAL.includes(this.lastError.code) ? this.lastError : undefined;
      this.lost(refused ?? new VidaiError(ErrorCodes.SIGNALING_UNAVAILABLE, `The signaling connection closed (${event.code}${event.reason ? ` ${event.reason}` : ''}).`, { details: { closeCode: event.code } }));
    };
  }

  private onMessage(data: unknown): void {
    this.lastHeard = performance.now();
    let message: SignalingServerMessage;
    try {
      message = parseSignalingServerMessage(data);
    } catch (error) {
      this.events.emit('error', error as VidaiError);
      return;
    }
    switch (message.type) {
      case 'joined':
        if (this.connectTimer) clearTimeout(this.connectTimer);
        this.connectTimer = undefined;
        this.backoff.reset();
        this.lastError = undefined;
        this.iceServers = message.iceServers as RTCIceServer[];
        this.present.clear();
        for (const p of message.peers) this.present.set(p.peerId, p);
        this.startKeepalive();
        this.setState('joined');
        this.events.emit('joined', message);
        break;
      case 'peer-joined':
        this.present.set(message.peer.peerId, message.peer);
        this.events.emit('peer-joined', message.peer);
        break;
      case 'peer-left':
        this.present.delete(message.peer.peerId);
        this.events.emit('peer-left', message.peer, message.reason);
        break;
      case 'offer':
      case 'answer':
        this.events.emit('signal', message.from, { type: message.type, sdp: message.sdp });
        break;
      case 'candidate':
        this.events.emit('signal', message.from, { type: 'candidate', candidate: message.candidate });
        break;
      case 'error': {
        const error = new VidaiError(knownErrorCode(message.code, ErrorCodes.SIGNALING_INVALID), `The signaling server reported: ${message.message}`, {
          details: { code: message.code },
        });
        this.lastError = error;
        this.events.emit('error', error);
        break;
      }
      case 'pong':
        break;
    }
  }

  private startKeepalive(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    const interval = this.options.keepaliveMs ?? 10_000;
    if (interval <= 0) return;
    this.keepalive = setInterval(() => {
      if (performance.now() - this.lastHeard > 2 * interval) {
        this.lost(new VidaiError(ErrorCodes.SIGNALING_UNAVAILABLE, `Nothing heard from the signaling server for ${2 * interval} ms.`));
        return;
      }
      this.write({ type: 'ping' });
    }, interval);
  }

  private lost(error: VidaiError): void {
    if (this.state === 'closed') return;
    this.dropSocket();
    this.events.emit('error', error);
    const delay = FATAL.includes(error.code) ? undefined : this.backoff.next();
    if (delay === undefined) {
      this.lastError = error;
      this.close();
      return;
    }
    this.setState('reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delay);
  }

  private dropSocket(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = undefined;
    const ws = this.socket;
    this.socket = undefined;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
  }

  /** Leaves the room (the others hear `left`), closes the connection and stops reconnecting. Safe to call twice. */
  close(): void {
    if (this.state === 'closed') return;
    if (this.state === 'joined') this.write({ type: 'leave' });
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.dropSocket();
    this.present.clear();
    this.state = 'closed';
    this.events.emit('state', 'closed');
  }
}

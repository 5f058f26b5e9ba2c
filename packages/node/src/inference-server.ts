/**
 * The server-side inference endpoint: browsers send their camera over WebRTC, the
 * server detects objects and answers on a DataChannel. Signaling by HTTP
 * `POST <path>/offer` (non-trickle, one round trip) or by WebSocket at `<path>/ws`
 * (trickle ICE). Runs on its own port or on an existing `http.Server` (node:http,
 * Express, Fastify's `server`), and enforces its limits before any peer is created.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RTCIceServer } from 'werift';
import { Evented, ErrorCodes, VidaiError, type ErrorCode } from '@vidai/core';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
import { REFUSAL_STATUS, bearerToken as bearer, checkOrigin, checkRate, clientAddress, originAllowed, refuseUpgrade, sameSecret, urlPath } from './request-guards.js';
import {
  InferencePeer,
  type IceCandidateInit,
  type InferencePeerOptions,
  type PeerCloseReason,
  type PeerStats,
  type SessionDescription,
} from './webrtc-peer.js';
import { closeServer, listenOn } from './http-listen.js';

/** Decides whether a signaling request may proceed (return false for 401). */
export type AuthorizeHook = (request: IncomingMessage, token: string | undefined) => boolean | Promise<boolean>;

/** Options of {@link InferenceServer}. */
export interface InferenceServerOptions extends InferencePeerOptions {
  /** URL path prefix of the endpoints (`<path>/offer`, `<path>/ws`, `<path>/ice-servers`). Default: `''`. */
  path?: string;
  /**
   * Who may connect. A string: the bearer token clients must send (`Authorization:
   * Bearer <token>` on HTTP; `?token=` or the `Sec-WebSocket-Protocol` value
   * `bearer.<token>` on WebSocket). A function: your own check, given the request and
   * the token it carried. `false`: anyone (only on a trusted network).
   * Default: a random token generated at start, readable as {@link InferenceServer.token}.
   */
  auth?: string | AuthorizeHook | false;
  /**
   * Origins (`https://app.example.com`) allowed to signal, or `'*'` for any. Requests
   * without an `Origin` header (non-browser clients) are allowed; the auth check still
   * applies. Default: same origin only (the `Origin` host equals the `Host` header).
   */
  allowedOrigins?: string[] | '*';
  /** Largest SDP accepted, in bytes. Default: 65536 (64 KiB). */
  maxSdpBytes?: number;
  /** Largest request body (HTTP) or WebSocket message, in bytes. Default: 131072 (128 KiB). */
  maxBodyBytes?: number;
  /** Most peers served at once; further offers get 503. Default: 8. */
  maxPeers?: number;
  /** Offer rate limit per client address. Default: 20 per minute, burst 5. */
  rateLimit?: RateLimiterOptions | false;
  /** Use the first `X-Forwarded-For` address as the client address (behind a reverse proxy). Default: false. */
  trustProxy?: boolean;
  /**
   * ICE servers handed to clients at `GET <path>/ice-servers` (for example fresh TURN
   * credentials from `createTurnCredentials`). Default: none (the endpoint answers `[]`).
   */
  clientIceServers?: () => RTCIceServer[] | Promise<RTCIceServer[]>;
  /** Called with every peer the server creates, before its answer is sent. Default: none. */
  onPeer?: (peer: InferencePeer) => void;
}

/** Options of {@link InferenceServer.listen}. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. Default: 0. */
  port?: number;
  /** Address to bind. Default: `'127.0.0.1'`. */
  host?: string;
}

/** Events of an {@link InferenceServer}. */
export type InferenceServerEvents = {
  /** A peer was created for an offer. */
  peer: [InferencePeer];
  /** A peer closed. */
  'peer-closed': [InferencePeer, PeerCloseReason];
  /** A signaling request was refused or failed (with the HTTP status sent). */
  rejected: [VidaiError, number];
};

/** The JSON body of an error response. */
export interface SignalingErrorBody {
  /** The error's code and message. */
  error: { code: ErrorCode; message: string };
}

/**
 * Serves server-side inference to browsers over WebRTC. Every peer's frames go to
 * `detector`: a {@link WorkerDetector} keeps inference off the main thread (which
 * receives, decodes and answers for all peers) and runs several peers' frames at once.
 *
 * @example
 * ```ts
 * const detector = await WorkerDetector.create({ model: 'yolox-nano', workers: 2 });
 * const server = new InferenceServer({ detector, auth: process.env.VIDAI_TOKEN });
 * const { url } = await server.listen({ port: 8080 });
 * // or: server.attach(existingHttpServer)
 * ```
 */
export class InferenceServer extends Evented<InferenceServerEvents> {
  /** The bearer token clients must send (when `auth` is a token or left out). */
  readonly token: string | undefined;

  private readonly options: InferenceServerOptions;
  private readonly path: string;
  private readonly peers = new Set<InferencePeer>();
  private readonly limiter: RateLimiter | undefined;
  private readonly wss: WebSocketServer;
  private readonly attached: Array<{ server: Server; off: () => void }> = [];
  private owned: Server | undefined;
  private reserved = 0;
  private closing: Promise<void> | undefined;

  constructor(options: InferenceServerOptions) {
    super();
    if (!options || typeof options.detector?.detect !== 'function') {
      throw new TypeError('InferenceServer: options.detector must be a Detector');
    }
    this.options = options;
    this.path = (options.path ?? '').replace(/\/+$/, '');
    if (this.path && !this.path.startsWith('/')) throw new TypeError(`InferenceServer: path must start with '/', got '${options.path}'`);
    this.token = options.auth === undefined ? randomBytes(18).toString('base64url') : typeof options.auth === 'string' ? options.auth : undefined;
    if (options.auth === '') throw new TypeError('InferenceServer: auth token must not be empty');
    this.limiter = options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit ?? {});
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.maxBodyBytes });
  }

  private get maxBodyBytes(): number {
    return this.options.maxBodyBytes ?? 128 * 1024;
  }

  private get maxSdpBytes(): number {
    return this.options.maxSdpBytes ?? 64 * 1024;
  }

  private get maxPeers(): number {
    return this.options.maxPeers ?? 8;
  }

  /** Number of open peers. */
  get peerCount(): number {
    return this.peers.size;
  }

  /** Stats of every open peer. */
  stats(): PeerStats[] {
    return [...this.peers].map((p) => p.stats());
  }

  /** Starts a server of its own. Resolves with its address and base URL. */
  async listen(options: ListenOptions = {}): Promise<{ port: number; host: string; url: string }> {
    if (this.owned) throw new TypeError('InferenceServer.listen: already listening');
    const server = createServer((req, res) => {
      if (!this.handle(req, res)) sendJson(res, 404, { error: { code: ErrorCodes.OFFER_INVALID, message: `No endpoint at ${req.url}` } });
    });
    this.owned = server;
    this.attach(server);
    const { port, host, authority } = await listenOn(server, options);
    return { port, host, url: `http://${authority}${this.path}` };
  }

  /**
   * Serves the endpoints on an existing server: its WebSocket upgrades at `<path>/ws`
   * are taken over. For HTTP, call {@link handle} from your request handler (it returns
   * false for URLs that are not ours, e.g. `app.use((req, res, next) => server.handle(req, res) || next())`),
   * or pass `routeRequests: true` when the server has no request handler of its own.
   */
  attach(server: Server, options: { routeRequests?: boolean } = {}): void {
    const routeRequests = options.routeRequests ?? false;
    const onUpgrade = (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      if (urlPath(req) !== `${this.path}/ws`) return;
      void this.upgrade(req, socket, head);
    };
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res);
    };
    server.on('upgrade', onUpgrade);
    if (routeRequests) server.on('request', onRequest);
    this.attached.push({
      server,
      off: () => {
        server.off('upgrade', onUpgrade);
        server.off('request', onRequest);
      },
    });
  }

  /**
   * Handles a request when its URL is one of the server's endpoints; returns false
   * otherwise (so frameworks can fall through).
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = urlPath(req);
    if (path === `${this.path}/offer`) {
      void this.handleOffer(req, res);
      return true;
    }
    if (path === `${this.path}/ice-servers`) {
      void this.handleIceServers(req, res);
      return true;
    }
    return false;
  }

  // -------------------------------------------------------------------------
  // Guards

  /** Origin, then auth. Throws a VidaiError with the code of the refusal. */
  private async checkAccess(req: IncomingMessage, token: string | undefined): Promise<void> {
    checkOrigin(req, this.options.allowedOrigins);
    const auth = this.options.auth;
    if (auth === false) return;
    if (typeof auth === 'function') {
      let ok = false;
      try {
        ok = await auth(req, token);
      } catch {
        ok = false;
      }
      if (!ok) throw new VidaiError(ErrorCodes.UNAUTHORIZED, 'The request was not authorized.');
      return;
    }
    if (!token || !sameSecret(token, this.token!)) {
      throw new VidaiError(ErrorCodes.UNAUTHORIZED, 'Missing or wrong bearer token; send "Authorization: Bearer <token>".');
    }
  }

  /** Reserves a peer slot; the caller releases it when the peer exists or failed. */
  private reserve(): () => void {
    if (this.closing) throw new VidaiError(ErrorCodes.TOO_MANY_PEERS, 'The server is shutting down.');
    if (this.peers.size + this.reserved >= this.maxPeers) {
      throw new VidaiError(ErrorCodes.TOO_MANY_PEERS, `The server serves its maximum of ${this.maxPeers} peers; retry later.`, {
        details: { maxPeers: this.maxPeers },
      });
    }
    this.reserved++;
    let released = false;
    return () => {
      if (!released) this.reserved--;
      released = true;
    };
  }

  private parseOffer(value: unknown): SessionDescription {
    const v = value as { type?: unknown; sdp?: unknown } | null;
    if (typeof v !== 'object' || v === null || v.type !== 'offer' || typeof v.sdp !== 'string') {
      throw new VidaiError(ErrorCodes.OFFER_INVALID, 'The body must be JSON {"type":"offer","sdp":"..."} (RTCPeerConnection.localDescription).');
    }
    if (Buffer.byteLength(v.sdp) > this.maxSdpBytes) {
      throw new VidaiError(ErrorCodes.PAYLOAD_TOO_LARGE, `The SDP exceeds ${this.maxSdpBytes} bytes.`, { details: { maxSdpBytes: this.maxSdpBytes } });
    }
    if (!v.sdp.startsWith('v=0') || !/^m=/m.test(v.sdp) || !/^a=fingerprint:/m.test(v.sdp) || !/^a=ice-ufrag:/m.test(v.sdp)) {
      throw new VidaiError(ErrorCodes.OFFER_INVALID, 'The SDP is not a WebRTC offer (needs v=0, m= sections, ICE credentials and a DTLS fingerprint).');
    }
    for (const line of v.sdp.split(/\r?\n/)) {
      if (line.startsWith('a=fingerprint:') && !/^a=fingerprint:sha-(1|224|256|384|512) [0-9A-F]{2}(:[0-9A-F]{2}){15,63}$/i.test(line)) {
        throw new VidaiError(ErrorCodes.OFFER_INVALID, `The SDP has a malformed DTLS fingerprint: ${line.slice(0, 120)}`);
      }
      if (line.startsWith('m=')) {
        const m = /^m=(\w+) \d+ (\S+)((?: \S+)+)$/.exec(line);
        const rtp = m?.[2]?.includes('RTP');
        if (!m || (rtp && m[3]!.trim().split(' ').some((pt) => !/^\d{1,3}$/.test(pt) || Number(pt) > 127))) {
          throw new VidaiError(ErrorCodes.OFFER_INVALID, `The SDP has a malformed media line: ${line.slice(0, 120)}`);
        }
      }
    }
    return { type: 'offer', sdp: v.sdp };
  }

  private createPeer(offer: SessionDescription, trickle?: { onCandidate: (c: IceCandidateInit | null) => void }): Promise<InferencePeer> {
    const release = this.reserve();
    const { onPeer: _onPeer, ...peerOptions } = this.options;
    return InferencePeer.fromOffer(offer, peerOptions, trickle)
      .then((peer) => {
        release();
        if (this.closing) {
          void peer.close('server-shutdown');
          throw new VidaiError(ErrorCodes.TOO_MANY_PEERS, 'The server is shutting down.');
        }
        this.peers.add(peer);
        peer.on('close', (reason) => {
          this.peers.delete(peer);
          this.events.emit('peer-closed', peer, reason);
        });
        this.options.onPeer?.(peer);
        this.events.emit('peer', peer);
        return peer;
      })
      .finally(release);
  }

  // -------------------------------------------------------------------------
  // HTTP

  private async handleOffer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method === 'OPTIONS') return this.preflight(req, res);
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST, OPTIONS');
        throw Object.assign(new VidaiError(ErrorCodes.OFFER_INVALID, 'Use POST to send an offer.'), { status: 405 });
      }
      this.corsHeaders(req, res);
      await this.checkAccess(req, bearer(req.headers.authorization));
      checkRate(this.limiter, clientAddress(req, this.options.trustProxy), 'offers');
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > this.maxBodyBytes) {
        throw new VidaiError(ErrorCodes.PAYLOAD_TOO_LARGE, `The body exceeds ${this.maxBodyBytes} bytes.`, { details: { maxBodyBytes: this.maxBodyBytes } });
      }
      const body = await readBody(req, this.maxBodyBytes);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        throw new VidaiError(ErrorCodes.OFFER_INVALID, 'The body is not JSON; send {"type":"offer","sdp":"..."}.');
      }
      const offer = this.parseOffer(json);
      const peer = await this.createPeer(offer);
      sendJson(res, 200, { ...peer.answer, peerId: peer.id });
    } catch (error) {
      this.refuse(res, error);
    }
  }

  private async handleIceServers(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method === 'OPTIONS') return this.preflight(req, res);
      this.corsHeaders(req, res);
      await this.checkAccess(req, bearer(req.headers.authorization));
      sendJson(res, 200, (await this.options.clientIceServers?.()) ?? []);
    } catch (error) {
      this.refuse(res, error);
    }
  }

  private preflight(req: IncomingMessage, res: ServerResponse): void {
    checkOrigin(req, this.options.allowedOrigins); // the caller refuses what it throws
    this.corsHeaders(req, res);
    res.setHeader('access-control-allow-methods', 'POST, GET, OPTIONS');
    res.setHeader('access-control-allow-headers', 'authorization, content-type');
    res.setHeader('access-control-max-age', '600');
    res.writeHead(204).end();
  }

  private corsHeaders(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin !== undefined && originAllowed(origin, req.headers.host, this.options.allowedOrigins)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
    }
  }

  private refuse(res: ServerResponse, error: unknown): void {
    const vidai =
      error instanceof VidaiError ? error : new VidaiError(ErrorCodes.OFFER_INVALID, `The offer could not be handled: ${String((error as Error)?.message ?? error)}`);
    const status = (error as { status?: number }).status ?? REFUSAL_STATUS[vidai.code] ?? 500;
    if (vidai.code === ErrorCodes.RATE_LIMITED) res.setHeader('retry-after', String(vidai.details?.retryAfterSeconds ?? 60));
    if (vidai.code === ErrorCodes.TOO_MANY_PEERS) res.setHeader('retry-after', '10');
    this.events.emit('rejected', vidai, status);
    if (!res.headersSent) sendJson(res, status, { error: { code: vidai.code, message: vidai.message } } satisfies SignalingErrorBody);
    // A client still sending an oversized body gets the answer, then the connection ends.
    if (status === 413) res.once('finish', () => res.socket?.destroy());
  }

  // -------------------------------------------------------------------------
  // WebSocket (trickle ICE)

  private async upgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const token = url.searchParams.get('token') ?? protocols.find((p) => p.startsWith('bearer.'))?.slice(7) ?? bearer(req.headers.authorization);
    try {
      await this.checkAccess(req, token);
      checkRate(this.limiter, clientAddress(req, this.options.trustProxy), 'offers');
      if (this.closing) throw new VidaiError(ErrorCodes.TOO_MANY_PEERS, 'The server is shutting down.');
    } catch (error) {
      const e = error as VidaiError;
      this.events.emit('rejected', e, refuseUpgrade(socket, e));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
  }

  private onSocket(ws: WebSocket): void {
    let peer: InferencePeer | undefined;
    let negotiating = false;
    const early: IceCandidateInit[] = [];
    const send = (message: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const fail = (error: unknown, fatal: boolean) => {
      const e = error instanceof VidaiError ? error : new VidaiError(ErrorCodes.OFFER_INVALID, String((error as Error)?.message ?? error));
      this.events.emit('rejected', e, REFUSAL_STATUS[e.code] ?? 400);
      send({ type: 'error', code: e.code, message: e.message });
      if (fatal) ws.close(1008, e.code);
    };
    ws.on('message', async (data, isBinary) => {
      let message: { type?: unknown; sdp?: unknown; candidate?: unknown };
      try {
        if (isBinary) throw new Error('binary');
        message = JSON.parse(String(data));
        if (typeof message !== 'object' || message === null) throw new Error('not an object');
      } catch {
        fail(new VidaiError(ErrorCodes.OFFER_INVALID, 'Signaling messages are JSON objects: {"type":"offer"|"candidate", ...}.'), true);
        return;
      }
      if (message.type === 'offer') {
        if (peer || negotiating) return fail(new VidaiError(ErrorCodes.OFFER_INVALID, 'One offer per WebSocket; open a new one to reconnect.'), true);
        negotiating = true;
        try {
          const offer = this.parseOffer(message);
          peer = await this.createPeer(offer, { onCandidate: (candidate) => send({ type: 'candidate', candidate }) });
          send({ ...peer.answer, peerId: peer.id });
          peer.on('close', (reason) => ws.close(1000, reason));
          for (const c of early.splice(0)) await peer.addIceCandidate(c).catch((e) => fail(e, false));
        } catch (error) {
          fail(error, true);
        }
      } else if (message.type === 'candidate') {
        const c = message.candidate as IceCandidateInit | null;
        if (c !== null && (typeof c !== 'object' || (c.candidate !== undefined && typeof c.candidate !== 'string'))) {
          return fail(new VidaiError(ErrorCodes.OFFER_INVALID, 'A candidate message carries {"candidate": RTCIceCandidateInit | null}.'), false);
        }
        if (!peer) {
          if (c && early.length < 64) early.push(c);
          return;
        }
        await peer.addIceCandidate(c).catch((e) => fail(e, false));
      } else {
        fail(new VidaiError(ErrorCodes.OFFER_INVALID, `Unknown signaling message type ${JSON.stringify(message.type)?.slice(0, 40)}.`), false);
      }
    });
    ws.on('close', () => {
      void peer?.close('closed');
    });
    ws.on('error', () => ws.terminate());
  }

  // -------------------------------------------------------------------------

  /** Closes every peer and WebSocket, detaches from servers and stops the own server. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const { off } of this.attached.splice(0)) off();
      for (const ws of this.wss.clients) ws.terminate();
      await Promise.all([...this.peers].map((p) => p.close('server-shutdown')));
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      this.limiter?.clear();
      if (this.owned) await closeServer(this.owned);
      this.events.clear();
    })();
    return this.closing;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new VidaiError(ErrorCodes.PAYLOAD_TOO_LARGE, `The body exceeds ${limit} bytes.`, { details: { maxBodyBytes: limit } }));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * The relay of peer-to-peer sessions: a phone (sender) and desktop browsers (viewers)
 * join a room over WebSocket with a token, and the relay forwards their offers,
 * answers and ICE candidates to one member of the same room. Video never passes
 * through it, and it reads an SDP only for its type and size. Every limit has a safe
 * default: message size, messages per second per client (a flood disconnects),
 * members per room, rooms and connections per server, an idle timeout with ping/pong.
 * A message that breaks a rule is answered with an `error` message and dropped; it
 * never reaches another client.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  DEFAULT_MAX_SIGNALING_BYTES,
  Evented,
  ErrorCodes,
  VidaiError,
  parseSignalingClientMessage,
  type JoinMessage,
  type PeerLeaveReason,
  type PeerRole,
  type SignalingClientMessage,
  type SignalingIceServer,
  type SignalingPeer,
  type SignalingServerMessage,
} from '@vidai/core';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
import { checkOrigin, checkRate, clientAddress, refuseUpgrade, sameSecret, urlPath, type AllowedOrigins } from './request-guards.js';
import { closeServer, listenOn } from './http-listen.js';

/** What a join asks for, handed to an {@link SignalingAuthorizeHook}. */
export interface SignalingJoinRequest {
  /** The room id. */
  room: string;
  /** The role asked for. */
  role: PeerRole;
  /** The client's peer id. */
  peerId: string;
  /** The token the client sent, if any. */
  token: string | undefined;
  /** The HTTP upgrade request of the connection (headers, cookies, address). */
  request: IncomingMessage;
}

/** Decides whether a join may proceed (false or a throw: `unauthorized`). */
export type SignalingAuthorizeHook = (join: SignalingJoinRequest) => boolean | Promise<boolean>;

/** Options of {@link SignalingServer}. */
export interface SignalingServerOptions {
  /** URL path of the WebSocket endpoint. Default `'/signal'`. */
  path?: string;
  /**
   * Key of the room tokens: a room's token is HMAC-SHA256(secret, room) (see
   * {@link SignalingServer.roomToken}), so tokens need no storage and stay valid across
   * restarts when the secret does. At least 16 bytes. Default: 32 random bytes per
   * server instance.
   */
  secret?: string | Uint8Array;
  /**
   * Who may join: your own check instead of room tokens (a session cookie, a database
   * of rooms), or `false` to let anyone join any room (a trusted network only).
   * Default: the client must send {@link SignalingServer.roomToken} for the room.
   */
  authorize?: SignalingAuthorizeHook | false;
  /**
   * Origins (`https://app.example.com`) allowed to connect, or `'*'`. Connections
   * without an `Origin` header (non-browser clients) pass; the token still applies.
   * Default: same origin only (the `Origin` host equals the `Host` header).
   */
  allowedOrigins?: string[] | '*';
  /** Use the first `X-Forwarded-For` address as the client address (behind a reverse proxy). Default: false. */
  trustProxy?: boolean;
  /**
   * Largest message, in bytes: a larger one is answered with `payload-too-large` and
   * dropped. A WebSocket message above 4 times this is not buffered at all: the
   * connection is closed with 1009. Default: 65536 (an SDP offer is 3-10 KiB).
   */
  maxMessageBytes?: number;
  /**
   * Messages per client: a token bucket refilled at `perMinute`, `burst` deep (trickle
   * ICE sends a burst of candidates per negotiation). A message over the limit is
   * answered with `rate-limited` and dropped. Default: 1200 per minute (20/s), burst 60.
   */
  messageRate?: RateLimiterOptions | false;
  /** Messages dropped for the rate limit before the client is disconnected (close 4429). Default: 20. */
  floodLimit?: number;
  /**
   * Malformed messages (and messages to a peer of the same role) before the client is
   * disconnected (close 4400); messages to a peer that is not in the room do not count.
   * Default: 20.
   */
  maxBadMessages?: number;
  /** New connections per client address: refused with HTTP 429 above it. Default: 60 per minute, burst 20. */
  connectionRate?: RateLimiterOptions | false;
  /**
   * Viewers per room (besides the one sender). Each viewer is one more peer connection
   * on the sender, and without a media server that means one more encoding and upload
   * of the camera from the phone (about 1.5-2.5 Mbit/s each at 640x480-720p): beyond a
   * few, a phone's uplink, CPU and battery give out. Default: 4.
   */
  maxViewers?: number;
  /** Rooms at once: joining a new room beyond it gives `too-many-rooms`. Default: 1000. */
  maxRooms?: number;
  /** WebSocket connections at once (joined or not): further upgrades get HTTP 503. Default: 5000. */
  maxConnections?: number;
  /**
   * Idle timeout, ms: the server pings every client this often and closes one that
   * sent nothing (not even a pong) for one full interval. Default: 15000.
   */
  heartbeatMs?: number;
  /** A connection that has not joined a room within this time is closed (4408), ms. Default: 10000. */
  joinTimeoutMs?: number;
  /** Bytes queued for a client that does not read before it is dropped. Default: 1048576 (1 MiB). */
  maxBufferedBytes?: number;
  /** ICE servers handed to every client that joins (for example TURN credentials from `createTurnCredentials`). Default: none. */
  iceServers?: () => SignalingIceServer[] | Promise<SignalingIceServer[]>;
}

/** Options of {@link SignalingServer.listen}. */
export interface SignalingListenOptions {
  /** TCP port; 0 picks a free one. Default: 0. */
  port?: number;
  /** Address to bind. Default: `'127.0.0.1'`. */
  host?: string;
}

/** A member of a room, as the server's events report it. */
export interface SignalingMember extends SignalingPeer {
  /** The room. */
  room: string;
  /** The client's address. */
  address: string;
}

/** What a refusal is about. */
export interface SignalingRefusal {
  /** The client's address. */
  address: string;
  /** The room, when the client had joined or asked to join one. */
  room?: string;
  /** The peer id, when known. */
  peerId?: string;
}

/** Events of a {@link SignalingServer}. */
export type SignalingServerEvents = {
  /** A client joined a room. */
  joined: [SignalingMember];
  /** A member left its room. */
  left: [SignalingMember, PeerLeaveReason];
  /** A connection or message was refused (the client got the error), or a client was disconnected for it. */
  rejected: [VidaiError, SignalingRefusal];
};

/** The rooms and connections of a server. */
export interface SignalingServerStats {
  /** Open WebSocket connections. */
  connections: number;
  /** Rooms with at least one member. */
  rooms: number;
  /** Clients that are members of a room. */
  members: number;
}

/** A room's members. */
export interface SignalingRoomInfo {
  /** The room id. */
  room: string;
  /** Peer id of the sender, if one has joined. */
  sender: string | undefined;
  /** Peer ids of the viewers. */
  viewers: string[];
}

/**
 * WebSocket close codes the server uses: 4400 too many malformed messages or no join
 * in time (4408), 4401 unauthorized, 4409 room full, 4429 flood, 4503 too many rooms or
 * shutting down, 4000 replaced by a newer connection of the same peer id.
 */
export const SIGNALING_CLOSE_CODES = {
  BAD_MESSAGES: 4400,
  UNAUTHORIZED: 4401,
  JOIN_TIMEOUT: 4408,
  ROOM_FULL: 4409,
  FLOOD: 4429,
  UNAVAILABLE: 4503,
  REPLACED: 4000,
} as const;

interface Client {
  readonly ws: WebSocket;
  readonly key: string;
  readonly address: string;
  readonly request: IncomingMessage;
  member: (SignalingPeer & { room: Room }) | undefined;
  joining: boolean;
  alive: boolean;
  closed: boolean;
  rateRefusals: number;
  lastRefusalAt: number;
  badMessages: number;
  joinTimer: ReturnType<typeof setTimeout> | undefined;
}

interface Room {
  readonly id: string;
  readonly members: Map<string, Client>;
}

/**
 * Relays WebRTC signaling between the sender and viewers of rooms.
 *
 * @example
 * ```ts
 * const signaling = new SignalingServer({ secret: process.env.ROOM_SECRET });
 * signaling.attach(httpsServer);                  // WebSocket at /signal
 * const { room, token } = signaling.newRoom();    // give both to the phone and the desktop
 * ```
 */
export class SignalingServer extends Evented<SignalingServerEvents> {

  private readonly options: SignalingServerOptions;
  private readonly path: string;
  private readonly secret: Buffer;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly rooms = new Map<string, Room>();
  private readonly messageLimiter: RateLimiter | undefined;
  private readonly connectionLimiter: RateLimiter | undefined;
  private readonly attached: Array<() => void> = [];
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private owned: Server | undefined;
  private nextKey = 0;
  private closing: Promise<void> | undefined;

  constructor(options: SignalingServerOptions = {}) {
    super();
    this.options = options;
    this.path = options.path ?? '/signal';
    if (!this.path.startsWith('/')) throw new TypeError(`SignalingServer: path must start with '/', got '${options.path}'`);
    const secret = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret as string);
    if (secret.length < 16) throw new TypeError('SignalingServer: secret must be at least 16 bytes');
    this.secret = secret;
    for (const [name, value, min] of [
      ['maxMessageBytes', options.maxMessageBytes, 256],
      ['floodLimit', options.floodLimit, 1],
      ['maxBadMessages', options.maxBadMessages, 1],
      ['maxViewers', options.maxViewers, 0],
      ['maxRooms', options.maxRooms, 1],
      ['maxConnections', options.maxConnections, 1],
      ['heartbeatMs', options.heartbeatMs, 10],
      ['joinTimeoutMs', options.joinTimeoutMs, 10],
      ['maxBufferedBytes', options.maxBufferedBytes, 1024],
    ] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
        throw new TypeError(`SignalingServer: ${name} must be an integer >= ${min}, got ${String(value)}`);
      }
    }
    this.messageLimiter =
      options.messageRate === false ? undefined : new RateLimiter({ perMinute: 1200, burst: 60, ...options.messageRate });
    this.connectionLimiter =
      options.connectionRate === false ? undefined : new RateLimiter({ perMinute: 60, burst: 20, ...options.connectionRate });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.maxMessageBytes * 4, perMessageDeflate: false });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref?.();
  }

  private get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? DEFAULT_MAX_SIGNALING_BYTES;
  }

  // -------------------------------------------------------------------------
  // Rooms and tokens

  /**
   * The token of a room: base64url HMAC-SHA256 of the room id (and the role, when
   * given: such a token admits only that role). Hand it to the room's members.
   */
  roomToken(room: string, role?: PeerRole): string {
    return createHmac('sha256', this.secret).update(`vidai-room\n${room}\n${role ?? '*'}`).digest('base64url');
  }

  /** A new random room id (128 bits) and its token. The room exists once someone joins it. */
  newRoom(): { room: string; token: string } {
    const room = randomBytes(16).toString('base64url');
    return { room, token: this.roomToken(room) };
  }

  /** Rooms, connections and members right now. */
  stats(): SignalingServerStats {
    let members = 0;
    for (const room of this.rooms.values()) members += room.members.size;
    return { connections: this.clients.size, rooms: this.rooms.size, members };
  }

  /** The members of a room, or undefined when nobody is in it. */
  room(id: string): SignalingRoomInfo | undefined {
    const room = this.rooms.get(id);
    if (!room) return undefined;
    const members = [...room.members.values()].map((c) => c.member!);
    return { room: id, sender: members.find((m) => m.role === 'sender')?.peerId, viewers: members.filter((m) => m.role === 'viewer').map((m) => m.peerId) };
  }

  // -------------------------------------------------------------------------
  // Servers

  /** Starts a server of its own (plain HTTP; put TLS in front, or `attach` to an https server). */
  async listen(options: SignalingListenOptions = {}): Promise<{ port: number; host: string; url: string }> {
    if (this.owned) throw new TypeError('SignalingServer.listen: already listening');
    if (this.closing) throw new TypeError('SignalingServer.listen: the server is closed');
    const server = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end(`Connect with a WebSocket to ${this.path}`);
    });
    this.owned = server;
    this.attach(server);
    const { port, host, authority } = await listenOn(server, options);
    return { port, host, url: `ws://${authority}${this.path}` };
  }

  /** Takes over the WebSocket upgrades at `path` of an existing http or https server. */
  attach(server: Server): void {
    if (this.closing) throw new TypeError('SignalingServer.attach: the server is closed');
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (urlPath(req) !== this.path) return;
      this.upgrade(req, socket, head);
    };
    server.on('upgrade', onUpgrade);
    this.attached.push(() => server.off('upgrade', onUpgrade));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = clientAddress(req, this.options.trustProxy);
    try {
      checkOrigin(req, this.options.allowedOrigins as AllowedOrigins);
      checkRate(this.connectionLimiter, address, 'connections');
      if (this.closing) throw new VidaiError(ErrorCodes.TOO_MANY_PEERS, 'The signaling server is shutting down.');
      const max = this.options.maxConnections ?? 5000;
      if (this.clients.size >= max) throw new VidaiError(ErrorCodes.TOO_MANY_PEERS, `The signaling server holds its maximum of ${max} connections; retry later.`);
    } catch (error) {
      const e = error as VidaiError;
      refuseUpgrade(socket, e);
      this.events.emit('rejected', e, { address });
      return;
    }
    socket.on('error', () => socket.destroy());
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req, address));
  }

  // -------------------------------------------------------------------------
  // Connections

  private onConnection(ws: WebSocket, request: IncomingMessage, address: string): void {
    if (this.closing) {
      ws.terminate();
      return;
    }
    const client: Client = {
      ws,
      key: `c${this.nextKey++}`,
      address,
      request,
      member: undefined,
      joining: false,
      alive: true,
      closed: false,
      rateRefusals: 0,
      lastRefusalAt: 0,
      badMessages: 0,
      joinTimer: undefined,
    };
    this.clients.add(client);
    client.joinTimer = setTimeout(() => {
      if (!client.member) this.disconnect(client, SIGNALING_CLOSE_CODES.JOIN_TIMEOUT, new VidaiError(ErrorCodes.SIGNALING_INVALID, 'No join message arrived in time.'));
    }, this.options.joinTimeoutMs ?? 10_000);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    ws.on('error', (error: Error & { code?: string }) => {
      // ws reports a message above maxPayload here, then closes the connection with 1009.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.events.emit(
          'rejected',
          new VidaiError(ErrorCodes.PAYLOAD_TOO_LARGE, `A WebSocket message exceeded ${this.maxMessageBytes * 4} bytes; the connection was closed.`),
          this.refusal(client),
        );
      }
      ws.terminate();
    });
    ws.on('close', () => this.onClose(client));
  }

  private refusal(client: Client): SignalingRefusal {
    return { address: client.address, ...(client.member ? { room: client.member.room.id, peerId: client.member.peerId } : {}) };
  }

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    if (client.closed) return;
    client.alive = true;
    const decision = this.messageLimiter?.take(client.key);
    if (decision && !decision.allowed) {
      const now = performance.now();
      // Refusals count towards a disconnect while they keep coming (less than 10 s apart).
      if (now - client.lastRefusalAt > 10_000) client.rateRefusals = 0;
      client.lastRefusalAt = now;
      client.rateRefusals++;
      const error = new VidaiError(ErrorCodes.RATE_LIMITED, 'Too many signaling messages; this one was dropped. Slow down or you will be disconnected.');
      if (client.rateRefusals >= (this.options.floodLimit ?? 20)) {
        this.disconnect(client, SIGNALING_CLOSE_CODES.FLOOD, new VidaiError(ErrorCodes.RATE_LIMITED, 'Too many signaling messages: disconnected.'));
      } else {
        // One answer and one event per burst of refusals: a flood must not make the server send as much back.
        if (client.rateRefusals === 1) {
          this.sendError(client, error);
          this.events.emit('rejected', error, this.refusal(client));
        }
      }
      return;
    }
    let message: SignalingClientMessage;
    try {
      const text = isBinary ? undefined : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      message = parseSignalingClientMessage(text, { maxBytes: this.maxMessageBytes });
    } catch (error) {
      this.bad(client, error as VidaiError);
      return;
    }
    switch (message.type) {
      case 'join':
        void this.join(client, message);
        break;
      case 'offer':
      case 'answer':
      case 'candidate':
        this.relay(client, message);
        break;
      case 'leave':
        if (client.member) this.removeMember(client, 'left');
        break;
      case 'ping':
        this.send(client, { type: 'pong' });
        break;
    }
  }

  /**
   * Answers a message that broke a rule; too many of them disconnect the client. A
   * message to a member who just left is answered but not held against the client
   * (members come and go while candidates are in flight); the rate limit still applies.
   */
  private bad(client: Client, error: VidaiError, counts = true): void {
    if (counts) client.badMessages++;
    if (client.badMessages >= (this.options.maxBadMessages ?? 20)) {
      this.disconnect(client, SIGNALING_CLOSE_CODES.BAD_MESSAGES, new VidaiError(error.code, `${error.message} Too many refused messages: disconnected.`));
      return;
    }
    this.sendError(client, error);
    this.events.emit('rejected', error, this.refusal(client));
  }

  private async join(client: Client, join: JoinMessage): Promise<void> {
    if (client.member || client.joining) {
      this.bad(client, new VidaiError(ErrorCodes.SIGNALING_INVALID, 'This connection has joined a room already; send leave first, or open a new connection.'));
      return;
    }
    client.joining = true;
    const refusal = { address: client.address, room: join.room, peerId: join.peerId };
    let allowed = false;
    try {
      const authorize = this.options.authorize;
      if (authorize === false) allowed = true;
      else if (authorize) allowed = await authorize({ room: join.room, role: join.role, peerId: join.peerId, token: join.token, request: client.request });
      else allowed = join.token !== undefined && (sameSecret(join.token, this.roomToken(join.room)) || sameSecret(join.token, this.roomToken(join.room, join.role)));
    } catch {
      allowed = false;
    } finally {
      client.joining = false;
    }
    let iceServers: SignalingIceServer[] = [];
    if (allowed) {
      try {
        iceServers = (await this.options.iceServers?.()) ?? [];
      } catch {
        iceServers = [];
      }
    }
    // From here on nothing awaits: the capacity check and the membership happen at once.
    if (client.closed) return;
    if (!allowed) {
      const error = new VidaiError(ErrorCodes.UNAUTHORIZED, `The token does not admit a ${join.role} to this room; use the room link you were given.`);
      this.events.emit('rejected', error, refusal);
      this.disconnect(client, SIGNALING_CLOSE_CODES.UNAUTHORIZED, error, false);
      return;
    }
    let room = this.rooms.get(join.room);
    if (!room) {
      const max = this.options.maxRooms ?? 1000;
      if (this.rooms.size >= max) {
        const error = new VidaiError(ErrorCodes.TOO_MANY_ROOMS, `The signaling server holds its maximum of ${max} rooms; retry later.`, { details: { maxRooms: max } });
        this.events.emit('rejected', error, refusal);
        this.disconnect(client, SIGNALING_CLOSE_CODES.UNAVAILABLE, error, false);
        return;
      }
      room = { id: join.room, members: new Map() };
      this.rooms.set(room.id, room);
    }
    const previous = room.members.get(join.peerId);
    const others = [...room.members.values()].filter((c) => c !== previous);
    const maxViewers = this.options.maxViewers ?? 4;
    const full =
      join.role === 'sender'
        ? others.some((c) => c.member!.role === 'sender') && 'The room has a sender already.'
        : others.filter((c) => c.member!.role === 'viewer').length >= maxViewers && `The room has its maximum of ${maxViewers} viewers.`;
    if (full) {
      if (room.members.size === 0) this.rooms.delete(room.id);
      const error = new VidaiError(ErrorCodes.ROOM_FULL, full, { details: { maxViewers } });
      this.events.emit('rejected', error, refusal);
      this.disconnect(client, SIGNALING_CLOSE_CODES.ROOM_FULL, error, false);
      return;
    }
    if (previous) {
      // The same peer reconnected before its old connection was noticed as dead.
      if (previous.member!.role !== join.role) this.removeMember(previous, 'left');
      else {
        previous.member = undefined;
        room.members.delete(join.peerId);
        this.events.emit('left', { room: room.id, peerId: join.peerId, role: join.role, address: previous.address }, 'replaced');
      }
      this.disconnect(previous, SIGNALING_CLOSE_CODES.REPLACED, new VidaiError(ErrorCodes.SIGNALING_UNAVAILABLE, 'A newer connection joined with this peer id.'), false);
    }
    if (client.joinTimer) clearTimeout(client.joinTimer);
    client.joinTimer = undefined;
    client.member = { peerId: join.peerId, role: join.role, room };
    room.members.set(join.peerId, client);
    const peers = others.filter((c) => c.member).map((c) => ({ peerId: c.member!.peerId, role: c.member!.role }));
    this.send(client, { type: 'joined', room: room.id, peerId: join.peerId, role: join.role, peers, iceServers });
    for (const other of others) if (other.member) this.send(other, { type: 'peer-joined', peer: { peerId: join.peerId, role: join.role } });
    this.events.emit('joined', { room: room.id, peerId: join.peerId, role: join.role, address: client.address });
  }

  private relay(client: Client, message: Extract<SignalingClientMessage, { to: string }>): void {
    const member = client.member;
    if (!member) {
      this.bad(client, new VidaiError(ErrorCodes.SIGNALING_INVALID, 'Join a room before sending offers, answers or candidates.'));
      return;
    }
    const target = member.room.members.get(message.to);
    if (!target || target === client || !target.member) {
      this.bad(client, new VidaiError(ErrorCodes.PEER_NOT_FOUND, `No peer ${message.to} in this room; it may have left.`, { details: { to: message.to } }), false);
      return;
    }
    if (target.member.role === member.role) {
      this.bad(client, new VidaiError(ErrorCodes.PEER_NOT_FOUND, `Peer ${message.to} is a ${member.role} too; a ${member.role} signals only with ${member.role === 'viewer' ? 'the sender' : 'viewers'}.`));
      return;
    }
    const out: SignalingServerMessage =
      message.type === 'candidate'
        ? { type: 'candidate', from: member.peerId, candidate: message.candidate }
        : { type: message.type, from: member.peerId, sdp: message.sdp };
    this.send(target, out);
  }

  private removeMember(client: Client, reason: PeerLeaveReason): void {
    const member = client.member;
    if (!member) return;
    client.member = undefined;
    const room = member.room;
    if (room.members.get(member.peerId) === client) room.members.delete(member.peerId);
    if (room.members.size === 0) this.rooms.delete(room.id);
    for (const other of room.members.values()) this.send(other, { type: 'peer-left', peer: { peerId: member.peerId, role: member.role }, reason });
    this.events.emit('left', { room: room.id, peerId: member.peerId, role: member.role, address: client.address }, reason);
  }

  private onClose(client: Client): void {
    client.closed = true;
    if (client.joinTimer) clearTimeout(client.joinTimer);
    this.removeMember(client, 'lost');
    this.clients.delete(client);
    this.messageLimiter?.delete(client.key);
  }

  private send(client: Client, message: SignalingServerMessage): void {
    const ws = client.ws;
    if (client.closed || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > (this.options.maxBufferedBytes ?? 1 << 20)) {
      // The client does not read: drop it rather than buffer without bound.
      client.closed = true;
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  }

  private sendError(client: Client, error: VidaiError): void {
    this.send(client, { type: 'error', code: error.code, message: error.message });
  }

  /** Sends the error, closes with `code`, and cuts the connection if the close handshake stalls. */
  private disconnect(client: Client, code: number, error: VidaiError, emit = true): void {
    if (client.closed) return;
    if (emit) this.events.emit('rejected', error, this.refusal(client));
    this.sendError(client, error);
    client.closed = true;
    if (client.joinTimer) clearTimeout(client.joinTimer);
    this.removeMember(client, 'lost');
    client.ws.close(code, error.code);
    const timer = setTimeout(() => client.ws.terminate(), 1000);
    timer.unref?.();
    client.ws.once('close', () => clearTimeout(timer));
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.removeMember(client, 'lost');
        client.closed = true;
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      try {
        client.ws.ping();
      } catch {
        client.ws.terminate();
      }
    }
  }

  // -------------------------------------------------------------------------

  /** Closes every connection, detaches from servers and stops the own server. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      for (const off of this.attached.splice(0)) off();
      for (const client of this.clients) {
        client.closed = true;
        if (client.joinTimer) clearTimeout(client.joinTimer);
        client.ws.terminate();
      }
      this.clients.clear();
      this.rooms.clear();
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      this.messageLimiter?.clear();
      this.connectionLimiter?.clear();
      if (this.owned) await closeServer(this.owned);
      this.events.clear();
    })();
    return this.closing;
  }
}

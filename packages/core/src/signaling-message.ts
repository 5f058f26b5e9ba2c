import { ErrorCodes, VidaiError } from './errors.js';
import { FORBIDDEN_KEYS, utf8ByteLength } from './json-text.js';

/**
 * The peer-to-peer signaling protocol of vidai: JSON text messages on a WebSocket
 * between a browser (`PeerLink` in @vidai/browser) and a relay (`SignalingServer` in
 * @vidai/node). A client joins a room with a role and a token; the relay forwards
 * offers, answers and ICE candidates to one member of the same room, named by its
 * peer id. The relay never reads an SDP beyond its type and size. Parsing returns
 * fresh objects holding only the known fields, so nothing a client adds is relayed.
 */

/** Version of the signaling protocol written by this build (sent in `join`). */
export const SIGNALING_PROTOCOL_VERSION = 1;

/** Default cap on one signaling message, in UTF-8 bytes (64 KiB: an SDP offer is 3-10 KiB). */
export const DEFAULT_MAX_SIGNALING_BYTES = 64 * 1024;

/** What a member of a room does: the sender publishes its camera, viewers receive it. */
export type PeerRole = 'sender' | 'viewer';

/** A room id or peer id: 1 to 64 letters, digits, `_` or `-`. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest token accepted, in characters. */
const MAX_TOKEN_LENGTH = 512;
/** Longest ICE candidate line accepted, in characters. */
const MAX_CANDIDATE_LENGTH = 2048;
/** Longest `sdpMid` / `usernameFragment`, in characters. */
const MAX_SHORT_FIELD = 256;

/** An ICE candidate as `RTCIceCandidate.toJSON()` gives it. */
export interface SignalingCandidate {
  /** The `candidate:` line (empty string: end of candidates of a generation). */
  candidate: string;
  /** Media stream id of the m= section. */
  sdpMid?: string | null;
  /** Index of the m= section. */
  sdpMLineIndex?: number | null;
  /** ICE username fragment the candidate belongs to. */
  usernameFragment?: string | null;
}

/** An ICE server entry, as `RTCPeerConnection` takes it (STUN, or TURN with credentials). */
export interface SignalingIceServer {
  /** `stun:`, `turn:` or `turns:` URLs. */
  urls: string | string[];
  /** TURN username. */
  username?: string;
  /** TURN password. */
  credential?: string;
}

/** A member of a room as others see it. */
export interface SignalingPeer {
  /** The member's peer id (chosen by the client, stable across reconnections). */
  peerId: string;
  /** The member's role. */
  role: PeerRole;
}

/** Client to relay: join a room. The first message of every connection. */
export interface JoinMessage {
  type: 'join';
  /** Protocol version, {@link SIGNALING_PROTOCOL_VERSION}. */
  v: number;
  /** Room id (1-64 of `A-Z a-z 0-9 _ -`). */
  room: string;
  /** Role in the room. */
  role: PeerRole;
  /** Own peer id (1-64 of `A-Z a-z 0-9 _ -`); reuse it to rejoin after a lost connection. */
  peerId: string;
  /** The room token (or whatever the relay's authorize hook expects). */
  token?: string;
}

/** Client to relay: a session description for one member of the room. */
export interface OutgoingDescriptionMessage {
  type: 'offer' | 'answer';
  /** Peer id of the recipient. */
  to: string;
  /** The SDP, relayed as is. */
  sdp: string;
}

/** Client to relay: an ICE candidate (null: end of candidates) for one member of the room. */
export interface OutgoingCandidateMessage {
  type: 'candidate';
  /** Peer id of the recipient. */
  to: string;
  /** The candidate. */
  candidate: SignalingCandidate | null;
}

/** Every message a client may send. `leave` ends membership; `ping` asks for a `pong` (keepalive). */
export type SignalingClientMessage =
  | JoinMessage
  | OutgoingDescriptionMessage
  | OutgoingCandidateMessage
  | { type: 'leave' }
  | { type: 'ping' };

/** Relay to client: the join succeeded. */
export interface JoinedMessage {
  type: 'joined';
  /** The room joined. */
  room: string;
  /** Own peer id. */
  peerId: string;
  /** Own role. */
  role: PeerRole;
  /** The other members present. */
  peers: SignalingPeer[];
  /** ICE servers the relay hands out (for example fresh TURN credentials); may be empty. */
  iceServers: SignalingIceServer[];
}

/** Why a member left: it said so (`left`), its connection was lost or timed out (`lost`), or it reconnected elsewhere (`replaced`). */
export type PeerLeaveReason = 'left' | 'lost' | 'replaced';

/** Every message the relay may send. */
export type SignalingServerMessage =
  | JoinedMessage
  | { type: 'peer-joined'; peer: SignalingPeer }
  | { type: 'peer-left'; peer: SignalingPeer; reason: PeerLeaveReason }
  | { type: 'offer' | 'answer'; from: string; sdp: string }
  | { type: 'candidate'; from: string; candidate: SignalingCandidate | null }
  | { type: 'error'; code: string; message: string }
  | { type: 'pong' };

/** Limits of {@link parseSignalingClientMessage} and {@link parseSignalingServerMessage}. */
export interface SignalingLimits {
  /** Largest message, in UTF-8 bytes. Default 65536 ({@link DEFAULT_MAX_SIGNALING_BYTES}). */
  maxBytes?: number;
}

type Json = Record<string, unknown>;

function invalid(problem: string): never {
  throw new VidaiError(ErrorCodes.SIGNALING_INVALID, `Malformed signaling message: ${problem}.`);
}

function parseObject(text: unknown, maxBytes: number): Json {
  if (typeof text !== 'string') invalid('signaling messages are JSON text, not binary');
  if (text.length > maxBytes || utf8ByteLength(text) > maxBytes) {
    throw new VidaiError(ErrorCodes.PAYLOAD_TOO_LARGE, `The signaling message exceeds ${maxBytes} bytes.`, { details: { maxBytes } });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    invalid('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('not a JSON object');
  noForbiddenKeys(value);
  return value as Json;
}

function noForbiddenKeys(value: object): void {
  for (const key of FORBIDDEN_KEYS) if (Object.hasOwn(value, key)) invalid(`the key "${key}" is not allowed`);
}

function id(value: unknown, field: string): string {
  if (!isSignalingId(value)) invalid(`"${field}" must be 1-64 of A-Z a-z 0-9 _ -`);
  return value;
}

function role(value: unknown): PeerRole {
  if (value !== 'sender' && value !== 'viewer') invalid('"role" must be "sender" or "viewer"');
  return value;
}

function optionalString(value: unknown, field: string, max: number): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || value.length > max) invalid(`"${field}" must be a string of at most ${max} characters`);
  return value;
}

function candidate(value: unknown): SignalingCandidate | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) invalid('"candidate" must be an RTCIceCandidateInit object or null');
  noForbiddenKeys(value);
  const c = value as Json;
  if (typeof c.candidate !== 'string' || c.candidate.length > MAX_CANDIDATE_LENGTH) {
    invalid(`"candidate.candidate" must be a string of at most ${MAX_CANDIDATE_LENGTH} characters`);
  }
  const out: SignalingCandidate = { candidate: c.candidate };
  const mid = optionalString(c.sdpMid, 'candidate.sdpMid', MAX_SHORT_FIELD);
  if (mid !== undefined) out.sdpMid = mid;
  if (c.sdpMLineIndex !== undefined && c.sdpMLineIndex !== null) {
    if (!Number.isInteger(c.sdpMLineIndex) || (c.sdpMLineIndex as number) < 0 || (c.sdpMLineIndex as number) > 1024) {
      invalid('"candidate.sdpMLineIndex" must be an integer 0..1024');
    }
    out.sdpMLineIndex = c.sdpMLineIndex as number;
  } else if (c.sdpMLineIndex === null) out.sdpMLineIndex = null;
  const ufrag = optionalString(c.usernameFragment, 'candidate.usernameFragment', MAX_SHORT_FIELD);
  if (ufrag !== undefined) out.usernameFragment = ufrag;
  return out;
}

function sdp(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) invalid('"sdp" must be a non-empty string');
  return value;
}

function describeType(value: unknown): string {
  return typeof value === 'string' ? `"${value.slice(0, 32)}"` : typeof value;
}

/**
 * Parses and checks a message a client sent to the relay. The SDP of an offer or
 * answer is checked for type and size only.
 *
 * @throws VidaiError `payload-too-large` above `maxBytes`; `signaling-invalid` for
 * anything that is not a message of the protocol (binary data, not JSON, an unknown
 * type, a missing or wrong field).
 */
export function parseSignalingClientMessage(text: unknown, limits: SignalingLimits = {}): SignalingClientMessage {
  const m = parseObject(text, limits.maxBytes ?? DEFAULT_MAX_SIGNALING_BYTES);
  switch (m.type) {
    case 'join': {
      if (m.v !== SIGNALING_PROTOCOL_VERSION) {
        invalid(`protocol version ${String(m.v).slice(0, 16)} is not supported; this relay speaks version ${SIGNALING_PROTOCOL_VERSION}: use the same vidai version on both sides`);
      }
      const join: JoinMessage = { type: 'join', v: SIGNALING_PROTOCOL_VERSION, room: id(m.room, 'room'), role: role(m.role), peerId: id(m.peerId, 'peerId') };
      if (m.token !== undefined) {
        if (typeof m.token !== 'string' || m.token.length > MAX_TOKEN_LENGTH) invalid(`"token" must be a string of at most ${MAX_TOKEN_LENGTH} characters`);
        join.token = m.token;
      }
      return join;
    }
    case 'offer':
    case 'answer':
      return { type: m.type, to: id(m.to, 'to'), sdp: sdp(m.sdp) };
    case 'candidate':
      return { type: 'candidate', to: id(m.to, 'to'), candidate: candidate(m.candidate) };
    case 'leave':
    case 'ping':
      return { type: m.type };
    default:
      return invalid(`unknown type ${describeType(m.type)}; expected join, offer, answer, candidate, leave or ping`);
  }
}

function peer(value: unknown): SignalingPeer {
  if (typeof value !== 'object' || value === null) invalid('"peer" must be an object');
  const p = value as Json;
  return { peerId: id(p.peerId, 'peer.peerId'), role: role(p.role) };
}

function iceServers(value: unknown): SignalingIceServer[] {
  if (!Array.isArray(value) || value.length > 32) invalid('"iceServers" must be an array of at most 32 entries');
  return value.map((v) => {
    if (typeof v !== 'object' || v === null) invalid('an ICE server must be an object');
    const s = v as Json;
    const urls = s.urls;
    if (!(typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string')))) invalid('"iceServers[].urls" must be a string or strings');
    const out: SignalingIceServer = { urls: Array.isArray(urls) ? [...(urls as string[])] : (urls as string) };
    if (typeof s.username === 'string') out.username = s.username;
    if (typeof s.credential === 'string') out.credential = s.credential;
    return out;
  });
}

/**
 * Parses and checks a message the relay sent to a client.
 *
 * @throws VidaiError `payload-too-large` or `signaling-invalid`.
 */
export function parseSignalingServerMessage(text: unknown, limits: SignalingLimits = {}): SignalingServerMessage {
  const m = parseObject(text, limits.maxBytes ?? DEFAULT_MAX_SIGNALING_BYTES);
  switch (m.type) {
    case 'joined': {
      if (!Array.isArray(m.peers)) invalid('"peers" must be an array');
      return {
        type: 'joined',
        room: id(m.room, 'room'),
        peerId: id(m.peerId, 'peerId'),
        role: role(m.role),
        peers: m.peers.map(peer),
        iceServers: iceServers(m.iceServers ?? []),
      };
    }
    case 'peer-joined':
      return { type: 'peer-joined', peer: peer(m.peer) };
    case 'peer-left': {
      const reason = m.reason;
      if (reason !== 'left' && reason !== 'lost' && reason !== 'replaced') invalid('"reason" must be left, lost or replaced');
      return { type: 'peer-left', peer: peer(m.peer), reason };
    }
    case 'offer':
    case 'answer':
      return { type: m.type, from: id(m.from, 'from'), sdp: sdp(m.sdp) };
    case 'candidate':
      return { type: 'candidate', from: id(m.from, 'from'), candidate: candidate(m.candidate) };
    case 'error':
      return {
        type: 'error',
        code: typeof m.code === 'string' ? m.code.slice(0, 64) : 'unknown',
        message: typeof m.message === 'string' ? m.message.slice(0, 1024) : '',
      };
    case 'pong':
      return { type: 'pong' };
    default:
      return invalid(`unknown type ${describeType(m.type)}`);
  }
}

/** True when `value` is a valid room or peer id (1-64 of `A-Z a-z 0-9 _ -`). */
export function isSignalingId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

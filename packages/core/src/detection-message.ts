import type { Box, Detection, DetectionResult } from './detection.js';
import { ErrorCodes, VidaiError } from './errors.js';
import { FORBIDDEN_KEYS, utf8ByteLength } from './json-text.js';

/**
 * The wire format of vidai: JSON text messages sent over an RTCDataChannel or a
 * WebSocket. Every message is an object with a version `v` and a `type`; version 1
 * knows `detections`, `ping`, `pong` and `error`. Decoding checks the byte length
 * before parsing, rejects prototype-pollution keys, validates every field and
 * returns a fresh object holding only the known fields (unknown fields are dropped,
 * so a newer sender may add optional fields without breaking an older reader).
 * Anything malformed throws a {@link VidaiError} with code `malformed-message` or
 * `message-too-large`, never an error from deep inside.
 */

/** The version of the wire format written by this build. */
export const WIRE_VERSION = 1;

/** Default cap on the UTF-8 size of one message, in bytes (64 KiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/** Default cap on the number of detections in one message. */
export const DEFAULT_MAX_WIRE_DETECTIONS = 1000;

/** Default cap on the length of a label, in UTF-16 code units. */
export const DEFAULT_MAX_LABEL_LENGTH = 128;

/** Most stages one `timings` object may carry. */
const MAX_TIMING_STAGES = 32;
/** Longest stage name in `timings` and longest `code` of an error message. */
const MAX_KEY_LENGTH = 64;
/** Longest `message` of an error message. */
const MAX_ERROR_TEXT_LENGTH = 1024;
/** Deepest nesting of objects and arrays accepted (version 1 needs 4). */
const MAX_DEPTH = 16;

/** Fields every message carries. */
export interface WireEnvelope {
  /** Wire format version; always {@link WIRE_VERSION} for messages this build writes. */
  v: typeof WIRE_VERSION;
  /** What the message is. */
  type: string;
}

/** The detections of one frame. Boxes are in the pixels of a `width` x `height` frame. */
export interface DetectionMessage extends WireEnvelope {
  type: 'detections';
  /** The frame's `seq`. */
  seq: number;
  /** The frame's `timestamp` (ms; wall-clock for live inputs). */
  timestamp: number;
  /** Width of the frame the boxes refer to, in pixels. */
  width: number;
  /** Height of the frame the boxes refer to, in pixels. */
  height: number;
  /** Detections, highest score first; box coordinates rounded to 0.01 px, scores to 0.0001. */
  detections: Detection[];
  /** Per-stage timings in ms (rounded to 0.01 ms), when the sender included them. */
  timings?: Record<string, number>;
  /** Number of lowest-score detections left out to respect the size or count cap. */
  truncated?: number;
  /** Sender's clock when the message was encoded (ms), for transport latency. */
  sentAt?: number;
  /**
   * RTP timestamp (90 kHz clock, unsigned 32-bit) of the received video frame the
   * detections belong to, when the frame came over RTP. The sender of the video can
   * map it back to its own frame (see the browser's `RtpFrameClock`).
   */
  rtpTimestamp?: number;
}

/**
 * A clock probe: the receiver answers with a {@link PongMessage} carrying `t0` back
 * with its own receive (`t1`) and send (`t2`) times.
 */
export interface PingMessage extends WireEnvelope {
  type: 'ping';
  /** Identifies the probe; echoed in the pong. Non-negative integer. */
  id: number;
  /** Sender's clock when the ping was sent (ms). */
  t0: number;
}

/** The answer to a {@link PingMessage}. See {@link estimateClockOffset}. */
export interface PongMessage extends WireEnvelope {
  type: 'pong';
  /** The ping's `id`. */
  id: number;
  /** The ping's `t0`, echoed (ms, pinger's clock). */
  t0: number;
  /** Answerer's clock when the ping arrived (ms). */
  t1: number;
  /** Answerer's clock when the pong was sent (ms). */
  t2: number;
}

/** A failure reported to the peer. */
export interface ErrorMessage extends WireEnvelope {
  type: 'error';
  /** A stable code, usually one of {@link ErrorCodes} (at most 64 characters). */
  code: string;
  /** What went wrong, for people (at most 1024 characters). */
  message: string;
}

/** Every message of wire format version 1. */
export type WireMessage = DetectionMessage | PingMessage | PongMessage | ErrorMessage;

/** The `type` of each {@link WireMessage}. */
export type WireMessageType = WireMessage['type'];

/** Limits applied when decoding, validating or encoding. Use the same on both sides. */
export interface WireLimits {
  /** Largest message accepted, in UTF-8 bytes. Default 65536 (64 KiB). */
  maxBytes?: number;
  /** Most detections in one message. Default 1000. */
  maxDetections?: number;
  /** Longest label, in UTF-16 code units. Default 128. */
  maxLabelLength?: number;
}

/** Options of {@link encodeDetectionMessage}. */
export interface EncodeDetectionOptions extends WireLimits {
  /**
   * What to do when the message would exceed `maxBytes` or `maxDetections`:
   * `'truncate'` (default) leaves out the lowest-score detections until it fits and
   * records how many in `truncated`; `'error'` throws `message-too-large`.
   */
  overflow?: 'truncate' | 'error';
  /** Include the result's `timings`. Default true. */
  includeTimings?: boolean;
  /** Sender's clock to put in `sentAt` (ms). Default: no `sentAt`. */
  sentAt?: number;
  /** RTP timestamp of the frame to put in `rtpTimestamp` (integer 0..2^32-1). Default: none. */
  rtpTimestamp?: number;
}

/** The input a transport hands to the decoder. */
export type WireInput = string | ArrayBuffer | ArrayBufferView;

interface ResolvedLimits {
  maxBytes: number;
  maxDetections: number;
  maxLabelLength: number;
}

function resolveLimits(options: WireLimits = {}): ResolvedLimits {
  const limits = {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxDetections: options.maxDetections ?? DEFAULT_MAX_WIRE_DETECTIONS,
    maxLabelLength: options.maxLabelLength ?? DEFAULT_MAX_LABEL_LENGTH,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!(Number.isInteger(value) && value > 0) && value !== Number.POSITIVE_INFINITY) {
      throw new TypeError(`wire limits: ${name} must be a positive integer or Infinity, got ${String(value)}`);
    }
  }
  return limits;
}

// ---------------------------------------------------------------------------
// Validation

type JsonObject = Record<string, unknown>;

function malformed(path: string, problem: string): never {
  throw new VidaiError(ErrorCodes.MALFORMED_MESSAGE, `Malformed wire message: ${path} ${problem}.`, {
    details: { path },
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}

function objectAt(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    malformed(path, `must be an object, got ${describe(value)}`);
  }
  for (const key of FORBIDDEN_KEYS) {
    if (Object.hasOwn(value, key)) malformed(path, `has the forbidden key "${key}"`);
  }
  return value as JsonObject;
}

function finiteAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    malformed(path, `must be a finite number, got ${describe(value)}`);
  }
  return value;
}

function countAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    malformed(path, `must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

function stringAt(value: unknown, path: string, maxLength: number): string {
  if (typeof value !== 'string') malformed(path, `must be a string, got ${describe(value)}`);
  if (value.length > maxLength) malformed(path, `is ${value.length} characters long, more than ${maxLength}`);
  return value;
}

function rtpTimestampAt(value: unknown, path: string): number {
  const n = countAt(value, path);
  if (n > 0xffffffff) malformed(path, `must be an unsigned 32-bit integer, got ${n}`);
  return n;
}

function boxAt(value: unknown, path: string): Box {
  if (!Array.isArray(value) || value.length !== 4) {
    malformed(path, `must be an array of 4 numbers [x1, y1, x2, y2], got ${describe(value)}`);
  }
  return [
    finiteAt(value[0], `${path}[0]`),
    finiteAt(value[1], `${path}[1]`),
    finiteAt(value[2], `${path}[2]`),
    finiteAt(value[3], `${path}[3]`),
  ];
}

function detectionAt(value: unknown, path: string, limits: ResolvedLimits): Detection {
  const object = objectAt(value, path);
  const score = finiteAt(object.score, `${path}.score`);
  if (score < 0 || score > 1) malformed(`${path}.score`, `must be in 0..1, got ${score}`);
  return {
    box: boxAt(object.box, `${path}.box`),
    score,
    classId: countAt(object.classId, `${path}.classId`),
    label: stringAt(object.label, `${path}.label`, limits.maxLabelLength),
  };
}

function timingsAt(value: unknown, path: string): Record<string, number> {
  const object = objectAt(value, path);
  const keys = Object.keys(object);
  if (keys.length > MAX_TIMING_STAGES) malformed(path, `has ${keys.length} stages, more than ${MAX_TIMING_STAGES}`);
  const timings: Record<string, number> = {};
  for (const key of keys) {
    stringAt(key, `${path} key`, MAX_KEY_LENGTH);
    timings[key] = finiteAt(object[key], `${path}.${key}`);
  }
  return timings;
}

function validateDetections(object: JsonObject, limits: ResolvedLimits): DetectionMessage {
  const width = countAt(object.width, 'width');
  const height = countAt(object.height, 'height');
  if (width === 0 || height === 0) malformed(width === 0 ? 'width' : 'height', 'must be positive');
  const list = object.detections;
  if (!Array.isArray(list)) malformed('detections', `must be an array, got ${describe(list)}`);
  if (list.length > limits.maxDetections) {
    malformed('detections', `has ${list.length} entries, more than maxDetections (${limits.maxDetections})`);
  }
  const detections = new Array<Detection>(list.length);
  for (let i = 0; i < list.length; i++) detections[i] = detectionAt(list[i], `detections[${i}]`, limits);
  const message: DetectionMessage = {
    v: WIRE_VERSION,
    type: 'detections',
    seq: countAt(object.seq, 'seq'),
    timestamp: finiteAt(object.timestamp, 'timestamp'),
    width,
    height,
    detections,
  };
  if (object.timings !== undefined) message.timings = timingsAt(object.timings, 'timings');
  if (object.truncated !== undefined) message.truncated = countAt(object.truncated, 'truncated');
  if (object.sentAt !== undefined) message.sentAt = finiteAt(object.sentAt, 'sentAt');
  if (object.rtpTimestamp !== undefined) message.rtpTimestamp = rtpTimestampAt(object.rtpTimestamp, 'rtpTimestamp');
  return message;
}

/**
 * Checks that `value` is a well-formed {@link WireMessage} of a version this build
 * reads, and returns a fresh copy holding only the known fields.
 *
 * @throws VidaiError `malformed-message` naming the first offending field.
 */
export function validateWireMessage(value: unknown, options?: WireLimits): WireMessage {
  const limits = resolveLimits(options);
  const object = objectAt(value, 'message');
  if (object.v !== WIRE_VERSION) {
    if (object.v === undefined) malformed('message', 'has no version field "v"');
    malformed('v', `is ${describe(object.v)}, but this build reads version ${WIRE_VERSION}: use the same @vidai version on both sides`);
  }
  switch (object.type) {
    case 'detections':
      return validateDetections(object, limits);
    case 'ping':
      return { v: WIRE_VERSION, type: 'ping', id: countAt(object.id, 'id'), t0: finiteAt(object.t0, 't0') };
    case 'pong':
      return {
        v: WIRE_VERSION,
        type: 'pong',
        id: countAt(object.id, 'id'),
        t0: finiteAt(object.t0, 't0'),
        t1: finiteAt(object.t1, 't1'),
        t2: finiteAt(object.t2, 't2'),
      };
    case 'error':
      return {
        v: WIRE_VERSION,
        type: 'error',
        code: stringAt(object.code, 'code', MAX_KEY_LENGTH),
        message: stringAt(object.message, 'message', MAX_ERROR_TEXT_LENGTH),
      };
    default:
      return malformed('type', `is ${typeof object.type === 'string' ? `"${object.type.slice(0, 32)}"` : describe(object.type)}, not one of detections, ping, pong, error`);
  }
}

/**
 * Checks that `value` is a well-formed {@link DetectionMessage} and returns a fresh
 * copy holding only the known fields.
 *
 * @throws VidaiError `malformed-message` naming the first offending field.
 */
export function validateDetectionMessage(value: unknown, options?: WireLimits): DetectionMessage {
  const message = validateWireMessage(value, options);
  if (message.type !== 'detections') malformed('type', `is "${message.type}", expected "detections"`);
  return message;
}

// ---------------------------------------------------------------------------
// Bytes and text

interface Utf8Decoder {
  decode(input: Uint8Array): string;
}
type Utf8DecoderConstructor = new (label: string, options: { fatal: boolean }) => Utf8Decoder;

let utf8Decoder: Utf8Decoder | undefined;

/** Strict UTF-8 decoding with the platform's TextDecoder (every browser and Node have one). */
function decodeUtf8(bytes: Uint8Array): string {
  if (!utf8Decoder) {
    const Decoder = (globalThis as { TextDecoder?: Utf8DecoderConstructor }).TextDecoder;
    if (!Decoder) throw new TypeError('decodeWireMessage: this platform has no TextDecoder; pass the message as a string');
    utf8Decoder = new Decoder('utf-8', { fatal: true });
  }
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new VidaiError(ErrorCodes.MALFORMED_MESSAGE, 'Malformed wire message: the bytes are not valid UTF-8 text.', { cause });
  }
}

function tooLarge(bytes: number, maxBytes: number): VidaiError {
  return new VidaiError(
    ErrorCodes.MESSAGE_TOO_LARGE,
    `Wire message is ${bytes} bytes, more than maxBytes (${maxBytes}); raise maxBytes on both sides or send fewer detections.`,
    { details: { bytes, maxBytes } },
  );
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isForbiddenKey(key: string): boolean {
  return (FORBIDDEN_KEYS as readonly string[]).includes(key);
}

/**
 * One linear pass over the JSON text before it is parsed: rejects nesting deeper
 * than {@link MAX_DEPTH} (so hostile nesting behaves the same on every engine instead
 * of depending on its stack) and prototype-pollution keys at any depth, including in
 * fields this version ignores. (A `JSON.parse` reviver could check keys too, but
 * makes parsing several times slower.) Brackets inside strings are not counted.
 */
function scanJson(text: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: find its end, noting escapes.
      const start = i + 1;
      let escaped = false;
      for (i = start; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const length = i - start;
      if (!escaped && length !== 9 && length !== 11) continue; // no forbidden key has another raw length
      let next = i + 1;
      while (next < text.length && isJsonSpace(text.charCodeAt(next))) next++;
      if (text.charCodeAt(next) !== 0x3a) continue; // not followed by ':', so not a key
      let key = text.slice(start, i);
      if (escaped) {
        try {
          key = JSON.parse(`"${key}"`) as string;
        } catch {
          continue; // an invalid escape: JSON.parse of the whole text reports it
        }
      }
      if (isForbiddenKey(key)) malformed('message', `has the forbidden key "${key}"`);
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) malformed('message', `is nested deeper than ${MAX_DEPTH} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Byte-size check, then UTF-8 decoding, {@link scanJson} and JSON parsing; any failure is a VidaiError. */
function parseWireInput(input: WireInput, maxBytes: number): unknown {
  let text: string;
  if (typeof input === 'string') {
    // A UTF-16 code unit is never less than one UTF-8 byte: the cheap test comes first.
    if (input.length > maxBytes) throw tooLarge(utf8ByteLength(input), maxBytes);
    const bytes = utf8ByteLength(input);
    if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
    text = input;
  } else if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
    if (input.byteLength > maxBytes) throw tooLarge(input.byteLength, maxBytes);
    const bytes =
      input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    text = decodeUtf8(bytes);
  } else {
    throw new TypeError('decodeWireMessage: input must be a string, an ArrayBuffer or a Uint8Array');
  }
  scanJson(text);
  try {
    return JSON.parse(text);
  } catch (cause) {
    if (cause instanceof VidaiError) throw cause;
    throw new VidaiError(ErrorCodes.MALFORMED_MESSAGE, 'Malformed wire message: not valid JSON.', { cause });
  }
}

// ---------------------------------------------------------------------------
// Decoding

/**
 * Decodes any {@link WireMessage} from a DataChannel or WebSocket payload. The byte
 * length is checked before anything is parsed.
 *
 * @throws VidaiError `message-too-large` or `malformed-message`.
 * @throws TypeError when `input` is not a string or bytes.
 *
 * @example
 * ```ts
 * channel.onmessage = (event) => {
 *   const message = decodeWireMessage(event.data);
 *   if (message.type === 'detections') overlay.draw(message);
 * };
 * ```
 */
export function decodeWireMessage(input: WireInput, options?: WireLimits): WireMessage {
  const limits = resolveLimits(options);
  return validateWireMessage(parseWireInput(input, limits.maxBytes), limits);
}

/**
 * Decodes a {@link DetectionMessage}; any other message type is `malformed-message`.
 *
 * @throws VidaiError `message-too-large` or `malformed-message`.
 * @throws TypeError when `input` is not a string or bytes.
 */
export function decodeDetectionMessage(input: WireInput, options?: WireLimits): DetectionMessage {
  const limits = resolveLimits(options);
  return validateDetectionMessage(parseWireInput(input, limits.maxBytes), limits);
}

// ---------------------------------------------------------------------------
// Encoding

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.round(value * factor) / factor;
  // Rounding a huge finite value can overflow; keep the original, still finite.
  return Number.isFinite(rounded) ? rounded : value;
}

/**
 * Encodes a detection result as JSON text: box coordinates rounded to 0.01 px,
 * scores to 0.0001 and timings to 0.01 ms to keep messages small. When the message
 * would exceed `maxBytes` or `maxDetections`, the lowest-score detections are left
 * out and counted in `truncated` (or, with `overflow: 'error'`, it throws).
 *
 * @throws VidaiError `malformed-message` when the result holds something a receiver
 * would reject (a non-finite number, a score outside 0..1, a label longer than
 * `maxLabelLength`); `message-too-large` when it cannot fit (see `overflow`).
 *
 * @example
 * ```ts
 * channel.send(encodeDetectionMessage(result, { sentAt: Date.now() }));
 * ```
 */
export function encodeDetectionMessage(result: DetectionResult, options: EncodeDetectionOptions = {}): string {
  if (typeof result !== 'object' || result === null || !Array.isArray(result.detections)) {
    throw new TypeError('encodeDetectionMessage: result must be a DetectionResult');
  }
  const limits = resolveLimits(options);
  const overflow = options.overflow ?? 'truncate';
  if (overflow !== 'truncate' && overflow !== 'error') {
    throw new TypeError(`encodeDetectionMessage: overflow must be 'truncate' or 'error', got ${String(overflow)}`);
  }

  const head: Omit<DetectionMessage, 'detections'> = {
    v: WIRE_VERSION,
    type: 'detections',
    seq: result.seq,
    timestamp: result.timestamp,
    width: result.width,
    height: result.height,
  };
  if (options.includeTimings !== false && result.timings) {
    const timings: Record<string, number> = {};
    for (const [stage, ms] of Object.entries(result.timings)) timings[stage] = round(ms, 2);
    head.timings = timings;
  }
  if (options.sentAt !== undefined) head.sentAt = options.sentAt;
  if (options.rtpTimestamp !== undefined) head.rtpTimestamp = options.rtpTimestamp;
  const detections: Detection[] = result.detections.map((d) => ({
    box: Array.isArray(d.box) ? (d.box.map((c) => round(c, 2)) as Box) : d.box,
    score: round(d.score, 4),
    classId: d.classId,
    label: d.label,
  }));
  // Same checks as the receiver, so the sender never writes what the peer rejects
  // (the count is checked below, since it may be truncated).
  validateDetectionMessage({ ...head, detections }, { ...limits, maxDetections: Number.POSITIVE_INFINITY });

  const parts = detections.map((d) => JSON.stringify(d));
  const headJson = JSON.stringify(head).slice(0, -1); // without the closing brace
  const assemble = (kept: string[], truncated: number): string =>
    `${headJson}${truncated > 0 ? `,"truncated":${truncated}` : ''},"detections":[${kept.join(',')}]}`;

  const fixedBytes = utf8ByteLength(headJson) + ',"detections":[]}'.length;
  const sizes = parts.map(utf8ByteLength);
  const sizeOf = (count: number, truncated: number, detectionBytes: number): number =>
    fixedBytes + detectionBytes + Math.max(0, count - 1) + (truncated > 0 ? `,"truncated":${truncated}`.length : 0);

  const total = sizes.reduce((sum, size) => sum + size, 0);
  const fullSize = sizeOf(parts.length, 0, total);
  if (parts.length <= limits.maxDetections && fullSize <= limits.maxBytes) return assemble(parts, 0);
  if (overflow === 'error') {
    if (parts.length > limits.maxDetections) {
      throw new VidaiError(
        ErrorCodes.MESSAGE_TOO_LARGE,
        `Detection message has ${parts.length} detections, more than maxDetections (${limits.maxDetections}); raise maxDetections on both sides or use overflow: 'truncate'.`,
        { details: { detections: parts.length, maxDetections: limits.maxDetections } },
      );
    }
    throw tooLarge(fullSize, limits.maxBytes);
  }

  // Keep the highest scores: order by score (stable), then take the longest prefix that fits.
  const order = detections.map((_, i) => i).sort((a, b) => (detections[b] as Detection).score - (detections[a] as Detection).score);
  let kept = 0;
  let keptBytes = 0;
  const limit = Math.min(order.length, limits.maxDetections);
  while (kept < limit) {
    const next = sizes[order[kept] as number] as number;
    if (sizeOf(kept + 1, order.length - kept - 1, keptBytes + next) > limits.maxBytes) break;
    keptBytes += next;
    kept++;
  }
  const truncated = order.length - kept;
  if (sizeOf(kept, truncated, keptBytes) > limits.maxBytes) throw tooLarge(sizeOf(kept, truncated, keptBytes), limits.maxBytes);
  return assemble(
    order.slice(0, kept).map((i) => parts[i] as string),
    truncated,
  );
}

/**
 * Encodes any {@link WireMessage} as JSON text after validating it (use
 * {@link encodeDetectionMessage} for detection results: it also rounds and truncates).
 *
 * @throws VidaiError `malformed-message` when the message is not valid,
 * `message-too-large` when it exceeds `maxBytes`.
 *
 * @example
 * ```ts
 * socket.send(encodeWireMessage({ v: 1, type: 'ping', id: 1, t0: Date.now() }));
 * ```
 */
export function encodeWireMessage(message: WireMessage, options?: WireLimits): string {
  const limits = resolveLimits(options);
  const text = JSON.stringify(validateWireMessage(message, limits));
  const bytes = utf8ByteLength(text);
  if (bytes > limits.maxBytes) throw tooLarge(bytes, limits.maxBytes);
  return text;
}

/** What one ping/pong exchange says about the peer's clock. */
export interface ClockOffsetEstimate {
  /** Add to a local time to get the peer's time (ms). */
  offset: number;
  /** Round-trip time without the peer's processing time (ms). */
  rtt: number;
}

/**
 * Estimates the peer's clock offset from a pong and the local time `t3` when it
 * arrived (the NTP formula: offset = ((t1 - t0) + (t2 - t3)) / 2). Its error is at
 * most half the round trip; keep the estimate with the smallest `rtt` of several.
 *
 * @example
 * ```ts
 * const { offset } = estimateClockOffset(pong, Date.now());
 * const transport = Date.now() + offset - message.sentAt; // ms, on the peer's clock
 * ```
 */
export function estimateClockOffset(pong: PongMessage, t3: number): ClockOffsetEstimate {
  return {
    offset: (pong.t1 - pong.t0 + (pong.t2 - t3)) / 2,
    rtt: t3 - pong.t0 - (pong.t2 - pong.t1),
  };
}

/**
 * Every error a user can cause is a {@link VidaiError} with a stable `code`.
 * The codes live in one table, {@link ErrorCodes}, so they are unique and documented
 * in one place. Bad arguments to a function (a programming error) throw `TypeError`.
 */

/** Stable error codes, with what each one means. Codes never change once released. */
export const ErrorCodes = {
  /** A model file could not be found, read, or parsed as ONNX. */
  MODEL_LOAD_FAILED: 'model-load-failed',
  /** A catalog id is unknown and the argument is not a path to a file. */
  MODEL_NOT_FOUND: 'model-not-found',
  /** A model download failed (network, HTTP status, or size mismatch). */
  MODEL_DOWNLOAD_FAILED: 'model-download-failed',
  /** The model's input or output shapes are not those of a supported detector. */
  MODEL_SHAPE_MISMATCH: 'model-shape-mismatch',
  /** The model output matches no known YOLO family; pass `family` explicitly. */
  UNKNOWN_OUTPUT_FORMAT: 'unknown-output-format',
  /** A frame's data length does not match its width, height and format. */
  INVALID_FRAME: 'invalid-frame',
  /** A pixel format the operation cannot handle. */
  UNSUPPORTED_FORMAT: 'unsupported-format',
  /** Inference failed inside the runtime. */
  INFERENCE_FAILED: 'inference-failed',
  /** A wire message is not valid JSON, has the wrong shape, or an unknown version. */
  MALFORMED_MESSAGE: 'malformed-message',
  /** A wire message exceeds the size cap. */
  MESSAGE_TOO_LARGE: 'message-too-large',
  /** An input file does not exist or cannot be read. */
  INPUT_NOT_FOUND: 'input-not-found',
  /** An input could not be decoded (not an image or video, or corrupt). */
  INPUT_UNREADABLE: 'input-unreadable',
  /** The ffmpeg (or ffprobe) binary was not found. */
  FFMPEG_NOT_FOUND: 'ffmpeg-not-found',
  /** ffmpeg exited with an error for a non-live input. */
  FFMPEG_FAILED: 'ffmpeg-failed',
  /** A live stream could not be reached or was lost, and reconnection gave up. */
  STREAM_UNAVAILABLE: 'stream-unavailable',
  /** The operation was aborted through an AbortSignal or `close()`. */
  ABORTED: 'aborted',
  /** The object was used after `close()`. */
  CLOSED: 'closed',
  /** No execution provider could create a session for the model. */
  NO_EXECUTION_PROVIDER: 'no-execution-provider',
  /** The user or the browser's permission policy refused camera access (DOMException `NotAllowedError`). */
  CAMERA_DENIED: 'camera-denied',
  /** No camera matches the request, or none is connected (`NotFoundError`). */
  CAMERA_NOT_FOUND: 'camera-not-found',
  /** The camera cannot satisfy a required constraint such as an exact resolution (`OverconstrainedError`). */
  CAMERA_OVERCONSTRAINED: 'camera-overconstrained',
  /** The camera exists but could not be started, e.g. another application holds it (`NotReadableError`, `AbortError`). */
  CAMERA_UNAVAILABLE: 'camera-unavailable',
  /** The page is not a secure context (https or localhost), so the API is unavailable. */
  INSECURE_CONTEXT: 'insecure-context',
  /** A Worker (browser Worker or Node worker thread) could not be started or died (bad worker URL, CSP, crash). */
  WORKER_FAILED: 'worker-failed',
  /** A frame source failed with an error of its own (kept as `cause`); the pipeline ended. */
  SOURCE_FAILED: 'source-failed',
  /** A WebRTC offer (or ICE candidate) is malformed or cannot be answered: HTTP 400. */
  OFFER_INVALID: 'offer-invalid',
  /** The signaling request has no valid credentials (bearer token): HTTP 401. */
  UNAUTHORIZED: 'unauthorized',
  /** The signaling request comes from an origin not on the allowlist: HTTP 403. */
  FORBIDDEN_ORIGIN: 'forbidden-origin',
  /** The server already serves its maximum number of peers: HTTP 503. */
  TOO_MANY_PEERS: 'too-many-peers',
  /** Too many offers from one client in a short time: HTTP 429. */
  RATE_LIMITED: 'rate-limited',
  /** A signaling request body or SDP exceeds its size cap: HTTP 413. */
  PAYLOAD_TOO_LARGE: 'payload-too-large',
  /** A signaling message is not one of the protocol (not JSON, unknown type, missing or wrong field). */
  SIGNALING_INVALID: 'signaling-invalid',
  /** The signaling server cannot be reached or the connection to it was lost; the client reconnects. */
  SIGNALING_UNAVAILABLE: 'signaling-unavailable',
  /** The room already has a sender, or its maximum of viewers: raise `maxViewers` or leave another viewer. */
  ROOM_FULL: 'room-full',
  /** The signaling server holds its maximum number of rooms (`maxRooms`). */
  TOO_MANY_ROOMS: 'too-many-rooms',
  /** A signaling message was addressed to a peer id that is not a member of the sender's room. */
  PEER_NOT_FOUND: 'peer-not-found',
} as const;

/** One of the stable error code strings of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Options of a {@link VidaiError}. */
export interface VidaiErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
  /** Extra structured facts about the failure (a shape, a path, an attempt number). */
  details?: Record<string, unknown>;
}

/**
 * The error type of vidai. `code` is stable and safe to switch on; `message` says
 * what went wrong and how to fix it.
 *
 * @example
 * ```ts
 * try { await detector.detect(frame); }
 * catch (err) { if (isVidaiError(err, 'invalid-frame')) skip(); else throw err; }
 * ```
 */
export class VidaiError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Structured facts about the failure. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: VidaiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VidaiError';
    this.code = code;
    this.details = options.details;
  }

  /** A plain object for logs and wire messages. */
  toJSON(): { name: string; code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/** True when `x` is one of the code strings of {@link ErrorCodes} (e.g. a code a server or peer reported). */
export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && ERROR_CODES.has(x);
}

/** True when `err` is a {@link VidaiError}, optionally with the given code. */
export function isVidaiError(err: unknown, code?: ErrorCode): err is VidaiError {
  return err instanceof VidaiError && (code === undefined || err.code === code);
}

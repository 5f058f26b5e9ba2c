/**
 * Checks shared by the signaling endpoints of the inference server and the
 * peer-to-peer signaling server: the Origin allowlist, bearer tokens compared in
 * constant time, the client's address (optionally from `X-Forwarded-For`), the
 * per-client rate limit, and refusing a WebSocket upgrade with an HTTP status and a JSON error body.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCodes, VidaiError, type ErrorCode } from '@vidai/core';
import type { RateLimiter } from './rate-limiter.js';

/**
 * Origins allowed to signal: a list of origins (`https://app.example.com`), `'*'` for
 * any, or undefined for the same origin only (the `Origin` host equals the `Host` header).
 */
export type AllowedOrigins = string[] | '*' | undefined;

/** HTTP status of each refusal code. */
export const REFUSAL_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.OFFER_INVALID]: 400,
  [ErrorCodes.SIGNALING_INVALID]: 400,
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.FORBIDDEN_ORIGIN]: 403,
  [ErrorCodes.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCodes.RATE_LIMITED]: 429,
  [ErrorCodes.TOO_MANY_PEERS]: 503,
  [ErrorCodes.TOO_MANY_ROOMS]: 503,
};

/** True when a request from `origin` may proceed under `allowed` (see {@link AllowedOrigins}). */
export function originAllowed(origin: string, host: string | undefined, allowed: AllowedOrigins): boolean {
  if (allowed === '*') return true;
  if (allowed?.includes(origin)) return true;
  if (allowed === undefined) {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Throws `forbidden-origin` when the request carries an `Origin` header that is not
 * allowed. Requests without one (non-browser clients) pass; authentication still applies.
 */
export function checkOrigin(req: IncomingMessage, allowed: AllowedOrigins): void {
  const origin = req.headers.origin;
  if (origin !== undefined && !originAllowed(origin, req.headers.host, allowed)) {
    throw new VidaiError(ErrorCodes.FORBIDDEN_ORIGIN, `Origin ${origin.slice(0, 200)} may not use this server; add it to allowedOrigins.`);
  }
}

/**
 * Takes one request of `key` (the client's address) from `limiter`, when there is one;
 * throws `rate-limited` with `details.retryAfterSeconds` when it is refused. `what` names
 * the requests in the message: `Too many <what>; retry in <n> s.`
 */
export function checkRate(limiter: RateLimiter | undefined, key: string, what: string): void {
  const decision = limiter?.take(key);
  if (decision && !decision.allowed) {
    throw new VidaiError(ErrorCodes.RATE_LIMITED, `Too many ${what}; retry in ${decision.retryAfterSeconds} s.`, {
      details: { retryAfterSeconds: decision.retryAfterSeconds },
    });
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

/** Compares two secrets in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The client's address: the first `X-Forwarded-For` entry when `trustProxy`, else the socket's. */
export function clientAddress(req: IncomingMessage, trustProxy = false): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** The path of a request URL, without the query. */
export function urlPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Reason phrase of the statuses used for refusals. */
export function statusText(status: number): string {
  return (
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 413: 'Payload Too Large', 429: 'Too Many Requests', 503: 'Service Unavailable' }[status] ??
    'Error'
  );
}

/**
 * Answers a WebSocket upgrade request with an HTTP error (JSON `{"error":{"code","message"}}`)
 * and closes the socket. Returns the status sent.
 */
export function refuseUpgrade(socket: Duplex, error: VidaiError): number {
  const status = REFUSAL_STATUS[error.code] ?? 400;
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  const retry = error.code === ErrorCodes.RATE_LIMITED ? `retry-after: ${Number(error.details?.retryAfterSeconds ?? 60)}\r\n` : '';
  socket.end(
    `HTTP/1.1 ${status} ${statusText(status)}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${retry}connection: close\r\n\r\n${body}`,
  );
  return status;
}

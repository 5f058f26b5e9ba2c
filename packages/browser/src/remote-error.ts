/**
 * Turns an error code received from a server or peer into one of ours: a code this
 * build knows is kept, anything else becomes the fallback.
 */
import { ErrorCodes, VidaiError, type ErrorCode } from '@vidai/core';

const known = new Set<string>(Object.values(ErrorCodes));

/** `code` when it is one of {@link ErrorCodes}, else `fallback`. */
export function knownErrorCode(code: unknown, fallback: ErrorCode): ErrorCode {
  return typeof code === 'string' && known.has(code) ? (code as ErrorCode) : fallback;
}

/** A VidaiError for an `{ code, message }` a server or peer reported. */
export function remoteError(code: unknown, message: unknown, fallback: ErrorCode, defaultMessage: string): VidaiError {
  return new VidaiError(knownErrorCode(code, fallback), typeof message === 'string' && message ? message : defaultMessage);
}

/**
 * Turns an error code received from a server or peer into one of ours: a code this
 * build knows is kept, anything else becomes the fallback.
 */
import { isErrorCode, type ErrorCode } from '@vidai/core';

/** `code` when it is one of the core `ErrorCodes`, else `fallback`. */
export function knownErrorCode(code: unknown, fallback: ErrorCode): ErrorCode {
  return isErrorCode(code) ? code : fallback;
}

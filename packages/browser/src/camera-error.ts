import { ErrorCodes, VidaiError } from '@vidai/core';

/**
 * Maps a `getUserMedia` failure to a {@link VidaiError}. The DOMException's `name`
 * (and `constraint` for `OverconstrainedError`) is kept in `details`, the original
 * error in `cause`. A `TypeError` (malformed constraints, a programming error) is
 * returned unchanged.
 */
export function cameraError(err: unknown): Error {
  if (err instanceof TypeError) return err;
  if (err instanceof VidaiError) return err;
  const name = typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  const constraint =
    typeof err === 'object' && err !== null && 'constraint' in err ? (err as { constraint: unknown }).constraint : undefined;
  const details: Record<string, unknown> = { name, message, ...(constraint ? { constraint } : {}) };
  const make = (code: (typeof ErrorCodes)[keyof typeof ErrorCodes], text: string) =>
    new VidaiError(code, text, { cause: err, details });
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return make(
        ErrorCodes.CAMERA_DENIED,
        `Camera access was denied (${name}: ${message}). Allow the camera for this site in the browser's ` +
          'permission prompt or settings, and check that a Permissions-Policy does not block "camera".',
      );
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return make(
        ErrorCodes.CAMERA_NOT_FOUND,
        `No camera was found (${name}). Connect a camera, or drop the deviceId/facingMode requirement.`,
      );
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return make(
        ErrorCodes.CAMERA_OVERCONSTRAINED,
        `No camera satisfies the constraint "${String(constraint ?? 'unknown')}" (${name}). ` +
          'Use ideal values instead of exact ones (exact: false), or ask for a resolution or frame rate the camera supports.',
      );
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return make(
        ErrorCodes.CAMERA_UNAVAILABLE,
        `The camera could not be started (${name}: ${message}). Another application or tab may be using it; close it and retry.`,
      );
    default:
      return make(ErrorCodes.CAMERA_UNAVAILABLE, `Opening the camera failed (${name}: ${message}).`);
  }
}

/** The error for a page that is not a secure context (camera, Cache API and workers' SharedArrayBuffer need one). */
export function insecureContextError(feature: string): VidaiError {
  return new VidaiError(
    ErrorCodes.INSECURE_CONTEXT,
    `${feature} needs a secure context: serve the page over https, or from http://localhost / 127.0.0.1 during development.`,
    { details: { name: 'SecurityError', feature } },
  );
}

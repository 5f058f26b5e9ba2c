import { ErrorCodes, VidaiError } from './errors.js';
import { frameByteLength, type Frame, type PixelFormat } from './frame.js';

const FORMATS: ReadonlySet<string> = new Set<PixelFormat>(['rgba', 'rgb', 'bgr', 'gray', 'i420', 'nv12', 'gbrp']);

/**
 * Checks that a frame can be read safely: a known pixel format, positive integer
 * width and height (and display size, when given: both, positive integers), and byte
 * data whose length is exactly {@link frameByteLength} for that format and size.
 *
 * @throws {@link VidaiError} `unsupported-format` for an unknown `format`;
 *   `invalid-frame` for bad sizes, missing data or a data length that does not match.
 *
 * @example
 * ```ts
 * validateFrame({ data, width: 640, height: 480, format: 'rgba', timestamp: 0, seq: 0 });
 * ```
 */
export function validateFrame(frame: Frame): void {
  if (frame === null || typeof frame !== 'object') {
    throw new VidaiError(ErrorCodes.INVALID_FRAME, `Expected a frame object, got ${frame === null ? 'null' : typeof frame}.`);
  }
  const { width, height, format, data } = frame;
  if (!FORMATS.has(format)) {
    throw new VidaiError(
      ErrorCodes.UNSUPPORTED_FORMAT,
      `Pixel format ${JSON.stringify(format)} is not supported; use one of ${[...FORMATS].join(', ')}.`,
      { details: { format } },
    );
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new VidaiError(
      ErrorCodes.INVALID_FRAME,
      `Frame size must be positive integers, got ${String(width)}x${String(height)}.`,
      { details: { width, height } },
    );
  }
  const { displayWidth, displayHeight } = frame;
  if (displayWidth !== undefined || displayHeight !== undefined) {
    if (!Number.isInteger(displayWidth) || !Number.isInteger(displayHeight) || displayWidth! <= 0 || displayHeight! <= 0) {
      throw new VidaiError(
        ErrorCodes.INVALID_FRAME,
        `Frame display size must be positive integers given together, got ${String(displayWidth)}x${String(displayHeight)}; ` +
          'set both displayWidth and displayHeight (the size of the picture before it was scaled down) or neither.',
        { details: { width, height, displayWidth, displayHeight } },
      );
    }
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new VidaiError(ErrorCodes.INVALID_FRAME, 'Frame data must be a Uint8Array or Uint8ClampedArray.', {
      details: { width, height, format },
    });
  }
  const expected = frameByteLength(format, width, height);
  if (data.length !== expected) {
    throw new VidaiError(
      ErrorCodes.INVALID_FRAME,
      `A ${width}x${height} ${format} frame needs exactly ${expected} bytes of tightly packed data, got ${data.length}; ` +
        'check width, height and format, and strip any row padding.',
      { details: { width, height, format, expected, actual: data.length } },
    );
  }
}

import { describe, expect, it } from 'vitest';
import { ErrorCodes, VidaiError, isVidaiError, type ErrorCode } from './errors.js';

describe('ErrorCodes', () => {
  const entries = Object.entries(ErrorCodes);

  it('has one unique code per entry', () => {
    const codes = entries.map(([, code]) => code);
    const duplicates = codes.filter((code, i) => codes.indexOf(code) !== i);
    expect(duplicates).toEqual([]);
  });

  it('spells every code in kebab case, derived from its key', () => {
    for (const [key, code] of entries) {
      expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(code).toBe(key.toLowerCase().replaceAll('_', '-'));
    }
  });

  it('is frozen in the type system: a code is one of the listed strings', () => {
    const code: ErrorCode = ErrorCodes.INVALID_FRAME;
    expect(Object.values(ErrorCodes)).toContain(code);
  });
});

describe('VidaiError', () => {
  it('carries code, message, details and cause, and serializes without the cause', () => {
    const cause = new Error('ENOENT');
    const error = new VidaiError(ErrorCodes.INPUT_NOT_FOUND, 'Input file "x.mp4" does not exist', { cause, details: { path: 'x.mp4' } });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('VidaiError');
    expect(error.code).toBe('input-not-found');
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'VidaiError',
      code: 'input-not-found',
      message: 'Input file "x.mp4" does not exist',
      details: { path: 'x.mp4' },
    });
  });

  it('isVidaiError checks the class and, when given, the code', () => {
    const error = new VidaiError(ErrorCodes.CLOSED, 'closed');
    expect(isVidaiError(error)).toBe(true);
    expect(isVidaiError(error, 'closed')).toBe(true);
    expect(isVidaiError(error, 'aborted')).toBe(false);
    expect(isVidaiError(new Error('closed'))).toBe(false);
    expect(isVidaiError({ code: 'closed' })).toBe(false);
  });
});

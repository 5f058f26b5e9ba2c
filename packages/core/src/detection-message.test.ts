import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detection, DetectionResult } from './detection.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeDetectionMessage,
  decodeWireMessage,
  encodeDetectionMessage,
  encodeWireMessage,
  estimateClockOffset,
  validateDetectionMessage,
  validateWireMessage,
  type DetectionMessage,
} from './detection-message.js';
import { VidaiError } from './errors.js';

const result: DetectionResult = {
  seq: 42,
  timestamp: 1_700_000_000_123.4567,
  width: 768,
  height: 432,
  detections: [
    { box: [132.8123, 206.6049, 325.7, 543.1], score: 0.855321, classId: 16, label: 'dog' },
    { box: [51.7, 137.2, 572.3, 423.6], score: 0.80345678, classId: 1, label: 'bicycle' },
  ],
  timings: { preprocess: 2.34567, inference: 71.019, postprocess: 0.5 },
};

function detection(i: number, score: number, label = `class ${i}`): Detection {
  return { box: [i, i + 0.5, i + 10.25, i + 20.125], score, classId: i % 80, label };
}

function manyDetections(count: number): Detection[] {
  // Highest score first, as detectors return them.
  return Array.from({ length: count }, (_, i) => detection(i, 1 - i / (count + 1)));
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof VidaiError) return error.code;
    throw error;
  }
  throw new Error('expected a VidaiError, nothing was thrown');
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('encodeDetectionMessage / decodeDetectionMessage', () => {
  it('round-trips a result with rounded boxes, scores and timings', () => {
    const text = encodeDetectionMessage(result, { sentAt: 1_700_000_000_200 });
    const message = decodeDetectionMessage(text);
    expect(message).toEqual({
      v: 1,
      type: 'detections',
      seq: 42,
      timestamp: 1_700_000_000_123.4567,
      width: 768,
      height: 432,
      timings: { preprocess: 2.35, inference: 71.02, postprocess: 0.5 },
      sentAt: 1_700_000_000_200,
      detections: [
        { box: [132.81, 206.6, 325.7, 543.1], score: 0.8553, classId: 16, label: 'dog' },
        { box: [51.7, 137.2, 572.3, 423.6], score: 0.8035, classId: 1, label: 'bicycle' },
      ],
    } satisfies DetectionMessage);
  });

  it('carries the frame\'s RTP timestamp, validated as an unsigned 32-bit integer', () => {
    const text = encodeDetectionMessage(result, { rtpTimestamp: 0xffffffff });
    expect(decodeDetectionMessage(text).rtpTimestamp).toBe(0xffffffff);
    expect(decodeDetectionMessage(encodeDetectionMessage(result)).rtpTimestamp).toBeUndefined();
    const message = JSON.parse(text) as Record<string, unknown>;
    for (const bad of [-1, 2 ** 32, 1.5, '12', null]) {
      expect(codeOf(() => validateDetectionMessage({ ...message, rtpTimestamp: bad }))).toBe('malformed-message');
    }
    expect(codeOf(() => encodeDetectionMessage(result, { rtpTimestamp: 2 ** 32 }))).toBe('malformed-message');
  });

  it('decodes the same message from a string, a Uint8Array, a Buffer and an ArrayBuffer', () => {
    const text = encodeDetectionMessage(result);
    const expected = decodeDetectionMessage(text);
    const encoded = bytes(text);
    // A view into a larger buffer, as Node's pooled Buffers are.
    const padded = new Uint8Array(encoded.length + 8);
    padded.set(encoded, 4);
    expect(decodeDetectionMessage(encoded)).toEqual(expected);
    expect(decodeDetectionMessage(Buffer.from(text))).toEqual(expected);
    expect(decodeDetectionMessage(encoded.buffer.slice(0))).toEqual(expected);
    expect(decodeDetectionMessage(padded.subarray(4, 4 + encoded.length))).toEqual(expected);
  });

  it('leaves out timings when asked and keeps non-ASCII labels intact', () => {
    const text = encodeDetectionMessage(
      { ...result, detections: [detection(1, 0.5, 'Hund 🐕 собака')] },
      { includeTimings: false },
    );
    const message = decodeDetectionMessage(bytes(text));
    expect(message.timings).toBeUndefined();
    expect(message.detections[0]!.label).toBe('Hund 🐕 собака');
  });

  it('truncates the lowest-score detections to fit maxBytes and says how many', () => {
    const detections = manyDetections(2000).reverse(); // lowest first: truncation must sort
    const text = encodeDetectionMessage({ ...result, detections });
    expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(DEFAULT_MAX_MESSAGE_BYTES);
    const message = decodeDetectionMessage(text);
    const kept = message.detections.length;
    expect(kept).toBeGreaterThan(100);
    expect(message.truncated).toBe(2000 - kept);
    // The kept ones are the best ones, highest first.
    const best = manyDetections(2000).slice(0, kept);
    expect(message.detections.map((d) => d.classId)).toEqual(best.map((d) => d.classId));
    expect(message.detections.map((d) => d.label)).toEqual(best.map((d) => d.label));
  });

  it('uses the whole byte budget when truncating', () => {
    const maxBytes = 2000;
    const text = encodeDetectionMessage({ ...result, detections: manyDetections(100) }, { maxBytes });
    const kept = decodeDetectionMessage(text, { maxBytes }).detections.length;
    expect(bytes(text).length).toBeLessThanOrEqual(maxBytes);
    // Keeping one more of the best detections would exceed the cap.
    expect(codeOf(() => encodeDetectionMessage({ ...result, detections: manyDetections(100).slice(0, kept + 1) }, { maxBytes, overflow: 'error' }))).toBe('message-too-large');
  });

  it('truncates to maxDetections, or refuses with overflow: error', () => {
    const detections = manyDetections(30);
    const message = decodeDetectionMessage(encodeDetectionMessage({ ...result, detections }, { maxDetections: 10 }), { maxDetections: 10 });
    expect(message.detections).toHaveLength(10);
    expect(message.truncated).toBe(20);
    expect(codeOf(() => encodeDetectionMessage({ ...result, detections }, { maxDetections: 10, overflow: 'error' }))).toBe('message-too-large');
    expect(codeOf(() => encodeDetectionMessage({ ...result, detections: manyDetections(2000) }, { overflow: 'error' }))).toBe('message-too-large');
  });

  it('refuses to encode what a receiver would reject', () => {
    const bad = (d: Partial<Detection>) => ({ ...result, detections: [{ ...detection(1, 0.5), ...d }] });
    expect(codeOf(() => encodeDetectionMessage(bad({ score: Number.NaN })))).toBe('malformed-message');
    expect(codeOf(() => encodeDetectionMessage(bad({ score: 1.5 })))).toBe('malformed-message');
    expect(codeOf(() => encodeDetectionMessage(bad({ box: [0, 0, Infinity, 1] })))).toBe('malformed-message');
    expect(codeOf(() => encodeDetectionMessage(bad({ label: 'x'.repeat(129) })))).toBe('malformed-message');
    expect(codeOf(() => encodeDetectionMessage({ ...result, width: 0 }))).toBe('malformed-message');
    expect(() => encodeDetectionMessage(null as unknown as DetectionResult)).toThrow(TypeError);
    expect(() => encodeDetectionMessage(result, { overflow: 'drop' as 'error' })).toThrow(TypeError);
  });

  it('checks the byte length before parsing', () => {
    const huge = `{"v":1,"type":"detections",${' '.repeat(70_000)}}`;
    expect(codeOf(() => decodeDetectionMessage(huge))).toBe('message-too-large');
    expect(codeOf(() => decodeDetectionMessage(bytes(huge)))).toBe('message-too-large');
    // Multi-byte text counts in bytes, not characters: 30000 x 3 bytes > 64 KiB.
    const wide = JSON.stringify({ v: 1, type: 'error', code: 'x', message: '€'.repeat(30_000) });
    expect(wide.length).toBeLessThan(DEFAULT_MAX_MESSAGE_BYTES);
    expect(codeOf(() => decodeWireMessage(wide))).toBe('message-too-large');
    // Not even valid JSON: the size check comes first.
    expect(codeOf(() => decodeWireMessage('x'.repeat(DEFAULT_MAX_MESSAGE_BYTES + 1)))).toBe('message-too-large');
    const small = encodeDetectionMessage(result);
    expect(codeOf(() => decodeDetectionMessage(small, { maxBytes: 100 }))).toBe('message-too-large');
  });
});

describe('validateWireMessage', () => {
  const good = (): Record<string, unknown> => JSON.parse(encodeDetectionMessage(result)) as Record<string, unknown>;
  const mutate = (edit: (m: Record<string, unknown> & { detections: Record<string, unknown>[] }) => void) => {
    const message = good() as Record<string, unknown> & { detections: Record<string, unknown>[] };
    edit(message);
    return message;
  };

  it.each([
    ['not an object', 42],
    ['null', null],
    ['an array', [1, 2]],
    ['no version', mutate((m) => delete m.v)],
    ['a future version', mutate((m) => (m.v = 2))],
    ['a string version', mutate((m) => (m.v = '1'))],
    ['an unknown type', mutate((m) => (m.type = 'video'))],
    ['no type', mutate((m) => delete m.type)],
    ['a fractional seq', mutate((m) => (m.seq = 1.5))],
    ['a negative seq', mutate((m) => (m.seq = -1))],
    ['a string timestamp', mutate((m) => (m.timestamp = '12'))],
    ['a NaN width', mutate((m) => (m.width = Number.NaN))],
    ['a zero height', mutate((m) => (m.height = 0))],
    ['detections not an array', mutate((m) => (m.detections = {} as never))],
    ['a box of 3 numbers', mutate((m) => (m.detections[0]!.box = [1, 2, 3]))],
    ['a box with a string', mutate((m) => (m.detections[0]!.box = [1, 2, '3', 4]))],
    ['a box with null (NaN after JSON)', mutate((m) => (m.detections[0]!.box = [1, 2, null, 4]))],
    ['a score above 1', mutate((m) => (m.detections[0]!.score = 1.01))],
    ['a negative classId', mutate((m) => (m.detections[0]!.classId = -2))],
    ['a numeric label', mutate((m) => (m.detections[0]!.label = 7))],
    ['an over-long label', mutate((m) => (m.detections[0]!.label = 'a'.repeat(500)))],
    ['a detection that is a string', mutate((m) => (m.detections[1] = 'dog' as never))],
    ['timings with a string', mutate((m) => (m.timings = { inference: '5' }))],
    ['too many timing stages', mutate((m) => (m.timings = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`s${i}`, i]))))],
    ['a fractional truncated', mutate((m) => (m.truncated = 0.5))],
    ['too many detections', mutate((m) => (m.detections = Array.from({ length: 1001 }, () => m.detections[0]!)))],
  ])('rejects %s with malformed-message', (_name, value) => {
    expect(codeOf(() => validateWireMessage(value))).toBe('malformed-message');
  });

  it('names the offending field in the message and details', () => {
    try {
      validateWireMessage(mutate((m) => (m.detections[1]!.box = [0, 0, 1, 'x'])));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(VidaiError);
      expect((error as VidaiError).message).toContain('detections[1].box[3]');
      expect((error as VidaiError).details).toEqual({ path: 'detections[1].box[3]' });
    }
  });

  it('says how to fix a version mismatch', () => {
    expect(() => validateWireMessage(mutate((m) => (m.v = 2)))).toThrow(/version 1.*same @vidai version/);
  });

  it('rejects prototype-pollution keys at any depth when decoding', () => {
    const text = encodeDetectionMessage(result);
    const polluted = [
      text.replace('{"v":1', '{"__proto__":{"polluted":true},"v":1'),
      text.replace('"label":"dog"', '"label":"dog","constructor":{"prototype":{"polluted":true}}'),
      // Written with an escape, or with space before the colon.
      text.replace('{"v":1', '{"\\u005f_proto__":{},"v":1'),
      text.replace('{"v":1', '{"prototype" \n :{},"v":1'),
      // In a field this version ignores: only the parse-time check can see it.
      text.replace('{"v":1', '{"future":{"deep":[{"__proto__":{"polluted":true}}]},"v":1'),
    ];
    for (const input of polluted) {
      expect(() => JSON.parse(input)).not.toThrow(); // valid JSON, so the check is ours
      expect(codeOf(() => decodeWireMessage(input))).toBe('malformed-message');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The same words as values are fine.
    const asValues = encodeDetectionMessage({ ...result, detections: [detection(1, 0.5, '__proto__'), detection(2, 0.4, 'constructor')] });
    expect(decodeDetectionMessage(asValues).detections.map((d) => d.label)).toEqual(['__proto__', 'constructor']);
    // The same keys as own properties of a value passed to validate.
    const own = good();
    Object.defineProperty(own, '__proto__', { value: {}, enumerable: true });
    expect(codeOf(() => validateWireMessage(own))).toBe('malformed-message');
  });

  it('drops unknown fields and returns a fresh object', () => {
    const input = mutate((m) => {
      m.future = { anything: true };
      m.detections[0]!.track = 7;
    });
    const message = validateDetectionMessage(input);
    expect(message).not.toHaveProperty('future');
    expect(message.detections[0]).not.toHaveProperty('track');
    expect(message.detections[0]).not.toBe(input.detections[0]);
  });

  it('rejects invalid UTF-8 bytes and invalid JSON', () => {
    expect(codeOf(() => decodeWireMessage(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])))).toBe('malformed-message');
    expect(codeOf(() => decodeWireMessage('{"v":1,'))).toBe('malformed-message');
    expect(codeOf(() => decodeWireMessage(''))).toBe('malformed-message');
    expect(() => decodeWireMessage(42 as unknown as string)).toThrow(TypeError);
  });

  it('rejects nesting deeper than 16 levels, even in unknown fields and inside strings it does not count', () => {
    const nested = (depth: number) => `{"v":1,"type":"ping","id":1,"t0":1,"x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(decodeWireMessage(nested(16))).toEqual({ v: 1, type: 'ping', id: 1, t0: 1 });
    expect(codeOf(() => decodeWireMessage(nested(17)))).toBe('malformed-message');
    expect(codeOf(() => decodeWireMessage(nested(30_000)))).toBe('malformed-message');
    const brackets = JSON.stringify({ v: 1, type: 'error', code: 'x', message: '[{\\"'.repeat(50) });
    expect(decodeWireMessage(brackets)).toMatchObject({ type: 'error' });
  });
});

describe('ping, pong and error messages', () => {
  it('round-trip through encodeWireMessage and decodeWireMessage', () => {
    const messages = [
      { v: 1, type: 'ping', id: 3, t0: 1000.5 },
      { v: 1, type: 'pong', id: 3, t0: 1000.5, t1: 1510, t2: 1512 },
      { v: 1, type: 'error', code: 'inference-failed', message: 'The model failed on frame 12.' },
    ] as const;
    for (const message of messages) expect(decodeWireMessage(encodeWireMessage(message))).toEqual(message);
  });

  it('decodeDetectionMessage refuses other types', () => {
    expect(codeOf(() => decodeDetectionMessage(encodeWireMessage({ v: 1, type: 'ping', id: 1, t0: 0 })))).toBe('malformed-message');
  });

  it('validates ping/pong/error fields', () => {
    expect(codeOf(() => validateWireMessage({ v: 1, type: 'ping', id: -1, t0: 0 }))).toBe('malformed-message');
    expect(codeOf(() => validateWireMessage({ v: 1, type: 'pong', id: 1, t0: 0, t1: 0 }))).toBe('malformed-message');
    expect(codeOf(() => validateWireMessage({ v: 1, type: 'error', code: 'x', message: 'y'.repeat(2000) }))).toBe('malformed-message');
    expect(codeOf(() => encodeWireMessage({ v: 1, type: 'ping', id: 1, t0: Number.NaN }))).toBe('malformed-message');
    expect(codeOf(() => encodeWireMessage({ v: 1, type: 'error', code: 'x', message: 'y'.repeat(1000) }, { maxBytes: 100 }))).toBe('message-too-large');
  });

  it('estimateClockOffset recovers a known offset with symmetric delays', () => {
    // The peer's clock is 5000 ms ahead; each direction takes 20 ms; the peer spends 3 ms.
    const t0 = 1000;
    const t1 = t0 + 20 + 5000;
    const t2 = t1 + 3;
    const t3 = t2 - 5000 + 20;
    expect(estimateClockOffset({ v: 1, type: 'pong', id: 1, t0, t1, t2 }, t3)).toEqual({ offset: 5000, rtt: 40 });
  });
});

describe('decoding hostile input (property-based)', () => {
  function onlyVidaiErrors(run: () => unknown): boolean {
    try {
      run();
      return true;
    } catch (error) {
      if (error instanceof VidaiError && (error.code === 'malformed-message' || error.code === 'message-too-large')) return true;
      throw error;
    }
  }

  const validText = encodeDetectionMessage(result, { sentAt: 5 });

  it('random strings and bytes yield a message or a VidaiError, never another error', () => {
    fc.assert(
      // Any UTF-16 code units, lone surrogates included (fc.string's 'binary' unit is much slower to generate).
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 }), (units) =>
        onlyVidaiErrors(() => decodeWireMessage(String.fromCharCode(...units))),
      ),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => onlyVidaiErrors(() => decodeWireMessage(data))),
      { numRuns: 200 },
    );
  });

  it('mutated valid messages yield a message or a VidaiError', () => {
    const mutation = fc.record({
      at: fc.nat({ max: validText.length - 1 }),
      remove: fc.nat({ max: 8 }),
      insert: fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom('null', 'NaN', '1e999', '-1', '[]', '{}', '"', ',', '__proto__', '"__proto__":{}', '[[[[', '\u0000'),
      ),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = validText;
        for (const { at, remove, insert } of edits) {
          const i = Math.min(at, text.length);
          text = text.slice(0, i) + insert + text.slice(i + remove);
        }
        return onlyVidaiErrors(() => decodeWireMessage(text));
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary JSON values in every field yield a message or a VidaiError', () => {
    const base = JSON.parse(validText) as Record<string, unknown>;
    const fields = [...Object.keys(base), 'detections.0', 'detections.0.box', 'detections.0.box.1', 'detections.0.label', 'timings.inference'];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 3 }), (field, value) => {
        const message = JSON.parse(validText) as Record<string, unknown>;
        const path = field.split('.');
        let target = message as Record<string, unknown>;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path[path.length - 1]!] = value;
        return onlyVidaiErrors(() => validateWireMessage(message)) && onlyVidaiErrors(() => decodeWireMessage(JSON.stringify(message)));
      }),
      { numRuns: 500 },
    );
  });

  it('any well-formed result survives encode and decode', () => {
    const arbDetection = fc.record({
      box: fc.tuple(...Array.from({ length: 4 }, () => fc.double({ min: -1e6, max: 1e6, noNaN: true }))),
      score: fc.double({ min: 0, max: 1, noNaN: true }),
      classId: fc.nat({ max: 1000 }),
      label: fc.string({ maxLength: 128 }),
    });
    fc.assert(
      fc.property(fc.array(arbDetection, { maxLength: 50 }), fc.nat(), (detections, seq) => {
        const text = encodeDetectionMessage({ ...result, seq, detections: detections as Detection[] });
        const message = decodeDetectionMessage(text);
        expect(message.seq).toBe(seq);
        expect(message.detections.length + (message.truncated ?? 0)).toBe(detections.length);
        for (const [i, d] of message.detections.entries()) {
          expect(d.label).toBe(detections[i]!.label);
          expect(Math.abs(d.score - detections[i]!.score)).toBeLessThanOrEqual(0.00005 + 1e-12);
          for (let k = 0; k < 4; k++) expect(Math.abs(d.box[k]! - detections[i]!.box[k]!)).toBeLessThanOrEqual(0.005 + 1e-9);
        }
      }),
      { numRuns: 200 },
    );
  });
});

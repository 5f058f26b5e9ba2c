import { describe, expect, test } from 'vitest';
import { FrameAssembler } from '../src/frame-assembler.js';

/** A byte stream of `count` frames where every byte says which frame and offset it is. */
function stream(frameBytes: number, count: number): Uint8Array {
  const bytes = new Uint8Array(frameBytes * count);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.floor(i / frameBytes) * 31 + (i % frameBytes)) & 0xff;
  return bytes;
}

describe('FrameAssembler', () => {
  test('cuts a stream split at arbitrary points into exactly the original frames', () => {
    const frameBytes = 1000;
    const bytes = stream(frameBytes, 7);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const assembler = new FrameAssembler(frameBytes);
    const frames: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + Math.floor(random() * 2500); // smaller and larger than a frame
      assembler.push(bytes.subarray(at, at + size));
      at += size;
      for (let frame = assembler.next(); frame; frame = assembler.next()) frames.push(frame);
    }
    expect(frames).toHaveLength(7);
    frames.forEach((frame, i) => {
      expect(frame.byteLength).toBe(frameBytes);
      expect(Buffer.compare(Buffer.from(frame), Buffer.from(bytes.subarray(i * frameBytes, (i + 1) * frameBytes)))).toBe(0);
    });
    expect(assembler.bufferedBytes).toBe(0);
  });

  test('holds back a partial frame until it is complete, and frames do not share memory with chunks', () => {
    const assembler = new FrameAssembler(4);
    const chunk = Uint8Array.of(1, 2, 3);
    assembler.push(chunk);
    expect(assembler.hasFrame).toBe(false);
    expect(assembler.next()).toBeUndefined();
    assembler.push(Uint8Array.of(4, 5));
    const frame = assembler.next()!;
    expect([...frame]).toEqual([1, 2, 3, 4]);
    chunk[0] = 99;
    expect(frame[0]).toBe(1);
    expect(frame.buffer.byteLength).toBe(4);
    expect(assembler.bufferedBytes).toBe(1);
    assembler.reset();
    expect(assembler.bufferedBytes).toBe(0);
  });

  test('rejects a frame size that is not a positive integer', () => {
    expect(() => new FrameAssembler(0)).toThrow(TypeError);
    expect(() => new FrameAssembler(1.5)).toThrow(TypeError);
  });
});

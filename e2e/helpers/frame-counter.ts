import type { Frame } from '@vidai/core';

/**
 * The frame counter the latency benches and the frame-pairing test draw into video:
 * `COUNTER_BITS` blocks across the top `COUNTER_BLOCK_HEIGHT` rows, white = 1, lowest bit
 * on the left. Pages draw it with these numbers; Node reads it back with
 * {@link readFrameCounter}.
 */
export const COUNTER_BITS = 16;
/** Height of the counter's blocks, in pixels of the drawn picture. */
export const COUNTER_BLOCK_HEIGHT = 24;

/**
 * Reads the counter from a decoded rgb, bgr, rgba or gbrp (planar, green first) frame. `drawnHeight` is the height
 * of the picture the counter was drawn on, so a frame the encoder scaled still reads
 * right (the block centres are sampled, 4x4 pixels each, on the green channel).
 */
export function readFrameCounter(frame: Frame, drawnHeight: number): number {
  // Bytes from one pixel to the next, and where green is within a pixel.
  const bpp = frame.format === 'gbrp' ? 1 : frame.format === 'rgba' ? 4 : 3;
  const green = frame.format === 'gbrp' ? 0 : 1;
  const blockW = frame.width / COUNTER_BITS;
  const y0 = Math.round((COUNTER_BLOCK_HEIGHT / 2 / drawnHeight) * frame.height) - 2;
  let value = 0;
  for (let b = 0; b < COUNTER_BITS; b++) {
    const x0 = Math.round(blockW * (b + 0.5)) - 2;
    let sum = 0;
    for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 4; x++) sum += frame.data[(y * frame.width + x) * bpp + green]!;
    if (sum / 16 > 128) value |= 1 << b;
  }
  return value;
}

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

/** What {@link startCounterCanvas} leaves on the page, as `globalThis.counterCanvas`. */
export interface CounterCanvas {
  /** The canvas's stream; a frame goes out at each `draw()`. */
  stream: MediaStream;
  /** When each counter value was drawn, `performance.timeOrigin + performance.now()` ms. */
  drawnAt: Map<number, number>;
  /** Draws the photo with the next counter value and sends the frame. */
  draw(): void;
}

/**
 * Runs in a page, as `page.evaluate(startCounterCanvas, options)`: loads the photo at
 * `image`, makes a `width` x `height` canvas with the photo and the frame counter on
 * it (`bits` blocks `blockHeight` pixels high, as {@link readFrameCounter} reads them),
 * draws the first frame and keeps the {@link CounterCanvas} on `globalThis.counterCanvas`.
 * Playwright sends only the function's source, so it names nothing outside itself.
 */
export async function startCounterCanvas(options: { image: string; width: number; height: number; bits: number; blockHeight: number }): Promise<void> {
  const { image, width, height, bits, blockHeight } = options;
  const img = new Image();
  img.src = image;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  document.body.append(canvas);
  const ctx = canvas.getContext('2d')!;
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
  const drawnAt = new Map<number, number>();
  let counter = 1;
  const draw = () => {
    ctx.drawImage(img, 0, 0, width, height);
    const w = width / bits;
    for (let b = 0; b < bits; b++) {
      ctx.fillStyle = (counter >> b) & 1 ? '#fff' : '#000';
      ctx.fillRect(Math.floor(b * w), 0, Math.ceil(w), blockHeight);
    }
    track.requestFrame();
    drawnAt.set(counter, performance.timeOrigin + performance.now());
    counter = (counter + 1) & 0xffff || 1;
  };
  draw();
  (globalThis as unknown as { counterCanvas: CounterCanvas }).counterCanvas = { stream, drawnAt, draw };
}

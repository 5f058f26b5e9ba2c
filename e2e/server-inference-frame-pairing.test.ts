/**
 * Results paired with the exact local frame they were detected on: headless Chromium's
 * fake camera plays a y4m whose frames carry a 16-bit counter drawn as black/white
 * blocks; the server reads the counter from the decoded pixels (as the result's `seq`)
 * and stamps each result with the frame's RTP timestamp; the page maps that RTP
 * timestamp to a local capture time (InferenceClient.frameClock, calibrated from the
 * sender's encoded transform and the preview's requestVideoFrameCallback), reads the
 * counter of the preview frame with that capture time, and hands the result to an
 * Overlay that draws by capture time. The counters must agree.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumHandle } from './helpers/chromium.js';
import { startInferenceFixture, type InferenceFixture } from './helpers/inference-fixture.js';
import type { StaticServer } from './helpers/static-server.js';
import { COUNTER_BITS, COUNTER_BLOCK_HEIGHT, readFrameCounter } from './helpers/frame-counter.js';

const WIDTH = 640;
const HEIGHT = 480;
const FPS = 15;
const FRAMES = 300; // 20 s before the fake camera loops (the counter then repeats)
const BITS = COUNTER_BITS;
const BLOCK_H = COUNTER_BLOCK_HEIGHT;
const token = 'e2e-token';

let dir: string;
let fixture: InferenceFixture;
let page: StaticServer;
let chromium: ChromiumHandle;
let serverUrl: string;

/** A y4m (I420) where frame i shows i as 16 blocks across the top (white = 1) over a gray gradient. */
async function writeCounterY4m(path: string): Promise<void> {
  const ySize = WIDTH * HEIGHT;
  const cSize = ySize / 4;
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F${FPS}:1 Ip A1:1 C420jpeg\n`);
  const frameHeader = Buffer.from('FRAME\n');
  const parts: Buffer[] = [header];
  for (let i = 0; i < FRAMES; i++) {
    const frame = Buffer.alloc(ySize + 2 * cSize, 128);
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        const bit = Math.floor(x / (WIDTH / BITS));
        frame[y * WIDTH + x] = y < BLOCK_H ? ((i >> bit) & 1 ? 235 : 16) : 60 + ((x + y + i * 4) % 120);
      }
    }
    parts.push(frameHeader, frame);
  }
  await writeFile(path, Buffer.concat(parts));
}


const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!;
};

/** What the server's decoder handed out (by default it scales to the detector's input while converting). */
const decodedFormats = new Set<string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidai-pairing-'));
  const y4m = join(dir, 'counter.y4m');
  await writeCounterY4m(y4m);
  fixture = await startInferenceFixture({
    y4m,
    token,
    server: {
      mapFrame: (frame) => {
        decodedFormats.add(`${frame.format} ${frame.width}x${frame.height} of ${frame.displayWidth}x${frame.displayHeight}`);
        return { ...frame, seq: readFrameCounter(frame, HEIGHT) };
      },
    },
  });
  ({ page, chromium, serverUrl } = fixture);
}, 120_000);

afterAll(async () => {
  await fixture?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('server-side inference, results paired with local frames by RTP timestamp', () => {
  it('maps most results to the capture time of the very frame the server decoded', async () => {
    const tab = await chromium.context.newPage();
    try {
      await tab.goto(`${page.url}/index.html`);
      await tab.waitForFunction(() => 'vidai' in globalThis);
      const out = await tab.evaluate(
        async ({ url, token, width, height, bits, blockH, count }) => {
          const { InferenceClient, Overlay } = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
          const stream = await navigator.mediaDevices.getUserMedia({ video: { width, height, frameRate: 15 } });
          const video = document.createElement('video');
          video.muted = true;
          video.srcObject = stream;
          document.body.append(video);
          await video.play();
          const client = new InferenceClient(stream, { url, token, codec: 'vp8', reconnect: false });
          const clock = client.frameClock;
          if (!clock) return { pairing: client.pairing };
          // Counter of every preview frame, by capture time, read at requestVideoFrameCallback time.
          const canvas = document.createElement('canvas');
          canvas.width = width;
          canvas.height = blockH;
          const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
          const counters = new Map<number, number>();
          const drawnOn = new Map<number, number>(); // result seq -> capture time of the first frame it was drawn on
          let lastCapture: number | undefined;
          const overlay = Overlay.attach(video, {
            frameTime: (v, metadata) => {
              // What the overlay drew on the previous frame.
              const current = overlay?.current;
              if (current && lastCapture !== undefined && !drawnOn.has(current.seq)) drawnOn.set(current.seq, lastCapture);
              const t = clock.frameTime(v, metadata);
              if (metadata?.captureTime !== undefined) {
                ctx.drawImage(v, 0, 0, width, height, 0, 0, width, height);
                const pixels = ctx.getImageData(0, 0, width, blockH).data;
                let value = 0;
                for (let b = 0; b < bits; b++) {
                  const x = Math.round((width / bits) * (b + 0.5));
                  if (pixels[(Math.round(blockH / 2) * width + x) * 4]! > 128) value |= 1 << b;
                }
                counters.set(metadata.captureTime, value);
                lastCapture = metadata.captureTime;
              }
              return t;
            },
          });
          const results: Array<{ seq: number; rtpTimestamp: number | undefined; captureTime: number | undefined }> = [];
          const errors: string[] = [];
          client.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
          await new Promise<void>((resolve, reject) => {
            client.on('detections', ({ message, captureTime }) => {
              results.push({ seq: message.seq, rtpTimestamp: message.rtpTimestamp, captureTime });
              if (captureTime !== undefined) {
                overlay.push({ ...message, timestamp: captureTime, timings: { preprocess: 0, inference: 0, postprocess: 0 } });
              }
              if (results.length >= count) resolve();
            });
            client.on('state', (s) => s === 'closed' && reject(new Error(`client closed: ${errors.join('; ')}`)));
          });
          await new Promise((r) => setTimeout(r, 300)); // let the last frames be presented
          const pairing = client.pairing;
          client.close();
          overlay.close();
          stream.getTracks().forEach((t) => t.stop());
          // Results mapped before their frame was presented got an estimate: look it up within 2 ms.
          const counterAt = (t: number) => {
            for (const [c, v] of counters) if (Math.abs(c - t) <= 2) return { value: v, error: c - t };
            return undefined;
          };
          return {
            pairing,
            errors,
            results: results.map((r) => ({ ...r, local: r.captureTime === undefined ? undefined : counterAt(r.captureTime), drawnOn: drawnOn.get(r.seq) })),
          };
        },
        { url: serverUrl, token, width: WIDTH, height: HEIGHT, bits: BITS, blockH: BLOCK_H, count: 45 },
      );
      expect(out.pairing).toBe('rtp-timestamp');
      // The decoder scaled the 640x480 pictures to the letterbox's 416x312, planar, and the counter still reads.
      expect([...decodedFormats]).toEqual(['gbrp 416x312 of 640x480']);
      const results = out.results!;
      expect(out.errors).toEqual([]);
      // Every result names its frame by RTP timestamp.
      for (const r of results) expect(r.rtpTimestamp).toEqual(expect.any(Number));
      const mapped = results.filter((r) => r.captureTime !== undefined);
      const matched = mapped.filter((r) => r.local !== undefined);
      const exact = matched.filter((r) => r.local!.value === r.seq);
      const wrong = matched.filter((r) => r.local!.value !== r.seq).map((r) => ({ server: r.seq, local: r.local!.value }));
      const drawnOnOwn = mapped.filter((r) => r.drawnOn === r.captureTime);
      console.log(
        `frame pairing: ${mapped.length}/${results.length} results mapped, ${matched.length} to a presented frame, ` +
          `${exact.length} with the same counter; max |capture time error| ${Math.max(0, ...matched.map((r) => Math.abs(r.local!.error))).toFixed(2)} ms; ` +
          `drawn on their own frame first: ${drawnOnOwn.length}, later by median ${median(mapped.filter((r) => r.drawnOn !== undefined).map((r) => r.drawnOn! - r.captureTime!)).toFixed(1)} ms; ` +
          `mismatches ${JSON.stringify(wrong)}`,
      );
      expect(mapped.length / results.length).toBeGreaterThanOrEqual(0.8);
      expect(matched.length / mapped.length).toBeGreaterThanOrEqual(0.8);
      // The local frame a result is mapped to is the frame the server decoded, every time.
      expect(wrong).toEqual([]);
      expect(new Set(exact.map((r) => r.seq)).size).toBeGreaterThan(20); // the counters were really read, and vary
      // The overlay drew results on frames at or after their own capture time, never before.
      for (const r of mapped) if (r.drawnOn !== undefined) expect(r.drawnOn).toBeGreaterThanOrEqual(r.captureTime! - 1);
    } finally {
      await tab.close();
    }
  });
});

/**
 * Phone to desktop on loopback, measured: two headless Chromium browsers (the phone and
 * the desktop) linked by PeerLink through a real SignalingServer.
 *
 * 1. Start-up: the desktop page is opened `--loads` times (the first with an empty
 *    model cache); for each, the time from its navigation start to the remote track and
 *    to the first detection (the phone is already in the room, as when a QR code is
 *    scanned before the desktop page is reloaded).
 * 2. Steady state for `--seconds`: the phone draws a photo and a 16-bit frame counter
 *    into a canvas and sends `canvas.captureStream()`; the desktop reads the counter of
 *    every frame it shows, detects with BrowserDetector (DetectionLoop, latest-frame-wins)
 *    and sends the detections back with the counter as `seq`; the phone measures from
 *    drawing frame N to receiving its boxes. Stages: video (drawn on the phone to shown
 *    on the desktop, clock offset from the DataChannel pings), detect (shown to result),
 *    return (DataChannel), and the total on the phone's own clock.
 *
 *   npx tsx bench/phone-to-desktop.bench.ts [--seconds 30] [--fps 15] [--width 768 --height 576] [--loads 3]
 */
import { parseArgs } from 'node:util';
import { SignalingServer } from '@vidai/node';
import { bundleBrowser } from '../e2e/helpers/browser-bundle.js';
import { launchChromium } from '../e2e/helpers/chromium.js';
import { serveDetectorApp } from '../e2e/helpers/detector-app.js';
import { quantile, formatMs } from './stats.js';
import { COUNTER_BITS, COUNTER_BLOCK_HEIGHT, startCounterCanvas, type CounterCanvas } from '../e2e/helpers/frame-counter.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    fps: { type: 'string', default: '15' },
    width: { type: 'string', default: '768' },
    height: { type: 'string', default: '576' },
    loads: { type: 'string', default: '3' },
  },
});
const SECONDS = Number(values.seconds);
const FPS = Number(values.fps);
const WIDTH = Number(values.width);
const HEIGHT = Number(values.height);
const LOADS = Number(values.loads);
const BITS = COUNTER_BITS;
const BLOCK_H = COUNTER_BLOCK_HEIGHT;
const ROOM = 'bench-room';

type Vidai = typeof import('@vidai/browser');

const bundle = await bundleBrowser();
const app = await serveDetectorApp(bundle, { isolated: false });
const signaling = new SignalingServer({ allowedOrigins: [app.url] });
const { url } = await signaling.listen();
const token = signaling.roomToken(ROOM);
const [phoneBrowser, desktopBrowser] = await Promise.all([launchChromium(), launchChromium()]);

// The phone: a canvas with the photo and a frame counter, published with PeerLink.
const phone = await phoneBrowser.context.newPage();
await phone.goto(`${app.url}/`);
await phone.waitForFunction(() => 'vidai' in globalThis);
await phone.evaluate(startCounterCanvas, { image: '/images/dog.jpg', width: WIDTH, height: HEIGHT, bits: BITS, blockHeight: BLOCK_H });
await phone.evaluate(
  async ({ url, token, room, fps }) => {
    const v = (globalThis as unknown as { vidai: Vidai }).vidai;
    const { stream, drawnAt, draw } = (globalThis as unknown as { counterCanvas: CounterCanvas }).counterCanvas;
    setInterval(draw, 1000 / fps);
    const samples: Array<{ seq: number; drawn: number; received: number; transport: number | undefined; labels: string[] }> = [];
    const link = new v.PeerLink({ url, room, token, role: 'sender', stream, peerId: 'phone' });
    link.on('detections', ({ message, receivedAt, transportMs }) => {
      const drawn = drawnAt.get(message.seq);
      if (drawn !== undefined) samples.push({ seq: message.seq, drawn, received: receivedAt, transport: transportMs, labels: message.detections.map((d) => d.label) });
    });
    (globalThis as unknown as { __samples: typeof samples }).__samples = samples;
    await link.joined();
  },
  { url, token, room: ROOM, fps: FPS },
);

/** Opens the desktop page; resolves with its start-up times (ms from navigation start). */
async function openDesktop(peerId: string) {
  const page = await desktopBrowser.context.newPage();
  await page.goto(`${app.url}/`);
  await page.waitForFunction(() => 'vidai' in globalThis);
  const startup = await page.evaluate(
    async ({ url, token, room, peerId, bits, blockH, srcHeight }) => {
      const v = (globalThis as unknown as { vidai: Vidai }).vidai;
      const now = () => performance.timeOrigin + performance.now();
      const video = document.createElement('video');
      video.muted = true;
      document.body.append(video);
      const strip = document.createElement('canvas');
      const sctx = strip.getContext('2d', { willReadFrequently: true })!;
      const shown = new Map<number, { counter: number; at: number }>(); // by frame time (ms)
      const samples: Array<{ seq: number; shown: number; result: number; offset: number | undefined }> = [];
      const link = new v.PeerLink({ url, room, token, role: 'viewer', peerId });
      const detector = v.BrowserDetector.create({ model: 'yolox-nano', modelBaseUrl: '/models/', executionProviders: ['wasm'] });
      let trackAt = 0;
      let firstResultAt = 0;
      // Reads the counter of every frame shown.
      const onFrame = (_: number, meta: VideoFrameCallbackMetadata) => {
        const w = video.videoWidth;
        const h = video.videoHeight;
        strip.width = w;
        strip.height = 8;
        const y = Math.round((blockH / 2 / srcHeight) * h) - 4;
        sctx.drawImage(video, 0, y, w, 8, 0, 0, w, 8);
        const data = sctx.getImageData(0, 0, w, 8).data;
        let counter = 0;
        for (let b = 0; b < bits; b++) {
          const x = Math.round((w / bits) * (b + 0.5));
          if (data[(4 * w + x) * 4 + 1]! > 128) counter |= 1 << b;
        }
        shown.set(meta.mediaTime * 1000, { counter, at: now() });
        if (shown.size > 600) shown.delete(shown.keys().next().value!);
        video.requestVideoFrameCallback(onFrame);
      };
      await new Promise<void>((resolve) => {
        link.on('track', async ({ stream }) => {
          trackAt = performance.now();
          video.srcObject = stream;
          await video.play();
          video.requestVideoFrameCallback(onFrame);
          const loop = v.DetectionLoop.start({ source: new v.VideoElementSource(video), detector: await detector });
          loop.on('result', (result) => {
            if (!firstResultAt) {
              firstResultAt = performance.now();
              resolve();
            }
            const frame = shown.get(result.timestamp);
            if (!frame) return;
            const offset = link.peers()[0]?.clockOffsetMs;
            samples.push({ seq: frame.counter, shown: frame.at, result: now(), offset });
            link.sendDetections({ ...result, seq: frame.counter });
          });
        });
      });
      (globalThis as unknown as { __samples: typeof samples; __link: typeof link }).__samples = samples;
      (globalThis as unknown as { __link: typeof link }).__link = link;
      return { trackAt, firstResultAt };
    },
    { url, token, room: ROOM, peerId, bits: BITS, blockH: BLOCK_H, srcHeight: HEIGHT },
  );
  return { page, startup };
}

console.log(`\nphone to desktop on loopback: ${WIDTH}x${HEIGHT} canvas at ${FPS} fps, YOLOX-Nano in the desktop page (onnxruntime-web wasm)`);
let desktop!: Awaited<ReturnType<typeof openDesktop>>;
for (let i = 0; i < LOADS; i++) {
  desktop = await openDesktop(`desktop-${i}`);
  console.log(
    `desktop page load ${i + 1}${i === 0 ? ' (model not cached)' : ' (model in the Cache API)'}: navigation start -> remote track ${desktop.startup.trackAt.toFixed(0)} ms, -> first detection ${desktop.startup.firstResultAt.toFixed(0)} ms`,
  );
  if (i < LOADS - 1) {
    await desktop.page.evaluate(() => (globalThis as unknown as { __link: { close(): void } }).__link.close());
    await desktop.page.close();
  }
}

// Steady state.
const startedAt = Date.now();
await phone.evaluate(() => ((globalThis as unknown as { __samples: unknown[] }).__samples.length = 0));
await desktop.page.evaluate(() => ((globalThis as unknown as { __samples: unknown[] }).__samples.length = 0));
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const phoneSamples = await phone.evaluate(
  () => (globalThis as unknown as { __samples: Array<{ seq: number; drawn: number; received: number; transport: number | undefined; labels: string[] }> }).__samples,
);
const desktopSamples = await desktop.page.evaluate(
  () => (globalThis as unknown as { __samples: Array<{ seq: number; shown: number; result: number; offset: number | undefined }> }).__samples,
);
const bySeq = new Map(desktopSamples.map((s) => [s.seq, s]));
const stages: Record<string, number[]> = { video: [], detect: [], return: [], total: [] };
for (const p of phoneSamples) {
  stages.total!.push(p.received - p.drawn);
  if (p.transport !== undefined) stages.return!.push(p.transport);
  const d = bySeq.get(p.seq);
  if (!d) continue;
  if (d.offset !== undefined) stages.video!.push(d.shown + d.offset - p.drawn);
  stages.detect!.push(d.result - d.shown);
}
const elapsed = (Date.now() - startedAt) / 1000;
console.log(`steady state, ${elapsed.toFixed(0)} s: ${desktopSamples.length} detections on the desktop (${(desktopSamples.length / elapsed).toFixed(1)}/s), ${phoneSamples.length} boxes back on the phone`);
console.log(`last labels on the phone: ${phoneSamples.at(-1)?.labels.join(', ')}`);
console.log('stage (ms)                             p50     p95     max');
for (const [name, v] of Object.entries(stages)) {
  console.log(`${name.padEnd(34)} ${formatMs(quantile(v, 0.5))} ${formatMs(quantile(v, 0.95))} ${formatMs(Math.max(...v))}`);
}
console.log('video: drawn on the phone -> shown on the desktop; detect: shown -> result (waits for a free Worker, then inference);');
console.log('return: DataChannel desktop -> phone; total: drawn -> boxes received on the phone (one clock).');

await Promise.all([phoneBrowser.close(), desktopBrowser.close()]);
await signaling.close();
await app.close();
await bundle.remove();

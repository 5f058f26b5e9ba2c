/**
 * Glass-to-glass latency of server-side inference on loopback, measured honestly:
 * the page draws a photo plus a frame counter (16 black/white blocks) into a canvas,
 * sends `canvas.captureStream()` to a real InferenceServer (werift, node-av, YOLOX-Nano
 * on onnxruntime-node), the server reads the counter back from the decoded pixels and
 * reports it as the result's `seq`, and the page measures from drawing frame N to
 * receiving the result for frame N; `render` adds the wait for the next animation frame
 * (where an overlay draws the boxes). Only frames the detector processed have results
 * (latest-frame-wins drops the others).
 *
 *   npm run bench:e2e                                   # 1 peer, 15 fps, 60 s
 *   npm run bench:e2e -- --peers 4 --fps 5 --seconds 30 # capacity run
 *   npm run bench:e2e -- --workers 2                    # detector in 2 worker threads (WorkerDetector)
 *   options: --codec vp8|h264, --threads N (onnxruntime intra-op, per worker with --workers),
 *   --workers N (0, the default: createNodeDetector in the main thread), --width/--height, --image
 *
 * Prints p50 / p95 / max, the per-stage split (capture+encode+network, decode, queue,
 * detector wait, preprocess, inference, postprocess, return, render: to the next animation frame), p95 of the first and last 10 s, and for
 * several peers the per-peer p95 and the server's memory per peer, and the server's event-loop
 * delay while the peers run (monitorEventLoopDelay: how long RTP, DTLS/SCTP, decoding and
 * DataChannel sends waited for the main thread).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import type { Detector, Frame } from '@vidai/core';
import { InferenceServer, WorkerDetector, createNodeDetector } from '@vidai/node';
import { bundleBrowser } from '../e2e/helpers/browser-bundle.js';
import { launchChromium } from '../e2e/helpers/chromium.js';
import { startStaticServer } from '../e2e/helpers/static-server.js';
import { quantile, formatMs } from './stats.js';
import { COUNTER_BITS, COUNTER_BLOCK_HEIGHT, readFrameCounter, startCounterCanvas, type CounterCanvas } from '../e2e/helpers/frame-counter.js';
import { sharedPath } from '../test/helpers/shared-data.js';

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '1' },
    fps: { type: 'string', default: '15' },
    seconds: { type: 'string', default: '60' },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '480' },
    codec: { type: 'string', default: 'vp8' },
    image: { type: 'string', default: sharedPath('images/dog.jpg') },
    threads: { type: 'string' },
    workers: { type: 'string', default: '0' },
  },
});
const PEERS = Number(values.peers);
const FPS = Number(values.fps);
const SECONDS = Number(values.seconds);
const WIDTH = Number(values.width);
const HEIGHT = Number(values.height);
const CODEC = values.codec as 'vp8' | 'h264';
const WORKERS = Number(values.workers);


const modelOptions = {
  model: 'yolox-nano',
  cacheDir: sharedPath('models'),
  download: false,
  ...(values.threads ? { intraOpNumThreads: Number(values.threads) } : {}),
} as const;
const detector: Detector =
  WORKERS > 0 ? await WorkerDetector.create({ ...modelOptions, workers: WORKERS }) : (await createNodeDetector(modelOptions)).detector;
const bundle = await bundleBrowser();
const photo = await readFile(values.image!);
const page = await startStaticServer({
  dirs: { '/': bundle.dir },
  routes: {
    '/index.html': '<!doctype html><meta charset="utf-8"><script type="module" src="/vidai.js"></script>',
    '/photo.jpg': { body: new Uint8Array(photo), type: 'image/jpeg' },
  },
});
const token = 'bench';
const server = new InferenceServer({
  detector,
  auth: token,
  allowedOrigins: [page.url],
  maxPeers: PEERS + 1,
  rateLimit: false,
  mapFrame: (frame) => ({ ...frame, seq: readFrameCounter(frame, HEIGHT) }),
});
const { url: serverUrl } = await server.listen();
// Warm the session up so the first results do not carry the first-run cost.
const blank: Frame = { data: new Uint8Array(WIDTH * HEIGHT * 3), width: WIDTH, height: HEIGHT, format: 'bgr', timestamp: 0, seq: 0 };
await Promise.all(Array.from({ length: Math.max(1, WORKERS) }, () => detector.detect(blank)));
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const browser = await launchChromium();

interface Sample {
  t: number;
  total: number;
  stages: Record<string, number>;
}

async function runPeer(index: number): Promise<Sample[]> {
  const tab = await browser.context.newPage();
  await tab.goto(`${page.url}/index.html`);
  await tab.waitForFunction(() => 'vidai' in globalThis);
  await tab.evaluate(startCounterCanvas, { image: '/photo.jpg', width: WIDTH, height: HEIGHT, bits: COUNTER_BITS, blockHeight: COUNTER_BLOCK_HEIGHT });
  return tab.evaluate(
    async ({ url, token, fps, seconds, codec }) => {
      const { InferenceClient } = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
      const { stream, drawnAt, draw } = (globalThis as unknown as { counterCanvas: CounterCanvas }).counterCanvas;
      const now = () => performance.timeOrigin + performance.now();
      const client = new InferenceClient(stream, { url, token, codec, reconnect: false });
      await client.connected();
      const samples: Array<{ t: number; total: number; stages: Record<string, number> }> = [];
      const start = now();
      client.on('detections', ({ message, receivedAt, frameArrivedAt, returnMs }) => {
        const drawn = drawnAt.get(message.seq);
        if (drawn === undefined) return;
        const timings = message.timings ?? {};
        const stages: Record<string, number> = {};
        if (frameArrivedAt !== undefined) stages['capture+encode+network'] = frameArrivedAt - drawn;
        for (const k of ['decode', 'queue', 'preprocess', 'inference', 'postprocess']) if (timings[k] !== undefined) stages[k] = timings[k]!;
        // Time inside detect() not spent in its own stages: waiting for a detector shared with other peers.
        if (timings.total !== undefined) {
          stages['detector wait'] = timings.total - ['decode', 'queue', 'preprocess', 'inference', 'postprocess'].reduce((sum, k) => sum + (timings[k] ?? 0), 0);
        }
        if (returnMs !== undefined) stages.return = returnMs;
        // The server's share: from the frame's arrival (its last packet) to sending the result.
        if (timings.server !== undefined) stages.server = timings.server;
        // render: until the next animation frame, where an overlay would draw the boxes.
        // (A stage only: headless Chromium throttles animation frames of all but one tab,
        // so with several peers it measures the throttling.)
        samples.push({ t: receivedAt - start, total: receivedAt - drawn, stages });
        requestAnimationFrame(() => (stages.render = now() - receivedAt));
      });
      const timer = setInterval(draw, 1000 / fps);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      clearInterval(timer);
      client.close();
      return samples;
    },
    { url: serverUrl, token, fps: FPS, seconds: SECONDS, codec: CODEC },
  );
}

let rssDuring = 0;
const memoryProbe = setInterval(() => (rssDuring = Math.max(rssDuring, process.memoryUsage().rss)), 1000);
const started = Date.now();
const serverStats: ReturnType<InferenceServer['stats']>[] = [];
const statsProbe = setInterval(() => serverStats.push(server.stats()), 5000);
const LOOP_RESOLUTION_MS = 5;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();
const results = await Promise.all(Array.from({ length: PEERS }, (_, i) => runPeer(i)));
loopDelay.disable();
clearInterval(memoryProbe);
clearInterval(statsProbe);

console.log(`\nserver-side inference, glass-to-glass on loopback: ${PEERS} peer(s), ${FPS} fps, ${SECONDS} s, ${WIDTH}x${HEIGHT} ${CODEC}, YOLOX-Nano (onnxruntime-node CPU, ${WORKERS > 0 ? `${WORKERS} worker thread(s), ${values.threads ?? 'cores / workers'}` : `main thread, ${values.threads ?? 'default'}`} intra-op threads), ${(Date.now() - started) / 1000} s wall`);
for (const [i, samples] of results.entries()) {
  const totals = samples.map((s) => s.total);
  const first = samples.filter((s) => s.t < 10_000).map((s) => s.total);
  const last = samples.filter((s) => s.t >= (SECONDS - 10) * 1000).map((s) => s.total);
  const server = samples.map((s) => s.stages.server).filter((x): x is number => x !== undefined);
  console.log(
    `peer ${i}: results ${samples.length} (${(samples.length / SECONDS).toFixed(1)}/s)  total ms p50 ${formatMs(quantile(totals, 0.5))} p95 ${formatMs(quantile(totals, 0.95))} max ${formatMs(Math.max(...totals))}   p95 first 10 s ${formatMs(quantile(first, 0.95))} last 10 s ${formatMs(quantile(last, 0.95))}   server p50 ${formatMs(quantile(server, 0.5))} p95 ${formatMs(quantile(server, 0.95))}`,
  );
  if (i === 0 || PEERS === 1) {
    // Per 10 s window: a drift would show as a rising total with a flat inference time.
    const windows: string[] = [];
    for (let w = 0; w * 10 < SECONDS; w++) {
      const inWindow = samples.filter((s) => s.t >= w * 10_000 && s.t < (w + 1) * 10_000);
      const tot = inWindow.map((s) => s.total);
      const inf = inWindow.map((s) => s.stages.inference).filter((x): x is number => x !== undefined);
      windows.push(`${w * 10}-${w * 10 + 10}s ${quantile(tot, 0.5).toFixed(0)}/${quantile(tot, 0.95).toFixed(0)} (inference p50 ${quantile(inf, 0.5).toFixed(0)})`);
    }
    console.log(`   total p50/p95 ms per window: ${windows.join(', ')}`);
    const names = [...new Set(samples.flatMap((s) => Object.keys(s.stages)))];
    for (const name of names) {
      const v = samples.map((s) => s.stages[name]).filter((x): x is number => x !== undefined);
      console.log(`   ${name.padEnd(24)} p50 ${formatMs(quantile(v, 0.5))} p95 ${formatMs(quantile(v, 0.95))}`);
    }
  }
}
const last = serverStats.at(-1) ?? [];
for (const s of last) {
  console.log(
    `server peer ${s.id.slice(0, 8)}: codec ${s.codec} received ${s.framesReceived} decoded ${s.framesDecoded} processed ${s.framesProcessed} dropped ${s.framesDropped} lost packets ${s.packetsLost} PLI ${s.keyFrameRequests} bitrate ${(s.bitrate / 1000).toFixed(0)} kbit/s decode p50 ${formatMs(s.latency.decode?.p50 ?? NaN)} ms`,
  );
}
// The histogram holds the intervals of a 5 ms timer: the delay is what exceeds 5 ms.
const ms = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS).toFixed(1);
console.log(
  `server event-loop delay while peers ran: p50 ${ms(loopDelay.percentile(50))} p99 ${ms(loopDelay.percentile(99))} max ${ms(loopDelay.max)} ms`,
);
console.log(`server RSS: before peers ${(rssBefore / 2 ** 20).toFixed(0)} MiB, peak with peers ${(rssDuring / 2 ** 20).toFixed(0)} MiB, per peer ${((rssDuring - rssBefore) / PEERS / 2 ** 20).toFixed(1)} MiB`);

await browser.close();
await server.close();
await page.close();
await bundle.remove();
await detector.close();

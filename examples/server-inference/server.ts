/**
 * Server-side inference example: one command starts an inference server that also
 * serves a page; the page sends the camera over WebRTC and draws the boxes the server
 * finds with YOLOX-Nano.
 *
 *   npm run example:server-inference                 # http://localhost:8080
 *   npm run example:server-inference -- --https     # https on all interfaces, for a phone
 *
 * Options: --port N, --host ADDR, --https (self-signed certificate made with openssl),
 * --model ID|PATH (default yolox-nano; VIDAI_MODEL_DIR is the model cache), --ice URL
 * (a STUN server for clients behind NAT; default none), --workers N (detector worker
 * threads, one per camera served at once; default: the number of cores, at most 4;
 * 0 runs the detector in the main thread).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { InferenceServer, WorkerDetector, createNodeDetector, type Detector } from '@vidai/node';
import { createExampleServer, lanUrls } from '../shared/example-server.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    host: { type: 'string' },
    https: { type: 'boolean', default: false },
    model: { type: 'string', default: 'yolox-nano' },
    ice: { type: 'string' },
    workers: { type: 'string', default: String(Math.min(4, availableParallelism())) },
  },
});
const host = values.host ?? (values.https ? '0.0.0.0' : '127.0.0.1');

// Inference runs in worker threads, so the main thread keeps receiving video, decoding
// and sending results for every camera while a frame is being detected.
const workers = Number(values.workers);
let detector: Detector;
if (workers > 0) {
  const pool = await WorkerDetector.create({ model: values.model!, scoreThreshold: 0.35, workers });
  pool.on('error', (error) => console.error(`detector worker: ${error.message}`));
  console.log(`model ${values.model} on ${pool.executionProvider}, ${workers} worker thread(s)`);
  detector = pool;
} else {
  const node = await createNodeDetector({ model: values.model!, scoreThreshold: 0.35 });
  console.log(`model ${values.model} on ${node.executionProvider}, in the main thread`);
  detector = node.detector;
}

// The page script, bundled from the public API of @vidai/browser.
const bundle = await build({
  entryPoints: [join(here, 'page.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'error',
  alias: {
    '@vidai/core': fileURLToPath(new URL('../../packages/core/src/index.ts', import.meta.url)),
    '@vidai/browser': fileURLToPath(new URL('../../packages/browser/src/index.ts', import.meta.url)),
  },
});
const pageScript = bundle.outputFiles[0]!.text;

const inference = new InferenceServer({
  detector,
  ...(values.ice ? { iceServers: [{ urls: values.ice }] } : {}),
});
const html = readFileSync(join(here, 'index.html'), 'utf8').replace('__CONFIG__', JSON.stringify({ token: inference.token }));

const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
  if (inference.handle(req, res)) return;
  if (req.url === '/' || req.url?.startsWith('/?')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  } else if (req.url === '/page.js') {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(pageScript);
  } else {
    res.writeHead(404).end();
  }
};

const server = createExampleServer(handler, values.https!);
inference.attach(server);
server.listen(Number(values.port), host, () => {
  const scheme = values.https ? 'https' : 'http';
  console.log(`open ${scheme}://localhost:${values.port}/ on this machine`);
  if (values.https) {
    for (const url of lanUrls('https', Number(values.port))) console.log(`on a phone on the same network: ${url}/?camera=back`);
    console.log('the certificate is self-signed: accept the browser warning once (Advanced > Proceed).');
  } else {
    console.log('for a phone, restart with --https (a camera needs a secure context off localhost).');
  }
});

const stop = async () => {
  await inference.close();
  server.close();
  await detector.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {
  for (const s of inference.stats()) {
    console.log(`peer ${s.id.slice(0, 8)} ${s.codec ?? '-'}: ${s.framesProcessed} results, ${s.framesDropped} dropped, ${(s.bitrate / 1000).toFixed(0)} kbit/s, inference p50 ${s.latency.inference?.p50.toFixed(0) ?? '-'} ms`);
  }
}, 10_000).unref();

/**
 * Phone to desktop, peer to peer: one command serves the two pages and the signaling
 * server. The desktop page creates a room and shows its link as a QR code; the phone
 * opens it and sends its camera straight to the desktop browser, which detects
 * objects with YOLOX-Nano and sends the boxes back, so both screens show them. The
 * video never passes through this server.
 *
 *   npm run example:phone-to-desktop                # http://localhost:8080 (desktop and a second tab as the "phone")
 *   npm run example:phone-to-desktop -- --https     # https on all interfaces, for a real phone on the LAN
 *
 * Options: --port N (0: any free port), --host ADDR, --https (self-signed certificate
 * made with openssl), --public-url URL (the base URL the phone should open, when the
 * LAN address guessed is wrong or behind a proxy), --model ID|PATH (default
 * yolox-nano; VIDAI_MODEL_DIR is the model cache, downloaded there if missing),
 * --stun URL (a STUN server for peers on different networks), --turn URL with
 * VIDAI_TURN_SECRET (a TURN server with the REST shared secret: each client gets
 * credentials valid for 10 minutes), VIDAI_ROOM_SECRET (key of the room tokens; default
 * random per run, so links die with the process).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { SignalingServer, createTurnCredentials, resolveModel, type SignalingIceServer } from '@vidai/node';
import { createExampleServer, lanUrls } from '../shared/example-server.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    https: { type: 'boolean', default: false },
    'public-url': { type: 'string' },
    model: { type: 'string', default: 'yolox-nano' },
    stun: { type: 'string' },
    turn: { type: 'string' },
  },
});
const https = values.https!;
const host = values.host ?? (https ? '0.0.0.0' : '127.0.0.1');
const port = Number(values.port ?? process.env.PORT ?? (https ? 8443 : 8080));

// The model the desktop page loads, from the cache (downloaded on first use).
const model = await resolveModel(values.model!);
const modelName = basename(model.path);

// The page scripts, bundled from the public API of @vidai/browser, and the detector's Worker.
const bundle = await build({
  entryPoints: {
    viewer: join(here, 'viewer.ts'),
    sender: join(here, 'sender.ts'),
    'detector-worker': join(root, 'packages/browser/src/detector-worker.ts'),
  },
  outdir: '/',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  logLevel: 'error',
  conditions: ['onnxruntime-web-use-extern-wasm'],
  alias: {
    '@vidai/core': join(root, 'packages/core/src/index.ts'),
    '@vidai/browser': join(root, 'packages/browser/src/index.ts'),
  },
});
const scripts = new Map(bundle.outputFiles.map((f) => [f.path, f.contents]));
const ortDist = dirname(createRequire(join(root, 'package.json')).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
const ortFiles = new Set(['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm']);

const iceServers = (): SignalingIceServer[] => [
  ...(values.stun ? [{ urls: values.stun }] : []),
  ...(values.turn && process.env.VIDAI_TURN_SECRET
    ? [createTurnCredentials({ urls: values.turn, secret: process.env.VIDAI_TURN_SECRET, ttlSeconds: 600, user: 'phone-to-desktop' })]
    : []),
];
const signaling = new SignalingServer({
  ...(process.env.VIDAI_ROOM_SECRET ? { secret: process.env.VIDAI_ROOM_SECRET } : {}),
  iceServers,
});

const page = (file: string) => readFileSync(join(here, file), 'utf8');
const html = { viewer: page('index.html'), sender: page('send.html') };
const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

/** Where the phone should open the sender page. */
function senderBase(req: IncomingMessage, actualPort: number): string {
  if (values['public-url']) return values['public-url'].replace(/\/+$/, '');
  if (https && (host === '0.0.0.0' || host === '::')) return lanUrls('https', actualPort)[0] ?? `https://localhost:${actualPort}`;
  return `${https ? 'https' : 'http'}://${req.headers.host}`;
}

const handler = (req: IncomingMessage, res: ServerResponse) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const send = (status: number, type: string, body: string | Uint8Array) =>
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(body);
  if (path === '/') {
    // A fresh room for this page load; the page keeps the room it already has in its URL.
    const config = { newRoom: signaling.newRoom(), senderBase: senderBase(req, (server.address() as AddressInfo).port) };
    send(200, 'text/html; charset=utf-8', html.viewer.replace('__CONFIG__', JSON.stringify(config).replace(/</g, '\\u003c')));
  } else if (path === '/send') {
    send(200, 'text/html; charset=utf-8', html.sender);
  } else if (path === `/models/${modelName}`) {
    send(200, 'application/octet-stream', readFileSync(model.path));
  } else if (scripts.has(path)) {
    send(200, types['.js']!, scripts.get(path)!);
  } else if (ortFiles.has(path.slice(1))) {
    send(200, types[path.slice(path.lastIndexOf('.'))]!, readFileSync(join(ortDist, path.slice(1))));
  } else {
    send(404, 'text/plain', 'not found');
  }
};

const server = createExampleServer(handler, https);
signaling.attach(server);
server.listen(port, host, () => {
  const actual = (server.address() as AddressInfo).port;
  const scheme = https ? 'https' : 'http';
  console.log(`vidai phone-to-desktop: open ${scheme}://localhost:${actual}/ on the desktop (model ${model.path})`);
  if (https) {
    for (const url of lanUrls('https', actual)) console.log(`  or on this network: ${url}/`);
    console.log('  the certificate is self-signed: accept the browser warning once on each device (Advanced > Proceed).');
  } else {
    console.log('  for a real phone, restart with --https (a camera needs a secure context off localhost).');
  }
});

const stop = async () => {
  await signaling.close();
  server.closeAllConnections();
  server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {
  const s = signaling.stats();
  if (s.connections > 0) console.log(`signaling: ${s.rooms} rooms, ${s.members} members, ${s.connections} connections`);
}, 30_000).unref();

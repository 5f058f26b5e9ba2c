#!/usr/bin/env node
// Serves the browser-local example: the page, the built @vidai/browser and @vidai/core,
// onnxruntime-web (for the import map) and the model cache directory, with the
// COOP/COEP headers that make the page cross-origin isolated (wasm threads need it).
//
//   npm run build -w @vidai/core && npm run build -w @vidai/browser
//   VIDAI_MODEL_DIR=../shared/models node examples/browser-local/serve.mjs
//
// Then open http://localhost:8080 (localhost counts as a secure context, so the camera works).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(join(root, 'package.json'));
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const modelDir = resolve(process.env.VIDAI_MODEL_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vidai', 'models'));

const mounts = [
  ['/vidai/browser/', join(root, 'packages/browser/dist')],
  ['/vidai/core/', join(root, 'packages/core/dist')],
  ['/ort/', dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'))],
  ['/onnxruntime-common/', join(dirname(require.resolve('onnxruntime-common')), '..', 'esm')],
  ['/models/', modelDir],
  ['/', here],
];

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
};

for (const [prefix, dir] of mounts.slice(0, 2)) {
  if (!existsSync(join(dir, 'index.js'))) {
    console.error(`${dir} is not built; run: npm run build -w @vidai/core && npm run build -w @vidai/browser (${prefix})`);
    process.exit(1);
  }
}
if (!existsSync(join(modelDir, 'yolox_nano.onnx'))) {
  console.warn(`warning: ${join(modelDir, 'yolox_nano.onnx')} is missing; set VIDAI_MODEL_DIR to a folder holding yolox_nano.onnx.`);
}

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  // Cross-origin isolation (SharedArrayBuffer for wasm threads); every resource is same-origin.
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  const [prefix, dir] = mounts.find(([p]) => path.startsWith(p));
  const file = normalize(join(dir, path === '/' ? 'index.html' : path.slice(prefix.length)));
  if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': types[extname(file)] ?? 'application/octet-stream',
    'Content-Length': statSync(file).size,
    'Cache-Control': prefix === '/models/' ? 'max-age=3600' : 'no-cache',
  });
  createReadStream(file).pipe(res);
});

server.listen(port, host, () => {
  console.log(`vidai browser-local example: http://localhost:${server.address().port}  (models from ${modelDir})`);
});

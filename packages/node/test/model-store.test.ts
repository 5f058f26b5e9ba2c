/**
 * Model resolution against real files and a real onnxruntime: the download path runs
 * against a local HTTP server (no network) that serves the shared YOLOX-Nano bytes
 * behind a redirect, the way GitHub serves release assets.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isVidaiError, modelCatalog, modelCacheDir, resolveModel, type CatalogModel, type DownloadProgress } from '../src/index.js';
import { failure } from '../../../test/helpers/rejection.js';
import { sharedDir } from '../../../test/helpers/shared-data.js';

const SHARED = sharedDir;
const MODELS = join(SHARED, 'models');
const MODEL_FILE = join(MODELS, 'yolox_nano.onnx');
const bytes = readFileSync(MODEL_FILE);
const sha256 = createHash('sha256').update(bytes).digest('hex');
const nano = modelCatalog['yolox-nano']!;

describe('modelCacheDir', () => {
  it('prefers VIDAI_MODEL_DIR', () => {
    expect(modelCacheDir({ env: { VIDAI_MODEL_DIR: '/srv/models', XDG_CACHE_HOME: '/x' }, platform: 'linux', homeDir: '/home/u' })).toBe('/srv/models');
  });
  it('uses the platform cache folder', () => {
    expect(modelCacheDir({ env: {}, platform: 'linux', homeDir: '/home/u' })).toBe('/home/u/.cache/vidai/models');
    expect(modelCacheDir({ env: { XDG_CACHE_HOME: '/var/cache/u' }, platform: 'linux', homeDir: '/home/u' })).toBe('/var/cache/u/vidai/models');
    expect(modelCacheDir({ env: {}, platform: 'darwin', homeDir: '/Users/u' })).toBe('/Users/u/Library/Caches/vidai/models');
    expect(modelCacheDir({ env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', homeDir: 'C:\\Users\\u' })).toBe(
      'C:\\Users\\u\\AppData\\Local\\vidai\\models',
    );
    expect(modelCacheDir({ env: {}, platform: 'win32', homeDir: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Local\\vidai\\models');
  });
});

describe('resolveModel from files and the cache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidai-models-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes an existing file path as it is, and checks that it loads', async () => {
    const resolved = await resolveModel(MODEL_FILE);
    expect(resolved).toEqual({ path: MODEL_FILE, entry: undefined, source: 'path' });
  });

  it('finds a catalog id in the cache folder and checks its dims', async () => {
    const resolved = await resolveModel('yolox-nano', { cacheDir: MODELS, download: false });
    expect(resolved.source).toBe('cache');
    expect(resolved.path).toBe(MODEL_FILE);
    expect(resolved.entry?.id).toBe('yolox-nano');
  });

  it('reads VIDAI_MODEL_DIR when no cacheDir is given', async () => {
    const before = process.env.VIDAI_MODEL_DIR;
    process.env.VIDAI_MODEL_DIR = MODELS;
    try {
      expect((await resolveModel('yolox-nano', { download: false })).path).toBe(MODEL_FILE);
    } finally {
      if (before === undefined) delete process.env.VIDAI_MODEL_DIR;
      else process.env.VIDAI_MODEL_DIR = before;
    }
  });

  it('rejects an unknown id that is not a file with model-not-found, listing the catalog ids', async () => {
    const err = await failure(resolveModel('yolox-huge'));
    expect(isVidaiError(err, 'model-not-found')).toBe(true);
    expect(err.message).toContain('yolox-huge');
    for (const id of Object.keys(modelCatalog)) expect(err.message).toContain(id);
  });

  it('rejects a file that is not a model with model-load-failed', async () => {
    const bogus = join(dir, 'not-a-model.onnx');
    await writeFile(bogus, 'this is not an ONNX file\n');
    const err = await failure(resolveModel(bogus));
    expect(isVidaiError(err, 'model-load-failed')).toBe(true);
    expect(err.message).toContain(bogus);
  });

  it('rejects a cached file whose dims are not the catalog entry\'s with model-shape-mismatch', async () => {
    const other: CatalogModel = { ...nano, id: 'other-640', outputDims: [1, 8400, 85], inputDims: [1, 3, 640, 640] };
    const err = await failure(resolveModel(other, { cacheDir: MODELS }));
    expect(isVidaiError(err, 'model-shape-mismatch')).toBe(true);
    expect(err.message).toMatch(/\[1, 3549, 85\]/);
    expect(err.message).toMatch(/\[1, 8400, 85\]/);
  });

  it('says where to put the file when the model is missing and downloads are off', async () => {
    const err = await failure(resolveModel('yolox-nano', { cacheDir: dir, download: false }));
    expect(isVidaiError(err, 'model-not-found')).toBe(true);
    expect(err.message).toContain(join(dir, 'yolox_nano.onnx'));
    expect(err.message).toContain(nano.url);
  });
});

describe('resolveModel downloads', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  let dir: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '/';
      requests.push(url);
      const send = (body: Buffer, chunks = 8) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        const step = Math.ceil(body.length / chunks);
        let offset = 0;
        const next = () => {
          if (offset >= body.length) return void res.end();
          res.write(body.subarray(offset, (offset += step)), next);
        };
        next();
      };
      if (url.startsWith('/releases/')) {
        // Like GitHub: the release URL redirects to where the bytes are.
        res.writeHead(302, { location: url.replace('/releases/', '/objects/') }).end();
      } else if (url === '/objects/yolox_nano.onnx') {
        send(bytes);
      } else if (url === '/objects/corrupt.onnx') {
        const copy = Buffer.from(bytes);
        copy[copy.length >> 1]! ^= 0xff;
        send(copy);
      } else if (url === '/objects/interrupted.onnx') {
        res.writeHead(200, { 'content-length': bytes.length });
        res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
      } else if (url === '/objects/page.onnx') {
        send(Buffer.from('<html><body>Sign in to continue</body></html>'), 1);
      } else {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidai-download-'));
    requests.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A catalog entry like yolox-nano's, served by the local server. */
  const served = (name: string, overrides: Partial<CatalogModel> = {}): CatalogModel => ({
    ...nano,
    id: `test-${name}`,
    url: `${base}/releases/${name}.onnx`,
    fileName: 'yolox_nano.onnx',
    ...overrides,
  });

  it('follows the redirect, reports progress, writes a temporary file and renames it when complete', async () => {
    const events: DownloadProgress[] = [];
    const target = join(dir, 'yolox_nano.onnx');
    const seenDuring: Array<{ final: boolean; listing: string[] }> = [];
    const resolved = await resolveModel(served('yolox_nano'), {
      cacheDir: dir,
      onProgress: (p) => {
        events.push(p);
        if (!p.done) seenDuring.push({ final: existsSync(target), listing: readdirSync(dir) });
      },
    });
    expect(resolved).toMatchObject({ path: target, source: 'download' });
    expect(requests).toEqual(['/releases/yolox_nano.onnx', '/objects/yolox_nano.onnx']);
    expect(createHash('sha256').update(readFileSync(target)).digest('hex')).toBe(sha256);
    expect(await readdir(dir)).toEqual(['yolox_nano.onnx']);

    // Progress: several events, growing, with the size from Content-Length, then one `done`.
    expect(events.length).toBeGreaterThan(2);
    const received = events.map((e) => e.receivedBytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(events.every((e) => e.totalBytes === bytes.length)).toBe(true);
    expect(events.at(-1)).toEqual({ url: served('yolox_nano').url, receivedBytes: bytes.length, totalBytes: bytes.length, done: true });
    expect(events.filter((e) => e.done)).toHaveLength(1);
    // While bytes arrived they went to a temporary file beside the target, which did not exist yet.
    expect(seenDuring.length).toBeGreaterThan(2);
    for (const { final, listing } of seenDuring) {
      expect(final).toBe(false);
      expect(listing).toHaveLength(1);
      expect(listing[0]).toMatch(/^\.yolox_nano\.onnx\..+\.part$/);
    }

    // The next call finds it in the cache without a request.
    requests.length = 0;
    expect((await resolveModel(served('yolox_nano'), { cacheDir: dir })).source).toBe('cache');
    expect(requests).toEqual([]);
  });

  it('checks the SHA-256 and leaves nothing behind when the body is corrupted', async () => {
    const err = await failure(resolveModel(served('corrupt', { sha256 }), { cacheDir: dir, onProgress: null }));
    expect(isVidaiError(err, 'model-download-failed')).toBe(true);
    expect(err.message).toContain('SHA-256');
    expect(err.message).toContain(`${base}/releases/corrupt.onnx`);
    expect(err.message).toContain(`save it as ${join(dir, 'yolox_nano.onnx')}`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves no partial file when the connection breaks mid-body', async () => {
    const err = await failure(resolveModel(served('interrupted', { sha256: undefined, sizeBytes: undefined }), { cacheDir: dir, onProgress: null }));
    expect(isVidaiError(err, 'model-download-failed')).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports the HTTP status and what to do for a missing file', async () => {
    const err = await failure(resolveModel(served('missing'), { cacheDir: dir, onProgress: null }));
    expect(isVidaiError(err, 'model-download-failed')).toBe(true);
    expect(err.message).toContain('HTTP 404');
    expect(err.message).toContain(`${base}/releases/missing.onnx`);
    expect(err.message).toContain('VIDAI_MODEL_DIR');
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not cache a download that is not a model (no hash to check it against)', async () => {
    const err = await failure(resolveModel(served('page', { sha256: undefined, sizeBytes: undefined }), { cacheDir: dir, onProgress: null }));
    expect(isVidaiError(err, 'model-load-failed')).toBe(true);
    expect(err.message).toContain(`${base}/releases/page.onnx`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates the cache folder when it does not exist', async () => {
    const nested = join(dir, 'a', 'b');
    const resolved = await resolveModel(served('yolox_nano', { sha256 }), { cacheDir: nested, onProgress: null });
    expect(resolved.path).toBe(join(nested, 'yolox_nano.onnx'));
  });
});

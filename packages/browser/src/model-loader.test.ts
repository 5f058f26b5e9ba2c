import { ErrorCodes } from '@vidai/core';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModel, type ModelLoadProgress } from './model-loader.js';

/** A Map-backed stand-in for the Cache API. */
function fakeCaches() {
  const stores = new Map<string, Map<string, Response>>();
  const storage = {
    stores,
    async open(name: string) {
      let store = stores.get(name);
      if (!store) stores.set(name, (store = new Map()));
      const s = store;
      return {
        async match(url: string) {
          return s.get(url)?.clone();
        },
        async put(url: string, response: Response) {
          s.set(url, response);
        },
        async delete(url: string) {
          return s.delete(url);
        },
      };
    },
  };
  return storage;
}

/** A fetch that serves `bytes` in `chunks` pieces, counting calls. */
function fakeFetch(bytes: Uint8Array, options: { status?: number; chunks?: number; fail?: Error } = {}) {
  const calls: string[] = [];
  const f = (async (url: string, init?: RequestInit) => {
    calls.push(url);
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    if (options.fail) throw options.fail;
    const n = options.chunks ?? 4;
    const size = Math.ceil(bytes.length / n);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
        controller.close();
      },
    });
    return new Response(options.status && options.status >= 400 ? 'nope' : body, {
      status: options.status ?? 200,
      headers: { 'Content-Length': String(bytes.length) },
    });
  }) as unknown as typeof fetch;
  return Object.assign(f, { calls });
}

const model = new Uint8Array(Array.from({ length: 1000 }, (_, i) => i % 251));
const sha = createHash('sha256').update(model).digest('hex');
const g = globalThis as { caches?: unknown; location?: unknown };

describe('loadModel', () => {
  let caches: ReturnType<typeof fakeCaches>;
  beforeEach(() => {
    caches = fakeCaches();
    g.caches = caches;
    g.location = { href: 'https://app.example/page/index.html', origin: 'https://app.example' };
  });
  afterEach(() => {
    delete g.caches;
    delete g.location;
  });

  it('downloads with progress, resolves relative URLs against the page, then serves from the Cache API', async () => {
    const fetch = fakeFetch(model);
    const progress: ModelLoadProgress[] = [];
    const first = await loadModel('../models/m.onnx', { fetch, onProgress: (p) => progress.push(p), sha256: sha });
    expect(first).toMatchObject({ url: 'https://app.example/models/m.onnx', fromCache: false });
    expect(first.bytes).toEqual(model);
    expect(progress.map((p) => p.loaded)).toEqual([250, 500, 750, 1000]);
    expect(progress.every((p) => p.total === 1000 && !p.fromCache)).toBe(true);

    const again: ModelLoadProgress[] = [];
    const second = await loadModel('https://app.example/models/m.onnx', { fetch, onProgress: (p) => again.push(p) });
    expect(second.fromCache).toBe(true);
    expect(second.bytes).toEqual(model);
    expect(fetch.calls).toHaveLength(1);
    expect(again).toEqual([{ url: 'https://app.example/models/m.onnx', loaded: 1000, total: 1000, fromCache: true }]);
  });

  it('does not cache when cache: false', async () => {
    const fetch = fakeFetch(model);
    await loadModel('/m.onnx', { fetch, cache: false });
    await loadModel('/m.onnx', { fetch, cache: false });
    expect(fetch.calls).toHaveLength(2);
    expect(caches.stores.size).toBe(0);
  });

  it('fails with model-download-failed on an HTTP error, naming the status', async () => {
    await expect(loadModel('/missing.onnx', { fetch: fakeFetch(model, { status: 404 }) })).rejects.toMatchObject({
      code: ErrorCodes.MODEL_DOWNLOAD_FAILED,
      message: expect.stringContaining('HTTP 404'),
    });
  });

  it('explains CORS when a cross-origin fetch fails', async () => {
    const fetch = fakeFetch(model, { fail: new TypeError('Failed to fetch') });
    const err = await loadModel('https://github.com/org/repo/releases/download/v1/m.onnx', { fetch }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.MODEL_DOWNLOAD_FAILED, details: { crossOrigin: true } });
    expect((err as Error).message).toMatch(/CORS/);
    expect((err as Error).message).toMatch(/modelBaseUrl/);
  });

  it('rejects a file whose SHA-256 differs and evicts the cached copy', async () => {
    const fetch = fakeFetch(model);
    await loadModel('/m.onnx', { fetch });
    await expect(loadModel('/m.onnx', { fetch, sha256: '0'.repeat(64) })).rejects.toMatchObject({
      code: ErrorCodes.MODEL_DOWNLOAD_FAILED,
      message: expect.stringContaining('cached copy'),
    });
    await loadModel('/m.onnx', { fetch });
    expect(fetch.calls).toHaveLength(2); // evicted, so downloaded again
  });

  it('rejects with aborted when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadModel('/m.onnx', { fetch: fakeFetch(model), signal: controller.signal })).rejects.toMatchObject({
      code: ErrorCodes.ABORTED,
    });
  });
});

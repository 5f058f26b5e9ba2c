import { ErrorCodes, VidaiError } from '@vidai/core';

/** Progress of a model download, reported while the bytes arrive. */
export interface ModelLoadProgress {
  /** The model URL. */
  url: string;
  /** Bytes received so far. */
  loaded: number;
  /** Total bytes when the server sent `Content-Length` (or the cache knows it); else undefined. */
  total: number | undefined;
  /** True when the bytes came from the Cache API instead of the network. */
  fromCache: boolean;
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /**
   * Keep downloaded models in the Cache API under this cache name (`true`: `'vidai-models'`),
   * so the next visit loads them without the network. Default `true`. Needs a secure
   * context; elsewhere caching is skipped silently.
   */
  cache?: boolean | string;
  /** Expected lower-case hex SHA-256 of the file; a mismatch fails the load and evicts the cached copy. Default: not checked. */
  sha256?: string;
  /** Called as bytes arrive (at most once per network chunk). Default: none. */
  onProgress?: (progress: ModelLoadProgress) => void;
  /** Aborts the download (rejects with code `aborted`). Default: none. */
  signal?: AbortSignal;
  /** The `fetch` to use. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** The bytes of a model and where they came from. */
export interface LoadedModel {
  /** The file's bytes. */
  bytes: Uint8Array;
  /** Absolute URL it was loaded from. */
  url: string;
  /** True when it came from the Cache API. */
  fromCache: boolean;
}

/** Default Cache API cache name for models. */
export const DEFAULT_MODEL_CACHE = 'vidai-models';

function baseUrl(): string | undefined {
  const loc = (globalThis as { location?: { href: string } }).location;
  return loc?.href;
}

async function sha256Hex(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function aborted(signal: AbortSignal | undefined): VidaiError {
  return new VidaiError(ErrorCodes.ABORTED, 'The model download was aborted.', { cause: signal?.reason });
}

/**
 * Fetches a model file with progress, keeping it in the Cache API. The browser can only
 * fetch from another origin when that server sends CORS headers (GitHub release
 * downloads do not): serve models from the app's own origin or a CORS-enabled host.
 *
 * @throws VidaiError `model-download-failed` for network, CORS and HTTP errors and hash
 *   mismatches (the message says which), `aborted` when `signal` aborts.
 *
 * @example
 * ```ts
 * const { bytes } = await loadModel('/models/yolox_nano.onnx', { onProgress: (p) => bar.value = p.loaded / (p.total ?? 1) });
 * ```
 */
export async function loadModel(url: string | URL, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const href = new URL(url, baseUrl()).href;
  const cacheName = options.cache === false ? undefined : options.cache === true || options.cache === undefined ? DEFAULT_MODEL_CACHE : options.cache;
  const cacheStorage = (globalThis as { caches?: CacheStorage }).caches;
  let cache: Cache | undefined;
  if (cacheName && cacheStorage) {
    try {
      cache = await cacheStorage.open(cacheName);
    } catch {
      cache = undefined; // opaque origins and some private modes refuse the Cache API
    }
  }
  const { signal } = options;
  if (signal?.aborted) throw aborted(signal);

  const verify = async (bytes: Uint8Array, fromCache: boolean) => {
    if (!options.sha256) return;
    const actual = await sha256Hex(bytes);
    if (actual !== undefined && actual !== options.sha256.toLowerCase()) {
      if (cache) await cache.delete(href).catch(() => false);
      throw new VidaiError(
        ErrorCodes.MODEL_DOWNLOAD_FAILED,
        `The model at ${href}${fromCache ? ' (cached copy)' : ''} has SHA-256 ${actual}, expected ${options.sha256}. ` +
          'Serve the exact file the catalog names, or pass a URL without a catalog id.',
        { details: { url: href, sha256: actual, expected: options.sha256 } },
      );
    }
  };

  const cached = cache ? await cache.match(href).catch(() => undefined) : undefined;
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    options.onProgress?.({ url: href, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true });
    await verify(bytes, true);
    return { bytes, url: href, fromCache: true };
  }

  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(href, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw aborted(signal);
    const origin = (globalThis as { location?: { origin: string } }).location?.origin;
    const crossOrigin = origin !== undefined && new URL(href).origin !== origin;
    throw new VidaiError(
      ErrorCodes.MODEL_DOWNLOAD_FAILED,
      crossOrigin
        ? `The model at ${href} could not be fetched from another origin (${err instanceof Error ? err.message : String(err)}). ` +
            'Browsers need CORS headers for that, and GitHub release downloads send none: serve the .onnx file from your ' +
            "app's origin (e.g. model: '/models/yolox_nano.onnx', or modelBaseUrl: '/models/') or from a CORS-enabled host."
        : `The model at ${href} could not be fetched: ${err instanceof Error ? err.message : String(err)}.`,
      { cause: err, details: { url: href, crossOrigin } },
    );
  }
  if (!response.ok) {
    throw new VidaiError(
      ErrorCodes.MODEL_DOWNLOAD_FAILED,
      `The model at ${href} answered HTTP ${response.status} ${response.statusText}; check the URL (or modelBaseUrl) and that the server serves the file.`,
      { details: { url: href, status: response.status } },
    );
  }
  const lengthHeader = response.headers.get('content-length');
  const total = lengthHeader && !response.headers.get('content-encoding') ? Number(lengthHeader) : undefined;
  let bytes: Uint8Array;
  try {
    if (!response.body) {
      bytes = new Uint8Array(await response.arrayBuffer());
    } else {
      const chunks: Uint8Array[] = [];
      let loaded = 0;
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.byteLength;
        options.onProgress?.({ url: href, loaded, total, fromCache: false });
      }
      bytes = new Uint8Array(loaded);
      let offset = 0;
      for (const c of chunks) {
        bytes.set(c, offset);
        offset += c.byteLength;
      }
    }
  } catch (err) {
    if (signal?.aborted) throw aborted(signal);
    throw new VidaiError(ErrorCodes.MODEL_DOWNLOAD_FAILED, `The download of ${href} broke off: ${err instanceof Error ? err.message : String(err)}.`, {
      cause: err,
      details: { url: href },
    });
  }
  if (total !== undefined && bytes.byteLength !== total) {
    throw new VidaiError(ErrorCodes.MODEL_DOWNLOAD_FAILED, `The download of ${href} ended after ${bytes.byteLength} of ${total} bytes; retry.`, {
      details: { url: href, loaded: bytes.byteLength, total },
    });
  }
  await verify(bytes, false);
  if (cache) {
    const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.byteLength) };
    await cache.put(href, new Response(bytes.slice(), { headers })).catch(() => {});
  }
  return { bytes, url: href, fromCache: false };
}

import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, VidaiError } from '@vidai/core';

/** How far a download has come. */
export interface DownloadProgress {
  /** The URL asked for (before redirects). */
  url: string;
  /** Bytes received so far. */
  receivedBytes: number;
  /** Size of the file in bytes from `Content-Length` (or the expected size); `undefined` when unknown. */
  totalBytes: number | undefined;
  /** True on the last event, sent once the file is complete and in place. */
  done: boolean;
}

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Expected lower-case hex SHA-256 of the file. Default: not checked. */
  sha256?: string;
  /** Expected size in bytes. Default: not checked (beyond `Content-Length`). */
  sizeBytes?: number;
  /** Called as bytes arrive and once at the end (`done: true`). Default: none. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Cancels the download; the promise rejects with code `aborted`. */
  signal?: AbortSignal;
  /**
   * Checks the complete file (at a temporary path) before it is renamed into place;
   * throwing rejects the download and removes the file. Default: none.
   */
  verify?: (tempPath: string) => Promise<void>;
}

/** What {@link downloadFile} wrote. */
export interface DownloadResult {
  /** The destination path. */
  path: string;
  /** Size in bytes. */
  bytes: number;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
}

/**
 * Downloads `url` to `destination` without ever leaving a partial file there: the
 * body goes to a temporary file in the same folder, which is checked (size, SHA-256,
 * `verify`) and then renamed into place; on any failure it is removed. Redirects are
 * followed (GitHub release assets answer with one).
 *
 * @throws VidaiError `model-download-failed` for network errors, HTTP errors, a body
 *   shorter than announced, or a size or SHA-256 mismatch; `aborted` when `signal` aborts;
 *   whatever `verify` throws.
 */
export async function downloadFile(url: string, destination: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const { signal, onProgress } = options;
  const temp = join(dirname(destination), `.${basename(destination)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  const fail = (reason: string, cause?: unknown, details: Record<string, unknown> = {}) =>
    new VidaiError(ErrorCodes.MODEL_DOWNLOAD_FAILED, `Download of ${url} failed: ${reason}.`, {
      cause,
      details: { url, ...details },
    });

  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (err) {
    throw abortedOr(signal, err) ?? fail(describe(err), err);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    throw fail(`HTTP ${response.status} ${response.statusText}`.trim(), undefined, { status: response.status });
  }
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  const totalBytes = Number.isFinite(announced) && announced >= 0 ? announced : options.sizeBytes;

  const hash = createHash('sha256');
  let received = 0;
  let completed = false;
  const file = await open(temp, 'wx');
  try {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await file.write(chunk);
        received += chunk.byteLength;
        onProgress?.({ url, receivedBytes: received, totalBytes, done: false });
      }
    } catch (err) {
      throw abortedOr(signal, err) ?? fail(`the connection broke after ${received} bytes (${describe(err)})`, err, { receivedBytes: received });
    } finally {
      await file.close();
    }
    if (Number.isFinite(announced) && received !== announced) {
      throw fail(`received ${received} of ${announced} bytes`, undefined, { receivedBytes: received, totalBytes: announced });
    }
    if (options.sizeBytes !== undefined && received !== options.sizeBytes) {
      throw fail(`the file has ${received} bytes, expected ${options.sizeBytes}`, undefined, {
        receivedBytes: received,
        expectedBytes: options.sizeBytes,
      });
    }
    const sha256 = hash.digest('hex');
    if (options.sha256 !== undefined && sha256 !== options.sha256.toLowerCase()) {
      throw fail(`its SHA-256 is ${sha256}, expected ${options.sha256} (the file was corrupted or changed on the server)`, undefined, {
        sha256,
        expectedSha256: options.sha256,
      });
    }
    await options.verify?.(temp);
    await rename(temp, destination);
    completed = true;
    onProgress?.({ url, receivedBytes: received, totalBytes: totalBytes ?? received, done: true });
    return { path: destination, bytes: received, sha256 };
  } finally {
    if (!completed) await rm(temp, { force: true });
  }
}

function abortedOr(signal: AbortSignal | undefined, cause: unknown): VidaiError | undefined {
  return signal?.aborted ? new VidaiError(ErrorCodes.ABORTED, 'The download was aborted.', { cause: signal.reason ?? cause }) : undefined;
}

/** The most telling message of a fetch error (undici hides the socket error in `cause`). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

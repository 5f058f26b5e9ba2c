/**
 * A tiny node:http server for end-to-end tests: serves files from mapped URL prefixes
 * and in-memory routes on 127.0.0.1 (a secure context, so getUserMedia works), with
 * optional COOP/COEP headers (cross-origin isolation, needed for wasm threads).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/** Content types by file extension. */
export const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.css': 'text/css; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

/** Options for {@link startStaticServer}. */
export interface StaticServerOptions {
  /** URL prefix (starting and ending with `/`) -> directory on disk. Default: none. */
  dirs?: Record<string, string>;
  /** Exact URL path -> body (string or bytes) with an optional content type. Default: none. */
  routes?: Record<string, string | Uint8Array | { body: string | Uint8Array; type?: string }>;
  /** Send `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`. Default: false. */
  isolated?: boolean;
  /** Port; 0 picks a free one. Default: 0. */
  port?: number;
  /** Called for every request with its path and status (for debugging tests). Default: none. */
  log?: (path: string, status: number) => void;
}

/** A running server. */
export interface StaticServer {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** Stops the server; safe to call twice. */
  close(): Promise<void>;
}

/** Starts a static file server on 127.0.0.1. */
export async function startStaticServer(options: StaticServerOptions = {}): Promise<StaticServer> {
  const dirs = Object.entries(options.dirs ?? {}).sort((a, b) => b[0].length - a[0].length);
  const routes = options.routes ?? {};

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    res.setHeader('Cache-Control', 'no-store');
    // Same-origin resources only; CORP lets them load under COEP require-corp.
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (options.isolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    const route = routes[path];
    if (route !== undefined) {
      const r = typeof route === 'string' || route instanceof Uint8Array ? { body: route } : route;
      res.setHeader('Content-Type', r.type ?? contentTypes[extname(path)] ?? 'application/octet-stream');
      res.end(r.body);
      return 200;
    }
    for (const [prefix, dir] of dirs) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(normalize(dir + sep)) && file !== normalize(dir)) break;
      const st = await stat(file).catch(() => undefined);
      if (!st?.isFile()) break;
      res.setHeader('Content-Type', contentTypes[extname(file)] ?? 'application/octet-stream');
      res.setHeader('Content-Length', st.size);
      if (req.method === 'HEAD') {
        res.end();
        return 200;
      }
      await new Promise<void>((resolve, reject) => {
        createReadStream(file).on('error', reject).on('end', resolve).pipe(res);
      });
      return 200;
    }
    res.statusCode = 404;
    res.end('not found');
    return 404;
  };

  const server = createServer((req, res) => {
    handle(req, res).then(
      (status) => options.log?.(req.url ?? '', status),
      (err: unknown) => {
        options.log?.(req.url ?? '', 500);
        if (!res.headersSent) res.statusCode = 500;
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

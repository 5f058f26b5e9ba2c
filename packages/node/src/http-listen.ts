import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where a server listens after {@link listenOn}. */
export interface ListeningAddress {
  /** The port, the one the system chose when 0 was asked for. */
  port: number;
  /** The host it listens on. */
  host: string;
  /** `host:port`, with an IPv6 host in brackets, for building URLs. */
  authority: string;
}

/**
 * Starts `server` listening on `host` (default `127.0.0.1`) and `port` (default 0: any
 * free port) and resolves with the address once it does; rejects with the server's
 * `error` (port in use, permission) without leaving a listener behind.
 */
export async function listenOn(server: Server, options: { host?: string; port?: number } = {}): Promise<ListeningAddress> {
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { port, host, authority: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** Closes a server this package started, dropping keep-alive connections so it does not wait on them. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

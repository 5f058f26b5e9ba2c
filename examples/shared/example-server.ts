/**
 * The HTTP(S) server of the examples: plain HTTP on localhost, or, with `https`, a
 * self-signed certificate made with openssl (browsers give the camera only to secure
 * contexts: localhost or HTTPS, so a phone on the LAN needs it), plus the LAN URLs to
 * open on a phone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

/** A request handler of node:http. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTPS server with a fresh self-signed certificate (valid 30 days), or an HTTP server. */
export function createExampleServer(handler: Handler, https: boolean): Server {
  if (!https) return createHttpServer(handler);
  const dir = mkdtempSync(join(tmpdir(), 'vidai-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=vidai example', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, handler);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Base URLs of this machine on its LAN interfaces (IPv4), e.g. `https://192.168.1.20:8443`. */
export function lanUrls(scheme: 'http' | 'https', port: number): string[] {
  const urls: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) urls.push(`${scheme}://${a.address}:${port}`);
  }
  return urls;
}

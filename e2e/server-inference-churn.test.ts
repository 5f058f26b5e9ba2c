/**
 * Lifecycle of server-side inference peers with real Chromium clients: 20
 * connect/disconnect cycles leave no peer, no child process and no growth in open
 * handles; a peer that sends garbage RTP is closed alone while a Chromium client on
 * the same server keeps receiving detections.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import type { InferencePeer, InferenceServer, NodeDetector } from '@vidai/node';
import type { ChromiumHandle } from './helpers/chromium.js';
import { startInferenceFixture, type InferenceFixture } from './helpers/inference-fixture.js';
import type { StaticServer } from './helpers/static-server.js';
import { makeY4m, type Y4mFile } from './helpers/y4m.js';
import { sharedPath } from '../test/helpers/shared-data.js';

let y4m: Y4mFile;
let node: NodeDetector;
let fixture: InferenceFixture;
let page: StaticServer;
let chromium: ChromiumHandle;
let server: InferenceServer;
let serverUrl: string;
const token = 'churn-token';

beforeAll(async () => {
  y4m = await makeY4m(sharedPath('videos/degirum-Traffic.mp4'), { width: 320, height: 180, fps: 15, duration: 2 });
  fixture = await startInferenceFixture({ y4m: y4m.path, token, server: { mediaTimeoutMs: 2000, rateLimit: false } });
  ({ node, page, chromium, server, serverUrl } = fixture);
}, 120_000);

afterAll(async () => {
  await fixture?.close();
  await y4m?.remove();
});

async function openPage() {
  const tab = await chromium.context.newPage();
  await tab.goto(`${page.url}/index.html`);
  await tab.waitForFunction(() => 'vidai' in globalThis);
  return tab;
}

/** Resources of this process by type (UDP sockets, timers, ...). */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('server-side inference lifecycle', () => {
  it('20 connect/disconnect cycles release every peer and leave no growth in open handles', async () => {
    const tab = await openPage();
    const cycle = () =>
      tab.evaluate(
        async ({ url, token }) => {
          const { InferenceClient } = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
          const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 180 } });
          const client = new InferenceClient(stream, { url, token, reconnect: false });
          await new Promise<void>((resolve, reject) => {
            client.on('detections', () => resolve());
            client.on('state', (s) => s === 'closed' && reject(new Error('closed before a result')));
          });
          client.close();
          stream.getTracks().forEach((t) => t.stop());
        },
        { url: serverUrl, token },
      );
    let closedPeers = 0;
    server.on('peer-closed', () => closedPeers++);
    await cycle(); // warm-up: first-use allocations (thread pool, sockets of the runtime) are not leaks
    await until(() => server.peerCount === 0);
    const before = handles();
    for (let i = 0; i < 20; i++) await cycle();
    await until(() => server.peerCount === 0);
    await new Promise((r) => setTimeout(r, 500));
    const after = handles();
    await tab.close();
    expect(closedPeers).toBe(21);
    // Per kind of handle (UDPWRAP sockets, Timeout, ...), at most a couple more than before 20 cycles.
    const grown = Object.keys(after).filter((kind) => (after[kind] ?? 0) > (before[kind] ?? 0) + 2);
    expect({ grown, before, after }).toMatchObject({ grown: [] });
    // Decoding is in-process: no ffmpeg (or other) child process besides the browser and the test bundler is left behind.
    const children = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)]).toString().trim().split('\n');
    expect(children.filter((c) => c.trim() && !/^(ps|chrom|esbuild)/.test(c.trim()))).toEqual([]);
  });

  it('the client reconnects with backoff when the server drops its peer, and detections resume', async () => {
    const peers: InferencePeer[] = [];
    const offPeers = server.on('peer', (p) => peers.push(p));
    const tab = await openPage();
    await tab.evaluate(
      ({ url, token }) => {
        const { InferenceClient } = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
        const w = globalThis as unknown as { results: number; states: string[]; errors: string[] };
        w.results = 0;
        w.states = [];
        w.errors = [];
        void navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 180 } }).then((stream) => {
          const client = new InferenceClient(stream, { url, token, reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } });
          client.on('detections', () => w.results++);
          client.on('state', (s) => w.states.push(s));
          client.on('error', (e) => w.errors.push(e.code));
        });
      },
      { url: serverUrl, token },
    );
    type W = { results: number; states: string[]; errors: string[] };
    await tab.waitForFunction(() => (globalThis as unknown as W).results > 0);
    expect(peers).toHaveLength(1);
    // The server drops the peer (as on a restart or a media timeout); the client makes a new one.
    await peers[0]!.close('closed');
    await until(() => peers.length === 2);
    offPeers();
    const before = await tab.evaluate(() => (globalThis as unknown as W).results);
    await tab.waitForFunction((n) => (globalThis as unknown as W).results > n + 2, before);
    const { states, errors } = await tab.evaluate(() => {
      const w = globalThis as unknown as W;
      return { states: w.states, errors: w.errors };
    });
    expect(states).toEqual(['connected', 'reconnecting', 'connected']);
    expect(errors).toContain('stream-unavailable');
    await tab.close();
    await until(() => server.peerCount === 0);
  });

  it('closes a peer that sends garbage RTP, alone: a Chromium client on the same server keeps getting detections', async () => {
    const tab = await openPage();
    await tab.evaluate(
      ({ url, token }) => {
        const { InferenceClient } = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
        const w = globalThis as unknown as { results: number };
        w.results = 0;
        void navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 180 } }).then((stream) => {
          const client = new InferenceClient(stream, { url, token, reconnect: false });
          client.on('detections', () => w.results++);
        });
      },
      { url: serverUrl, token },
    );
    await tab.waitForFunction(() => (globalThis as unknown as { results: number }).results > 0);

    // A werift client that sends random bytes as VP8 RTP.
    const pc = new RTCPeerConnection({ iceServers: [] });
    const track = new MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    pc.createDataChannel('vidai', { ordered: false, maxRetransmits: 0 });
    await pc.setLocalDescription(await pc.createOffer());
    await until(() => pc.iceGatheringState === 'complete');
    const res = await fetch(`${serverUrl}/offer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'offer', sdp: pc.localDescription!.sdp }),
    });
    const answer = (await res.json()) as { sdp: string; peerId: string };
    const reason = new Promise<string>((resolve) => server.on('peer-closed', (peer, r) => peer.id === answer.peerId && resolve(r)));
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await until(() => pc.connectionState === 'connected');
    let seq = 0;
    const garbage = setInterval(() => {
      for (let i = 0; i < 5; i++) {
        const payload = Buffer.from(Array.from({ length: 200 }, () => Math.floor(Math.random() * 256)));
        track.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq++ & 0xffff, timestamp: seq * 3000, marker: i === 4, payloadType: 96 }), payload));
      }
    }, 33);
    try {
      expect(await reason).toBe('media-timeout');
    } finally {
      clearInterval(garbage);
      await pc.close();
    }
    const before = await tab.evaluate(() => (globalThis as unknown as { results: number }).results);
    await tab.waitForFunction((n) => (globalThis as unknown as { results: number }).results > n + 3, before);
    expect(server.peerCount).toBe(1);
    await tab.close();
    await until(() => server.peerCount === 0);
  });
});

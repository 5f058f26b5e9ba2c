/**
 * Server-side inference end to end: headless Chromium's fake camera plays a y4m made
 * from a shared video, the page's InferenceClient sends it to a real InferenceServer
 * (werift, node-av decoding, YOLOX-Nano on onnxruntime-node), and the detections that
 * come back on the DataChannel must agree with what the Node detector finds on the
 * same frames. Run for VP8 and H.264, with HTTP and WebSocket signaling.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxIou, type DetectionMessage, type DetectionResult } from '@vidai/core';
import { InferenceServer, type NodeDetector, type PeerStats } from '@vidai/node';
import type { ChromiumHandle } from './helpers/chromium.js';
import { startInferenceFixture, type InferenceFixture } from './helpers/inference-fixture.js';
import type { StaticServer } from './helpers/static-server.js';
import { makeY4m, type Y4mFile } from './helpers/y4m.js';
import { sharedPath } from '../test/helpers/shared-data.js';

const run = promisify(execFile);
const VIDEO = sharedPath('videos/degirum-Traffic.mp4');
const WIDTH = 640;
const HEIGHT = 360;

let y4m: Y4mFile;
let node: NodeDetector;
let reference: DetectionResult[];
let fixture: InferenceFixture;
let page: StaticServer;
let chromium: ChromiumHandle;
let server: InferenceServer;
let serverUrl: string;
const token = 'e2e-token';

/** Every frame of the y4m, detected in Node (the reference). */
async function detectAllFrames(path: string): Promise<DetectionResult[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-pix_fmt', 'bgr24', '-f', 'rawvideo', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 1 << 28,
  });
  const size = WIDTH * HEIGHT * 3;
  const out: DetectionResult[] = [];
  for (let i = 0; (i + 1) * size <= stdout.length; i++) {
    const data = new Uint8Array(stdout.buffer, stdout.byteOffset + i * size, size);
    out.push(await node.detector.detect({ data, width: WIDTH, height: HEIGHT, format: 'bgr', timestamp: i, seq: i }));
  }
  return out;
}

/** How well a received message agrees with one reference frame: share of confident reference boxes matched. */
function agreement(message: DetectionMessage, ref: DetectionResult): number {
  const sx = WIDTH / message.width;
  const sy = HEIGHT / message.height;
  const got = message.detections.map((d) => ({ ...d, box: [d.box[0] * sx, d.box[1] * sy, d.box[2] * sx, d.box[3] * sy] as typeof d.box }));
  const wanted = ref.detections.filter((d) => d.score >= 0.5);
  if (wanted.length === 0) return got.length === 0 ? 1 : 0;
  let matched = 0;
  for (const w of wanted) if (got.some((g) => g.classId === w.classId && boxIou(g.box, w.box) >= 0.5)) matched++;
  return matched / wanted.length;
}

beforeAll(async () => {
  y4m = await makeY4m(VIDEO, { width: WIDTH, height: HEIGHT, fps: 15, duration: 3 });
  fixture = await startInferenceFixture({ y4m: y4m.path, token });
  ({ node, page, chromium, server, serverUrl } = fixture);
  reference = await detectAllFrames(y4m.path);
}, 120_000);

afterAll(async () => {
  await fixture?.close();
  await y4m?.remove();
});

/** Opens the page, streams the camera to the server and collects `count` detection messages. */
async function collect(codec: 'vp8' | 'h264', signaling: 'http' | 'websocket', count: number, url = serverUrl) {
  const tab = await chromium.context.newPage();
  try {
    await tab.goto(`${page.url}/index.html`);
    await tab.waitForFunction(() => 'vidai' in globalThis);
    return await tab.evaluate(
      async ({ url, token, codec, signaling, count, width, height }) => {
        const { InferenceClient } = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
        const stream = await navigator.mediaDevices.getUserMedia({ video: { width, height } });
        const client = new InferenceClient(stream, { url, token, codec, signaling, reconnect: false });
        const messages: DetectionMessage[] = [];
        const errors: string[] = [];
        client.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
        const done = new Promise<void>((resolve, reject) => {
          client.on('detections', ({ message }) => {
            messages.push(message);
            if (messages.length >= count) resolve();
          });
          client.on('state', (s) => s === 'closed' && reject(new Error(`client closed: ${errors.join('; ')}`)));
        });
        await done;
        const offset = client.clockOffset;
        const peerId = client.peerId;
        client.close();
        stream.getTracks().forEach((t) => t.stop());
        return { messages, errors, offset, peerId };
      },
      { url, token, codec, signaling, count, width: WIDTH, height: HEIGHT },
    );
  } finally {
    await tab.close();
  }
}

describe.each([
  ['vp8', 'http'],
  ['h264', 'http'],
  ['vp8', 'websocket'],
] as const)('server-side inference, %s over %s signaling', (codec, signaling) => {
  it('returns detections that agree with the Node detector on the same frames', async () => {
    let negotiated: string | undefined;
    let stats: PeerStats | undefined;
    const off = server.on('peer', (peer) => {
      peer.on('result', () => {
        negotiated ??= peer.stats().codec;
        stats = peer.stats();
      });
    });
    const { messages, errors, offset, peerId } = await collect(codec, signaling, 12);
    off();
    expect(errors).toEqual([]);
    expect(peerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(negotiated).toBe(codec);
    expect(stats).toMatchObject({ state: 'connected', codec, badMessages: 0 });
    expect(stats!.packets).toBeGreaterThan(0);
    expect(stats!.framesDecoded).toBeGreaterThanOrEqual(stats!.framesProcessed);
    expect(stats!.framesProcessed).toBeGreaterThanOrEqual(11);
    expect(stats!.bitrate).toBeGreaterThan(0);
    expect(stats!.latency.inference?.count).toBeGreaterThan(0);
    expect(stats!.latency.decode?.p50).toBeGreaterThan(0);
    // The clock offset was estimated over the DataChannel (same machine: close to 0).
    expect(offset).toBeDefined();
    expect(Math.abs(offset!.offset)).toBeLessThan(1000);
    for (const m of messages) {
      expect(m.type).toBe('detections');
      expect(m.width).toBeGreaterThan(0);
      expect(m.timings?.inference).toBeGreaterThan(0);
      expect(m.timings?.decode).toBeGreaterThan(0);
    }
    // Skip the first results (encoder ramp-up), then each must match some reference frame.
    const scored = messages.slice(4).map((m) => Math.max(...reference.map((r) => agreement(m, r))));
    const cars = messages.slice(4).map((m) => m.detections.filter((d) => d.label === 'car').length);
    expect(Math.min(...cars)).toBeGreaterThan(0);
    const mean = scored.reduce((a, b) => a + b, 0) / scored.length;
    expect(mean).toBeGreaterThanOrEqual(0.8);
  });
});

describe('server-side inference under packet loss', () => {
  it('drops to the next key frame after a loss, asks for it with PLI, and keeps detecting correctly', async () => {
    // werift's debug option passes a packet when inboundPacketLoss / 100 >= Math.random():
    // 96 drops about 4 % of everything received (media and DataChannel). With no wait in
    // the reorder buffer, NACK retransmissions come too late and every gap is a loss.
    const lossy = new InferenceServer({
      detector: node.detector,
      auth: token,
      allowedOrigins: [page.url],
      reorderDelayMs: 0,
      peerConfig: { debug: { inboundPacketLoss: 96 } },
    });
    try {
      const { url } = await lossy.listen();
      let stats: PeerStats | undefined;
      lossy.on('peer', (peer) => peer.on('result', () => (stats = peer.stats())));
      const { messages } = await collect('vp8', 'http', 25, url);
      expect(stats!.packetsLost).toBeGreaterThan(0);
      expect(stats!.keyFrameRequests).toBeGreaterThan(2);
      expect(stats!.framesDropped).toBeGreaterThan(0);
      // No broken frame reached the decoder: every result still matches a reference frame.
      const scored = messages.slice(4).map((m) => Math.max(...reference.map((r) => agreement(m, r))));
      expect(scored.reduce((a, b) => a + b, 0) / scored.length).toBeGreaterThanOrEqual(0.8);
    } finally {
      await lossy.close();
    }
  });
});

/**
 * The inference server's limits and refusals, over real HTTP, WebSocket and werift
 * peers. The detector is a stub: nothing here reaches detection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import { decodeWireMessage, type Detector } from '@vidai/core';
import { InferenceServer, type InferenceServerOptions } from '../src/inference-server.js';

const detector: Detector = {
  detect: async (frame) => ({ seq: frame.seq, timestamp: frame.timestamp, width: frame.width, height: frame.height, detections: [], timings: { preprocess: 0, inference: 0, postprocess: 0 } }),
  close: async () => {},
};

const servers: InferenceServer[] = [];
const clients: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((pc) => pc.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<InferenceServerOptions> = {}) {
  const server = new InferenceServer({ detector, auth: 'secret', ...options });
  servers.push(server);
  const { url } = await server.listen();
  return { server, url };
}

/** A browser-like offer from a werift client: a send-only video track and a DataChannel. */
async function clientOffer() {
  const pc = new RTCPeerConnection({ iceServers: [] });
  clients.push(pc);
  pc.addTransceiver('video', { direction: 'sendonly' });
  const channel = pc.createDataChannel('vidai', { ordered: false, maxRetransmits: 0 });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve());
  });
  return { pc, channel, offer: { type: 'offer' as const, sdp: pc.localDescription!.sdp } };
}

function post(url: string, body: unknown, headers: Record<string, string> = { authorization: 'Bearer secret' }) {
  return fetch(`${url}/offer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function expectRefusal(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
}

async function connect(url: string) {
  const { pc, channel, offer } = await clientOffer();
  const res = await post(url, offer);
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { type: 'answer'; sdp: string; peerId: string };
  await pc.setRemoteDescription(answer);
  await new Promise<void>((resolve) => (channel.readyState === 'open' ? resolve() : channel.stateChanged.subscribe((s) => s === 'open' && resolve())));
  return { pc, channel, peerId: answer.peerId };
}

function nextMessage(channel: RTCDataChannel) {
  return new Promise<ReturnType<typeof decodeWireMessage>>((resolve) => {
    const { unSubscribe } = channel.onMessage.subscribe((data) => {
      unSubscribe();
      resolve(decodeWireMessage(typeof data === 'string' ? data : new Uint8Array(data)));
    });
  });
}

describe('InferenceServer limits', () => {
  it('refuses a missing or wrong bearer token with 401 unauthorized', async () => {
    const { url } = await start();
    const { offer } = await clientOffer();
    await expectRefusal(await post(url, offer, {}), 401, 'unauthorized');
    await expectRefusal(await post(url, offer, { authorization: 'Bearer nope' }), 401, 'unauthorized');
  });

  it('runs a custom authorization hook', async () => {
    const { url } = await start({ auth: (_req, token) => token === 'from-hook' });
    const { offer } = await clientOffer();
    await expectRefusal(await post(url, offer, { authorization: 'Bearer secret' }), 401, 'unauthorized');
    expect((await post(url, offer, { authorization: 'Bearer from-hook' })).status).toBe(200);
  });

  it('generates a token when none is given', async () => {
    const { server, url } = await start({ auth: undefined });
    expect(server.token).toMatch(/^[\w-]{20,}$/);
    const { offer } = await clientOffer();
    await expectRefusal(await post(url, offer, {}), 401, 'unauthorized');
  });

  it('refuses an origin not on the allowlist with 403 forbidden-origin (and allows listed ones)', async () => {
    const { url } = await start({ allowedOrigins: ['https://app.example'] });
    const { offer } = await clientOffer();
    await expectRefusal(await post(url, offer, { authorization: 'Bearer secret', origin: 'https://evil.example' }), 403, 'forbidden-origin');
    const ok = await post(url, offer, { authorization: 'Bearer secret', origin: 'https://app.example' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const preflight = await fetch(`${url}/offer`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(preflight.status).toBe(403);
  });

  it('refuses an SDP over 64 KiB and a body over the body cap with 413 payload-too-large', async () => {
    const { url } = await start();
    const { offer } = await clientOffer();
    const padded = { type: 'offer', sdp: offer.sdp + `a=x-pad:${'x'.repeat(70 * 1024)}\r\n` };
    await expectRefusal(await post(url, padded), 413, 'payload-too-large');
    await expectRefusal(await post(url, 'x'.repeat(200 * 1024)), 413, 'payload-too-large');
  });

  it('answers malformed offers with 400 offer-invalid and keeps serving', async () => {
    const { server, url } = await start({ rateLimit: false });
    const { offer } = await clientOffer();
    const bad: unknown[] = [
      '{not json',
      { type: 'answer', sdp: offer.sdp },
      { type: 'offer' },
      { type: 'offer', sdp: 'v=0\r\nhello' },
      { type: 'offer', sdp: offer.sdp.replace(/m=application[\s\S]*$/, '') }, // no DataChannel
      { type: 'offer', sdp: offer.sdp.replace(/a=fingerprint:\S+ \S+/, 'a=fingerprint:sha-256 zz') },
      { type: 'offer', sdp: offer.sdp.replace(/m=video \d+ \S+ [\d ]+/, 'm=video 9 UDP/TLS/RTP/SAVPF 999999999') },
    ];
    for (const body of bad) await expectRefusal(await post(url, body), 400, 'offer-invalid');
    expect(server.peerCount).toBe(0);
    expect((await post(url, offer)).status).toBe(200);
  });

  it('survives mutated offers: every answer is 200 or a 400 offer-invalid, and the server keeps serving', async () => {
    const { server, url } = await start({ rateLimit: false, maxPeers: 100 });
    const { offer } = await clientOffer();
    const lines = offer.sdp.split('\r\n').filter(Boolean);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const mutated = [...lines];
      const at = random(mutated.length);
      switch (i % 4) {
        case 0: // drop a line
          mutated.splice(at, 1);
          break;
        case 1: // duplicate a line
          mutated.splice(at, 0, mutated[at]!);
          break;
        case 2: // garble the numbers of a line
          mutated[at] = mutated[at]!.replace(/\d+/g, () => String(random(1e9) - 5e8));
          break;
        case 3: // cut the line short
          mutated[at] = mutated[at]!.slice(0, random(mutated[at]!.length));
          break;
      }
      const res = await post(url, { type: 'offer', sdp: `${mutated.join('\r\n')}\r\n` });
      statuses.add(res.status);
      const body = (await res.json()) as { error?: { code: string } };
      if (res.status !== 200) expect({ status: res.status, code: body.error?.code }).toEqual({ status: 400, code: 'offer-invalid' });
    }
    expect(statuses.has(400)).toBe(true);
    expect((await post(url, offer)).status).toBe(200);
  });

  it('answers 503 too-many-peers beyond maxPeers', async () => {
    const { server, url } = await start({ maxPeers: 1 });
    const first = await clientOffer();
    expect((await post(url, first.offer)).status).toBe(200);
    const second = await clientOffer();
    const res = await post(url, second.offer);
    expect(res.headers.get('retry-after')).toBeTruthy();
    await expectRefusal(res, 503, 'too-many-peers');
    expect(server.peerCount).toBe(1);
  });

  it('rate-limits offers per client with 429 rate-limited and Retry-After', async () => {
    const { url } = await start({ rateLimit: { perMinute: 1, burst: 2 } });
    const { offer } = await clientOffer();
    expect((await post(url, offer)).status).toBe(200);
    expect((await post(url, offer)).status).toBe(200);
    const res = await post(url, offer);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectRefusal(res, 429, 'rate-limited');
  });

  it('refuses a WebSocket without a valid token during the upgrade', async () => {
    const { url } = await start();
    const wsUrl = url.replace('http', 'ws') + '/ws';
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl, ['bearer.wrong']);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(401);
    const ok = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`${wsUrl}?token=secret`);
      ws.on('open', () => {
        ws.close();
        resolve(true);
      });
      ws.on('unexpected-response', () => resolve(false));
    });
    expect(ok).toBe(true);
  });

  it('answers malformed WebSocket signaling with an offer-invalid error and closes the socket', async () => {
    const { server, url } = await start();
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?token=secret`);
    await new Promise((resolve) => ws.once('open', resolve));
    const message = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('{"type":"offer","sdp":"v=0 nope"}');
    expect(JSON.parse(await message)).toMatchObject({ type: 'error', code: 'offer-invalid' });
    expect(await closed).toBe(1008);
    expect(server.peerCount).toBe(0);
  });

  it('closes a connected peer that sends no video within mediaTimeoutMs, and releases its slot', async () => {
    const { server, url } = await start({ mediaTimeoutMs: 500, maxPeers: 1 });
    const closed = new Promise<string>((resolve) => server.on('peer-closed', (_peer, r) => resolve(r)));
    await connect(url);
    expect(await closed).toBe('media-timeout');
    expect(server.peerCount).toBe(0);
    const next = await clientOffer();
    expect((await post(url, next.offer)).status).toBe(200);
  });

  it('answers garbage on the DataChannel with an error message, answers pings, and closes only the peer that keeps sending garbage', async () => {
    const { server, url } = await start({ maxBadMessages: 3 });
    const good = await connect(url);
    const bad = await connect(url);
    expect(server.peerCount).toBe(2);

    const reply = nextMessage(bad.channel);
    bad.channel.send('{"v":1,"type":"detections","__proto__":{}}');
    expect(await reply).toMatchObject({ type: 'error', code: 'malformed-message' });

    const closed = new Promise<string>((resolve) => server.on('peer-closed', (peer, reason) => peer.id === bad.peerId && resolve(reason)));
    for (let i = 0; i < 4; i++) bad.channel.send(Buffer.from([0xff, 0xfe, i]));
    expect(await closed).toBe('bad-messages');
    expect(server.peerCount).toBe(1);

    const pong = nextMessage(good.channel);
    good.channel.send(JSON.stringify({ v: 1, type: 'ping', id: 7, t0: 1 }));
    expect(await pong).toMatchObject({ type: 'pong', id: 7, t0: 1 });
    expect(server.stats().map((s) => s.id)).toEqual([good.peerId]);
  });
});

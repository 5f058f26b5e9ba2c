/**
 * The peer-to-peer signaling relay against real WebSocket clients (`ws`) on loopback:
 * relaying within a room, tokens, full rooms, oversized, malformed and misaddressed
 * messages, floods, limits and timeouts. Throughout, a second room's sender and viewer
 * keep relaying, to show that nothing one client does reaches or breaks another room.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SIGNALING_PROTOCOL_VERSION, type SignalingServerMessage } from '@vidai/core';
import { SignalingServer, type SignalingServerOptions } from '../src/signaling-server.js';

const SECRET = 'a test secret of the signaling server';
const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

/** A WebSocket client that records every message it gets. */
class TestClient {
  readonly messages: SignalingServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as SignalingServerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  /** Resolves with the first message (from index `from`) that matches. */
  async next<T extends SignalingServerMessage['type']>(type: T, from = 0, timeoutMs = 5000): Promise<Extract<SignalingServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find((m) => m.type === type);
      if (found) return found as Extract<SignalingServerMessage, { type: T }>;
      if (Date.now() > deadline) throw new Error(`no ${type} message; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Sends a message and resolves with the error it is answered with. */
  async refused(message: unknown): Promise<Extract<SignalingServerMessage, { type: 'error' }>> {
    const from = this.messages.length;
    this.send(message);
    return this.next('error', from);
  }

  close(): void {
    this.ws.terminate();
  }
}

let server: SignalingServer;
let url: string;
const clients: TestClient[] = [];

async function start(options: SignalingServerOptions = {}): Promise<void> {
  server = new SignalingServer({ secret: SECRET, ...options });
  url = (await server.listen()).url;
}

async function join(room: string, role: 'sender' | 'viewer', peerId: string, token = server.roomToken(room)): Promise<TestClient> {
  const client = await TestClient.open(url);
  clients.push(client);
  client.send({ type: 'join', v: SIGNALING_PROTOCOL_VERSION, room, role, peerId, token });
  await client.next('joined');
  return client;
}

/** A second room whose relay must keep working whatever happens elsewhere. */
let other: { sender: TestClient; viewer: TestClient; checks: number };

async function expectOtherRoomWorks(): Promise<void> {
  const n = ++other.checks;
  const from = other.viewer.messages.length;
  other.sender.send({ type: 'offer', to: 'other-viewer', sdp: `${SDP}a=check:${n}\r\n` });
  const offer = await other.viewer.next('offer', from);
  expect(offer).toEqual({ type: 'offer', from: 'other-sender', sdp: `${SDP}a=check:${n}\r\n` });
  const back = other.sender.messages.length;
  other.viewer.send({ type: 'candidate', to: 'other-sender', candidate: { candidate: `candidate:${n} 1 udp 1 127.0.0.1 9 typ host`, sdpMid: '0', sdpMLineIndex: 0 } });
  expect((await other.sender.next('candidate', back)).candidate?.candidate).toBe(`candidate:${n} 1 udp 1 127.0.0.1 9 typ host`);
}

async function startWithOtherRoom(options: SignalingServerOptions = {}): Promise<void> {
  await start(options);
  other = { sender: await join('other-room', 'sender', 'other-sender'), viewer: await join('other-room', 'viewer', 'other-viewer'), checks: 0 };
  await expectOtherRoomWorks();
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
});

describe('SignalingServer relay', () => {
  beforeEach(() => startWithOtherRoom());

  it('relays offers, answers and candidates between the sender and a viewer of one room, with only the known fields', async () => {
    const sender = await join('room-a', 'sender', 'phone');
    const viewer = await join('room-a', 'viewer', 'desk');
    expect(viewer.messages[0]).toEqual({ type: 'joined', room: 'room-a', peerId: 'desk', role: 'viewer', peers: [{ peerId: 'phone', role: 'sender' }], iceServers: [] });
    expect(await sender.next('peer-joined')).toEqual({ type: 'peer-joined', peer: { peerId: 'desk', role: 'viewer' } });

    sender.send({ type: 'offer', to: 'desk', sdp: SDP, extra: 'not relayed', from: 'forged' });
    expect(await viewer.next('offer')).toEqual({ type: 'offer', from: 'phone', sdp: SDP });
    viewer.send({ type: 'answer', to: 'phone', sdp: SDP });
    expect(await sender.next('answer')).toEqual({ type: 'answer', from: 'desk', sdp: SDP });
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.168.1.2 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd', x: 1 };
    sender.send({ type: 'candidate', to: 'desk', candidate });
    sender.send({ type: 'candidate', to: 'desk', candidate: null });
    const got = await viewer.next('candidate');
    expect(got).toEqual({ type: 'candidate', from: 'phone', candidate: { candidate: candidate.candidate, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' } });
    await expect.poll(() => viewer.messages.filter((m) => m.type === 'candidate').length).toBe(2);
    expect(viewer.messages.at(-1)).toEqual({ type: 'candidate', from: 'phone', candidate: null });

    expect(server.room('room-a')).toEqual({ room: 'room-a', sender: 'phone', viewers: ['desk'] });
    expect(server.stats()).toEqual({ connections: 4, rooms: 2, members: 4 });

    // leave: the others hear "left"; a dropped connection: "lost".
    const from = sender.messages.length;
    viewer.send({ type: 'leave' });
    expect(await sender.next('peer-left', from)).toEqual({ type: 'peer-left', peer: { peerId: 'desk', role: 'viewer' }, reason: 'left' });
    const viewer2 = await join('room-a', 'viewer', 'desk2');
    const from2 = sender.messages.length;
    viewer2.close();
    expect(await sender.next('peer-left', from2)).toMatchObject({ peer: { peerId: 'desk2' }, reason: 'lost' });
    await expectOtherRoomWorks();
  });

  it('hands out the ICE servers of the iceServers hook on join, and answers pings', async () => {
    await server.close();
    await startWithOtherRoom({ iceServers: () => [{ urls: ['turn:turn.example.com:3478'], username: '1:u', credential: 'c' }] });
    const viewer = await join('room-ice', 'viewer', 'v1');
    expect(viewer.messages[0]).toMatchObject({ iceServers: [{ urls: ['turn:turn.example.com:3478'], username: '1:u', credential: 'c' }] });
    viewer.send({ type: 'ping' });
    expect(await viewer.next('pong')).toEqual({ type: 'pong' });
  });

  it('lets the same peer id rejoin on a new connection (the old one is replaced) and tells the others', async () => {
    const sender = await join('room-r', 'sender', 'phone');
    const viewer = await join('room-r', 'viewer', 'desk');
    const from = sender.messages.length;
    const again = await join('room-r', 'viewer', 'desk');
    expect((await viewer.closed).code).toBe(4000);
    expect(await sender.next('peer-joined', from)).toEqual({ type: 'peer-joined', peer: { peerId: 'desk', role: 'viewer' } });
    expect(sender.messages.slice(from).some((m) => m.type === 'peer-left')).toBe(false);
    sender.send({ type: 'offer', to: 'desk', sdp: SDP });
    expect(await again.next('offer')).toMatchObject({ from: 'phone' });
    expect(server.room('room-r')).toEqual({ room: 'room-r', sender: 'phone', viewers: ['desk'] });
  });
});

describe('SignalingServer refusals', () => {
  beforeEach(() => startWithOtherRoom({ maxViewers: 2 }));

  it('refuses a wrong token, another room\'s token and a token for another role, and closes with 4401', async () => {
    for (const token of ['wrong', server.roomToken('other-room'), server.roomToken('room-t', 'viewer'), undefined]) {
      const client = await TestClient.open(url);
      clients.push(client);
      const error = await client.refused({ type: 'join', v: 1, room: 'room-t', role: 'sender', peerId: 'p', ...(token ? { token } : {}) });
      expect(error.code).toBe('unauthorized');
      expect((await client.closed).code).toBe(4401);
    }
    // A role-scoped token admits its role.
    await join('room-t', 'viewer', 'v', server.roomToken('room-t', 'viewer'));
    expect(server.room('room-t')?.viewers).toEqual(['v']);
    await expectOtherRoomWorks();
  });

  it('refuses a third viewer and a second sender in a full room (room-full, 4409)', async () => {
    await join('room-f', 'sender', 'phone');
    await join('room-f', 'viewer', 'v1');
    await join('room-f', 'viewer', 'v2');
    for (const [role, peerId] of [['viewer', 'v3'], ['sender', 'phone2']] as const) {
      const client = await TestClient.open(url);
      clients.push(client);
      const error = await client.refused({ type: 'join', v: 1, room: 'room-f', role, peerId, token: server.roomToken('room-f') });
      expect(error.code).toBe('room-full');
      expect((await client.closed).code).toBe(4409);
    }
    expect(server.room('room-f')).toEqual({ room: 'room-f', sender: 'phone', viewers: ['v1', 'v2'] });
    await expectOtherRoomWorks();
  });

  it('answers oversized messages with payload-too-large and drops them; a huge frame closes only that connection (1009)', async () => {
    const sender = await join('room-o', 'sender', 'phone');
    const viewer = await join('room-o', 'viewer', 'desk');
    const big = { type: 'offer', to: 'desk', sdp: `${SDP}${'a=x\r\n'.repeat(20_000)}` }; // 100 KB > 64 KiB
    expect((await sender.refused(big)).code).toBe('payload-too-large');
    expect(viewer.messages.some((m) => m.type === 'offer')).toBe(false);
    // Still connected and relaying.
    sender.send({ type: 'offer', to: 'desk', sdp: SDP });
    expect(await viewer.next('offer')).toMatchObject({ sdp: SDP });
    await expectOtherRoomWorks();

    sender.send('x'.repeat(300 * 1024)); // above 4 x 64 KiB: never buffered
    expect((await sender.closed).code).toBe(1009);
    expect(await viewer.next('peer-left')).toMatchObject({ peer: { peerId: 'phone' }, reason: 'lost' });
    await expectOtherRoomWorks();
  });

  it('answers malformed messages with signaling-invalid, keeps the connection, and disconnects after maxBadMessages', async () => {
    const sender = await join('room-m', 'sender', 'phone');
    const viewer = await join('room-m', 'viewer', 'desk');
    const malformed: unknown[] = [
      'not json',
      '[1,2]',
      'null',
      Buffer.from([1, 2, 3]),
      { type: 'subscribe', to: 'desk' },
      { type: 'offer', sdp: SDP },
      { type: 'offer', to: 'desk', sdp: 42 },
      { type: 'offer', to: '../../etc', sdp: SDP },
      { type: 'candidate', to: 'desk', candidate: 'candidate:1' },
      { type: 'candidate', to: 'desk', candidate: { candidate: 'c', sdpMLineIndex: -1 } },
      { type: 'join', v: 1, room: 'room-m', role: 'viewer', peerId: 'again', token: server.roomToken('room-m') },
      '{"type":"offer","to":"desk","sdp":"v=0","__proto__":{"polluted":true}}',
    ];
    for (const m of malformed) {
      const error = await sender.refused(m);
      expect(error.code, JSON.stringify(String(m))).toBe('signaling-invalid');
    }
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(viewer.messages.filter((m) => m.type !== 'joined')).toEqual([]);
    // Still a member, still relaying.
    sender.send({ type: 'offer', to: 'desk', sdp: SDP });
    expect(await viewer.next('offer')).toMatchObject({ from: 'phone' });
    await expectOtherRoomWorks();

    // A client that joined nothing cannot relay.
    const stranger = await TestClient.open(url);
    clients.push(stranger);
    expect((await stranger.refused({ type: 'offer', to: 'desk', sdp: SDP })).code).toBe('signaling-invalid');

    // 20 refused messages in all: disconnected.
    for (let i = malformed.length; i < 19; i++) await sender.refused('still not json');
    sender.send('the twentieth');
    expect((await sender.closed).code).toBe(4400);
    await expectOtherRoomWorks();
  });

  it('drops a message addressed to a peer in another room (peer-not-found) and to a peer of the same role', async () => {
    const sender = await join('room-x', 'sender', 'phone');
    const viewer = await join('room-x', 'viewer', 'desk');
    const viewer2 = await join('room-x', 'viewer', 'desk2');
    const otherFrom = other.viewer.messages.length;
    for (const to of ['other-viewer', 'other-sender', 'nobody', 'phone']) {
      const error = await sender.refused({ type: 'offer', to, sdp: SDP });
      expect(error.code).toBe('peer-not-found');
    }
    expect((await viewer.refused({ type: 'candidate', to: 'desk2', candidate: null })).code).toBe('peer-not-found');
    // Members come and go while candidates are in flight: messages to absent peers do not get a client disconnected.
    for (let i = 0; i < 25; i++) sender.send({ type: 'candidate', to: 'gone', candidate: null });
    await expect.poll(() => sender.messages.filter((m) => m.type === 'error' && m.code === 'peer-not-found').length).toBe(29);
    sender.send({ type: 'offer', to: 'desk', sdp: SDP });
    expect(await viewer.next('offer')).toMatchObject({ from: 'phone' });
    await new Promise((r) => setTimeout(r, 100));
    expect(other.viewer.messages.slice(otherFrom)).toEqual([]);
    expect(viewer2.messages.filter((m) => m.type === 'candidate')).toEqual([]);
    await expectOtherRoomWorks();
  });

  it('disconnects a client that floods (4429) while the other room keeps relaying', async () => {
    const sender = await join('room-fl', 'sender', 'phone');
    const viewer = await join('room-fl', 'viewer', 'desk');
    const rejected: string[] = [];
    server.on('rejected', (e, info) => info.peerId === 'phone' && rejected.push(e.code));
    for (let i = 0; i < 500 && sender.ws.readyState === WebSocket.OPEN; i++) {
      sender.send({ type: 'candidate', to: 'desk', candidate: { candidate: `candidate:${i} 1 udp 1 127.0.0.1 9 typ host` } });
    }
    const check = expectOtherRoomWorks();
    expect((await sender.closed).code).toBe(4429);
    await check;
    expect(sender.messages.some((m) => m.type === 'error' && m.code === 'rate-limited')).toBe(true);
    expect(rejected).toContain('rate-limited');
    expect(await viewer.next('peer-left')).toMatchObject({ peer: { peerId: 'phone' } });
    // The burst (60, less the join) got through, the rest was dropped.
    const relayed = viewer.messages.filter((m) => m.type === 'candidate').length;
    expect(relayed).toBeGreaterThanOrEqual(59);
    expect(relayed).toBeLessThan(100);
    await expectOtherRoomWorks();
  });
});

describe('SignalingServer limits', () => {
  it('refuses rooms beyond maxRooms (too-many-rooms) and frees a room when it empties', async () => {
    await startWithOtherRoom({ maxRooms: 2 });
    const a = await join('room-1', 'sender', 's1');
    const client = await TestClient.open(url);
    clients.push(client);
    expect((await client.refused({ type: 'join', v: 1, room: 'room-2', role: 'sender', peerId: 's2', token: server.roomToken('room-2') })).code).toBe('too-many-rooms');
    expect((await client.closed).code).toBe(4503);
    a.close();
    await expect.poll(() => server.stats().rooms).toBe(1);
    await join('room-2', 'sender', 's2');
    await expectOtherRoomWorks();
  });

  it('closes a client that stops answering pings (idle timeout) and one that never joins', async () => {
    await startWithOtherRoom({ heartbeatMs: 150, joinTimeoutMs: 300 });
    const sender = await join('room-i', 'sender', 'phone');
    const silent = new TestClient(new WebSocket(url, { autoPong: false }));
    clients.push(silent);
    await new Promise((r) => silent.ws.once('open', r));
    silent.send({ type: 'join', v: 1, room: 'room-i', role: 'viewer', peerId: 'silent', token: server.roomToken('room-i') });
    await silent.next('joined');
    expect(await sender.next('peer-left')).toMatchObject({ peer: { peerId: 'silent' }, reason: 'lost' });
    expect((await silent.closed).code).toBe(1006);

    const idle = await TestClient.open(url);
    clients.push(idle);
    expect((await idle.closed).code).toBe(4408);
    // Clients that answer pings (ws does by default) stay.
    expect(server.room('room-i')?.sender).toBe('phone');
    await expectOtherRoomWorks();
  });

  it('refuses other origins and connection floods at the upgrade (HTTP 403, 429)', async () => {
    await start({ connectionRate: { perMinute: 1, burst: 2 }, allowedOrigins: ['https://app.example'] });
    const status = (origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, origin ? { origin } : {});
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.terminate();
          resolve(101);
        });
        ws.on('error', () => {});
      });
    expect(await status('https://evil.example')).toBe(403);
    expect(await status('https://app.example')).toBe(101);
    expect(await status()).toBe(101);
    expect(await status()).toBe(429);
  });

  it('works on an existing http server and close() releases every connection; close twice is safe', async () => {
    const http = createServer((_req, res) => res.end('app'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    server = new SignalingServer({ secret: SECRET, path: '/p2p' });
    server.attach(http);
    url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/p2p`;
    const sender = await join('room-h', 'sender', 'phone');
    const viewer = await join('room-h', 'viewer', 'desk');
    sender.send({ type: 'offer', to: 'desk', sdp: SDP });
    await viewer.next('offer');
    await server.close();
    await server.close();
    expect((await sender.closed).code).toBe(1006);
    expect((await viewer.closed).code).toBe(1006);
    expect(server.stats()).toEqual({ connections: 0, rooms: 0, members: 0 });
    // The http server is the caller's: it still serves.
    const res = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
    expect(await res.text()).toBe('app');
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('rejects bad options with TypeError', () => {
    expect(() => new SignalingServer({ secret: 'short' })).toThrow(TypeError);
    expect(() => new SignalingServer({ maxViewers: -1 })).toThrow(TypeError);
    expect(() => new SignalingServer({ path: 'signal' })).toThrow(TypeError);
  });
});

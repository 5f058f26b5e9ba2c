/**
 * Phone to desktop, peer to peer, in real headless Chromium: one browser plays the
 * phone (its fake camera plays a y4m made from ../shared/images/dog.jpg) and publishes
 * it with a PeerLink sender; another plays the desktop: a PeerLink viewer receives the
 * track, runs BrowserDetector on it (DetectionLoop, VideoElementSource, Overlay) and
 * sends the detections back over the DataChannel. Signaling goes through a real
 * SignalingServer on loopback; nothing else is between the pages. Then a second viewer
 * joins and leaves, and the signaling server is stopped and restarted while the
 * session runs: media and detections keep flowing, both pages rejoin without a reload,
 * and an ICE restart negotiates through the new server.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxIou, type Box } from '@vidai/core';
import { SignalingServer } from '@vidai/node';
import { bundleBrowser, type BrowserBundle } from './helpers/browser-bundle.js';
import { launchChromium, type ChromiumHandle } from './helpers/chromium.js';
import { imageDir, openDetectorApp, serveDetectorApp } from './helpers/detector-app.js';
import type { StaticServer } from './helpers/static-server.js';
import { makeY4m, type Y4mFile } from './helpers/y4m.js';

const SECRET = 'phone-to-desktop e2e secret';
const ROOM = 'e2e-room';
/** Reference box of the dog in dog.jpg (768x576), from ../shared/SOURCES.md. */
const DOG: Box = [132.8, 206.6, 325.7, 543.1];

interface Seen {
  labels: string[];
  dog: Box | undefined;
  width: number;
  height: number;
  seq: number;
  at: number;
}

/** What the pages record, read with `page.evaluate`. */
interface PageState {
  states: string[];
  errors: string[];
  results: Seen[];
  received: Seen[];
  track: number | undefined;
  overlayDrawn: number;
  transport: Array<number | undefined>;
}

type Vidai = typeof import('@vidai/browser');

let y4m: Y4mFile;
let bundle: BrowserBundle;
let app: StaticServer;
let phoneBrowser: ChromiumHandle;
let desktopBrowser: ChromiumHandle;
let phone: Page;
let desktop: Page;
let signaling: SignalingServer;
let port: number;

function startSignaling(listenPort = 0): Promise<{ port: number; url: string }> {
  signaling = new SignalingServer({ secret: SECRET, allowedOrigins: [app.url] });
  return signaling.listen({ port: listenPort });
}

type Link = InstanceType<Vidai['PeerLink']>;
const peersOf = (page: Page) => page.evaluate(() => (globalThis as unknown as { __link: Link }).__link.peers());
const state = (page: Page): Promise<PageState> => page.evaluate(() => (globalThis as unknown as { __p2p: PageState }).__p2p);

async function waitFor(page: Page, what: string, predicate: (s: PageState) => boolean, timeoutMs = 45_000): Promise<PageState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await state(page);
    if (predicate(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ ...s, results: s.results.length, received: s.received.length })}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The phone: camera -> PeerLink sender; detections from viewers are recorded and drawn over the local video. */
async function startPhone(page: Page, url: string, token: string): Promise<void> {
  await page.evaluate(
    async ({ url, token, room }) => {
      const v = (globalThis as unknown as { vidai: Vidai }).vidai;
      const s: PageState = { states: [], errors: [], results: [], received: [], track: undefined, overlayDrawn: 0, transport: [] };
      (globalThis as unknown as { __p2p: PageState }).__p2p = s;
      const camera = await v.CameraSource.open({ width: 768, height: 576 });
      const video = document.createElement('video');
      document.body.append(video);
      await camera.attach(video);
      const overlay = v.Overlay.attach(video, { sync: 'arrival', maxAge: 5000 });
      const link = new v.PeerLink({ url, room, token, role: 'sender', stream: camera.stream, peerId: 'phone', reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } });
      (globalThis as unknown as { __link: unknown }).__link = link;
      link.on('state', (x) => s.states.push(x));
      link.on('error', (e) => s.errors.push(`${e.code}: ${e.message}`));
      link.on('detections', ({ message, transportMs }) => {
        s.transport.push(transportMs);
        s.received.push({
          labels: message.detections.map((d) => d.label),
          dog: message.detections.find((d) => d.label === 'dog')?.box,
          width: message.width,
          height: message.height,
          seq: message.seq,
          at: performance.now(),
        });
        overlay.push(message);
      });
      const count = () => {
        if (overlay.current && overlay.current.detections.length > 0) s.overlayDrawn++;
        requestAnimationFrame(count);
      };
      requestAnimationFrame(count);
    },
    { url, token, room: ROOM },
  );
}

/** The desktop: PeerLink viewer -> <video> -> DetectionLoop(BrowserDetector) -> Overlay, and the detections go back. */
async function startDesktop(page: Page, url: string, token: string): Promise<void> {
  await page.evaluate(
    async ({ url, token, room }) => {
      const v = (globalThis as unknown as { vidai: Vidai }).vidai;
      const s: PageState = { states: [], errors: [], results: [], received: [], track: undefined, overlayDrawn: 0, transport: [] };
      (globalThis as unknown as { __p2p: PageState }).__p2p = s;
      const video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      document.body.append(video);
      const link = new v.PeerLink({ url, room, token, role: 'viewer', peerId: 'desktop', reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } });
      (globalThis as unknown as { __link: unknown }).__link = link;
      link.on('state', (x) => s.states.push(x));
      link.on('error', (e) => s.errors.push(`${e.code}: ${e.message}`));
      const detector = v.BrowserDetector.create({ model: 'yolox-nano', modelBaseUrl: '/models/', executionProviders: ['wasm'] });
      link.on('track', async ({ stream }) => {
        s.track = performance.now();
        video.srcObject = stream;
        await video.play();
        const overlay = v.Overlay.attach(video);
        const loop = v.DetectionLoop.start({ source: new v.VideoElementSource(video), detector: await detector });
        loop.on('result', (result) => {
          s.results.push({
            labels: result.detections.map((d) => d.label),
            dog: result.detections.find((d) => d.label === 'dog')?.box,
            width: result.width,
            height: result.height,
            seq: result.seq,
            at: performance.now(),
          });
          overlay.push(result);
          link.sendDetections(result);
        });
        loop.on('error', (e) => s.errors.push(`loop ${e.code}: ${e.message}`));
      });
    },
    { url, token, room: ROOM },
  );
}

/** The dog's box scaled to the 768x576 source. */
function dogIou(seen: Seen): number {
  if (!seen.dog) return 0;
  const sx = 768 / seen.width;
  const sy = 576 / seen.height;
  return boxIou([seen.dog[0] * sx, seen.dog[1] * sy, seen.dog[2] * sx, seen.dog[3] * sy], DOG);
}

beforeAll(async () => {
  [y4m, bundle] = await Promise.all([makeY4m(join(imageDir, 'dog.jpg'), { fps: 15, duration: 2 }), bundleBrowser()]);
  app = await serveDetectorApp(bundle, { isolated: false });
  port = (await startSignaling()).port;
  [phoneBrowser, desktopBrowser] = await Promise.all([launchChromium({ y4m: y4m.path }), launchChromium()]);
  [phone, desktop] = await Promise.all([phoneBrowser.context.newPage(), desktopBrowser.context.newPage()]);
  await Promise.all([openDetectorApp(phone, `${app.url}/`), openDetectorApp(desktop, `${app.url}/`)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([phoneBrowser?.close(), desktopBrowser?.close()]);
  await signaling?.close();
  await app?.close();
  await Promise.all([bundle?.remove(), y4m?.remove()]);
});

describe('phone to desktop over PeerLink and a SignalingServer', () => {
  it('the desktop detects dog, bicycle and car in the phone\'s video, and the phone receives the detections', async () => {
    const url = `ws://127.0.0.1:${port}/signal`;
    const token = signaling.roomToken(ROOM);
    // Desktop first (it waits for the sender), then the phone, as a person would open them.
    await startDesktop(desktop, url, token);
    await startPhone(phone, url, token);

    const viewer = await waitFor(desktop, '8 results on the desktop', (s) => s.results.length >= 8);
    const sender = await waitFor(phone, '4 detection messages on the phone', (s) => s.received.length >= 4);
    expect(viewer.errors).toEqual([]);
    expect(sender.errors).toEqual([]);
    expect(viewer.states).toEqual(['joined']);
    expect(sender.states).toEqual(['joined']);
    expect(signaling.room(ROOM)).toEqual({ room: ROOM, sender: 'phone', viewers: ['desktop'] });

    // The sender keeps the resolution (degradationPreference 'maintain-resolution'): the desktop detects
    // on the camera's 768x576 from the first frame, though the bitrate starts low.
    for (const r of viewer.results) expect([r.width, r.height]).toEqual([768, 576]);
    for (const r of viewer.results.slice(2)) {
      expect(r.labels).toEqual(expect.arrayContaining(['dog', 'bicycle', 'car']));
      expect(dogIou(r)).toBeGreaterThan(0.8);
    }
    // The phone got the very messages the desktop sent: same frames, same boxes.
    const bySeq = new Map(viewer.results.map((r) => [r.seq, r]));
    const matched = sender.received.filter((m) => bySeq.has(m.seq));
    expect(matched.length).toBeGreaterThan(0);
    for (const m of matched) {
      const r = bySeq.get(m.seq)!;
      expect(m.labels).toEqual(r.labels);
      expect(m.width).toBe(r.width);
      for (let i = 0; i < 4; i++) expect(Math.abs((m.dog?.[i] ?? 0) - (r.dog?.[i] ?? 0))).toBeLessThanOrEqual(0.01);
    }
    expect(sender.received.at(-1)!.labels).toEqual(expect.arrayContaining(['dog', 'bicycle', 'car']));
    // The clock offset is known after the first pings: the return trip is measured.
    expect(sender.transport.at(-1)).toBeTypeOf('number');
    // The phone draws them.
    await waitFor(phone, 'boxes drawn on the phone', (s) => s.overlayDrawn > 0);

    const peers = await peersOf(phone);
    expect(peers).toEqual([expect.objectContaining({ peerId: 'desktop', role: 'viewer', state: 'connected', channelOpen: true })]);
    expect(peers[0]!.rttMs).toBeGreaterThanOrEqual(0);
    // Measured (not asserted): navigation start of the desktop page to its first detection.
    console.log(
      `phone-to-desktop: desktop page start -> remote track ${viewer.track!.toFixed(0)} ms, -> first detection ${viewer.results[0]!.at.toFixed(0)} ms; ` +
        `frame ${viewer.results.at(-1)!.width}x${viewer.results.at(-1)!.height}; DataChannel rtt ${peers[0]!.rttMs!.toFixed(1)} ms`,
    );
  });

  it('serves a second viewer from the same phone, and closes its connection when it leaves', async () => {
    const extra = await launchChromium();
    try {
      const page = await extra.context.newPage();
      await openDetectorApp(page, `${app.url}/`);
      const frames = await page.evaluate(
        async ({ url, token, room }) => {
          const v = (globalThis as unknown as { vidai: Vidai }).vidai;
          const link = new v.PeerLink({ url, room, token, role: 'viewer', peerId: 'desktop-2' });
          const { stream } = await new Promise<{ stream: MediaStream }>((resolve) => link.on('track', resolve));
          const video = document.createElement('video');
          video.muted = true;
          video.srcObject = stream;
          await video.play();
          // Frames actually decoded and shown.
          let shown = 0;
          await new Promise<void>((resolve) => {
            const onFrame = () => (++shown >= 10 ? resolve() : video.requestVideoFrameCallback(onFrame));
            video.requestVideoFrameCallback(onFrame);
          });
          const size = { width: video.videoWidth, height: video.videoHeight };
          link.close();
          return { shown, ...size };
        },
        { url: `ws://127.0.0.1:${port}/signal`, token: signaling.roomToken(ROOM), room: ROOM },
      );
      expect(frames.shown).toBe(10);
      expect(frames.width).toBeGreaterThan(0);
      // The phone closed its connection to the viewer that left; the first viewer is untouched.
      await expect
        .poll(async () => (await peersOf(phone)).map((p) => p.peerId), { timeout: 10_000 })
        .toEqual(['desktop']);
      expect(signaling.room(ROOM)).toEqual({ room: ROOM, sender: 'phone', viewers: ['desktop'] });
    } finally {
      await extra.close();
    }
  });

  it('keeps detecting while the signaling server is down, rejoins when it is back, and renegotiates through it', async () => {
    const before = { viewer: (await state(desktop)).results.length, sender: (await state(phone)).received.length };
    await signaling.close();
    // Both pages notice and start reconnecting.
    await waitFor(desktop, 'desktop reconnecting', (s) => s.states.at(-1) === 'reconnecting', 15_000);
    await waitFor(phone, 'phone reconnecting', (s) => s.states.at(-1) === 'reconnecting', 15_000);
    // Media and detections go peer to peer: they do not stop with the server.
    const during = await waitFor(desktop, '5 more results while the server is down', (s) => s.results.length >= before.viewer + 5);
    await waitFor(phone, '3 more messages on the phone while the server is down', (s) => s.received.length >= before.sender + 3);
    expect(during.results.slice(before.viewer).every((r) => r.labels.includes('dog'))).toBe(true);

    await startSignaling(port);
    await waitFor(desktop, 'desktop rejoined', (s) => s.states.at(-1) === 'joined', 20_000);
    await waitFor(phone, 'phone rejoined', (s) => s.states.at(-1) === 'joined', 20_000);
    await expect.poll(() => signaling.room(ROOM), { timeout: 10_000 }).toEqual({ room: ROOM, sender: 'phone', viewers: ['desktop'] });

    // An ICE restart goes through the new server: a new offer and answer, and the connection stays up.
    const [peer] = await peersOf(phone);
    await phone.evaluate(() => (globalThis as unknown as { __link: Link }).__link.restartIce());
    await expect
      .poll(async () => (await peersOf(phone))[0], { timeout: 15_000 })
      .toMatchObject({ peerId: 'desktop', state: 'connected', negotiations: peer!.negotiations + 1, iceRestarts: peer!.iceRestarts + 1 });
    const afterRestart = { viewer: (await state(desktop)).results.length, sender: (await state(phone)).received.length };
    const end = await waitFor(desktop, '5 more results after the ICE restart', (s) => s.results.length >= afterRestart.viewer + 5);
    await waitFor(phone, '3 more messages after the ICE restart', (s) => s.received.length >= afterRestart.sender + 3);
    expect(end.results.at(-1)!.labels).toEqual(expect.arrayContaining(['dog', 'bicycle', 'car']));

    // A network change on the phone (the 'online' event): another ICE restart, and detections go on.
    const [beforeOnline] = await peersOf(phone);
    await phone.evaluate(() => dispatchEvent(new Event('online')));
    await expect
      .poll(async () => (await peersOf(phone))[0], { timeout: 15_000 })
      .toMatchObject({ state: 'connected', negotiations: beforeOnline!.negotiations + 1, iceRestarts: beforeOnline!.iceRestarts + 1 });
    const afterOnline = (await state(desktop)).results.length;
    await waitFor(desktop, '3 more results after the network change', (s) => s.results.length >= afterOnline + 3);
    await waitFor(phone, 'the phone still joined', (s) => s.states.at(-1) === 'joined');
    // The only errors were the lost signaling connection.
    for (const s of [end, await state(phone)]) {
      expect(s.errors.every((e) => e.startsWith('signaling-unavailable'))).toBe(true);
    }
  });
});

/**
 * Capture sources in real headless Chromium: a canvas source hands out one ImageBitmap
 * per change, and a video source grabs only the newest frame (VideoFrame, its
 * timestamp from requestVideoFrameCallback) with gaps when the consumer is slow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleBrowser, type BrowserBundle } from './helpers/browser-bundle.js';
import { launchChromium, type ChromiumHandle } from './helpers/chromium.js';
import { openDetectorApp, serveDetectorApp } from './helpers/detector-app.js';
import type { StaticServer } from './helpers/static-server.js';

describe('capture sources in headless Chromium', () => {
  let bundle: BrowserBundle;
  let server: StaticServer;
  let chromium: ChromiumHandle;

  beforeAll(async () => {
    bundle = await bundleBrowser();
    [server, chromium] = await Promise.all([serveDetectorApp(bundle, { isolated: false }), launchChromium()]);
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await bundle?.remove();
  });

  it('CanvasSource: one frame at the start and one per invalidate(), undefined after close()', async () => {
    const page = await chromium.context.newPage();
    try {
      await openDetectorApp(page, `${server.url}/`);
      const r = await page.evaluate(async () => {
        const v = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
        const canvas = new OffscreenCanvas(64, 48);
        canvas.getContext('2d')!.fillRect(0, 0, 32, 24);
        const source = new v.CanvasSource(canvas);
        const first = await source.next();
        const pending = source.next();
        const early = await Promise.race([pending.then(() => 'resolved'), new Promise((r) => setTimeout(() => r('waiting'), 100))]);
        source.invalidate();
        const second = await pending;
        await source.close();
        const after = await source.next();
        const out = { first: [first!.seq, first!.width, first!.height, first!.image instanceof ImageBitmap], early, second: second!.seq, after: after === undefined };
        first!.close();
        second!.close();
        return out;
      });
      expect(r).toEqual({ first: [0, 64, 48, true], early: 'waiting', second: 1, after: true });
    } finally {
      await page.close();
    }
  });

  it('VideoElementSource: VideoFrames of the newest frame, with gaps when the consumer is slow', async () => {
    const page = await chromium.context.newPage();
    try {
      await openDetectorApp(page, `${server.url}/`);
      const r = await page.evaluate(async () => {
        const v = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
        const camera = await v.CameraSource.open({ width: 320, height: 240, frameRate: 30 });
        const video = document.createElement('video');
        await camera.attach(video);
        const source = new v.VideoElementSource(video);
        const frames = [];
        for (let i = 0; i < 3; i++) {
          const f = await source.next();
          frames.push({ seq: f!.seq, ts: f!.timestamp, video: f!.image instanceof VideoFrame, w: f!.width });
          f!.close();
          // A slow consumer: wait until a few more frames have been presented.
          while (source.presentedFrames < f!.seq + 4) await new Promise((r) => setTimeout(r, 20));
        }
        const presented = source.presentedFrames;
        await source.close();
        await camera.close();
        return { frames, presented, rvfc: source.usesVideoFrameCallback, ended: (await source.next()) === undefined };
      });
      expect(r.rvfc).toBe(true);
      expect(r.ended).toBe(true);
      expect(r.frames.every((f) => f.video && f.w === 320)).toBe(true);
      for (let i = 1; i < r.frames.length; i++) {
        expect(r.frames[i]!.seq - r.frames[i - 1]!.seq).toBeGreaterThan(1); // skipped, not queued
        expect(r.frames[i]!.ts).toBeGreaterThan(r.frames[i - 1]!.ts);
      }
      expect(r.presented).toBeGreaterThan(r.frames.at(-1)!.seq);
    } finally {
      await page.close();
    }
  });

  it('VideoElementSource: a <video> given a new stream (a peer that reconnects): the first grab waits for its picture, seq keeps increasing', async () => {
    const page = await chromium.context.newPage();
    try {
      await openDetectorApp(page, `${server.url}/`);
      const r = await page.evaluate(async () => {
        const v = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
        const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        // A canvas stream stands in for a remote track; each paint is a new frame.
        const paintedStream = () => {
          const canvas = document.createElement('canvas');
          canvas.width = 64;
          canvas.height = 48;
          const g = canvas.getContext('2d')!;
          let i = 0;
          const timer = setInterval(() => {
            g.fillStyle = `rgb(${i++ % 256}, 0, 0)`;
            g.fillRect(0, 0, 64, 48);
          }, 33);
          const stream = canvas.captureStream(30);
          return { stream, stop: () => (clearInterval(timer), stream.getTracks().forEach((t) => t.stop())) };
        };
        const video = document.createElement('video');
        video.muted = true;
        const source = new v.VideoElementSource(video);
        const take = async (stream: MediaStream) => {
          const seqs: number[] = [];
          const stamps: number[] = [];
          for (let i = 0; i < 3; i++) {
            const f = await source.next();
            seqs.push(f!.seq);
            stamps.push(f!.timestamp);
            f!.close();
            await pause(250);
          }
          return { seqs, stamps, stream: stream.id };
        };
        const first = paintedStream();
        video.srcObject = first.stream;
        await video.play();
        const a = await take(first.stream);
        // Frames of the first stream were shown since the last take. Asked for a frame right
        // after the switch, while the element has no picture yet, the source must wait for
        // the new stream's first frame rather than fail to grab one.
        await pause(250);
        first.stop();
        const second = paintedStream();
        video.srcObject = second.stream;
        const switched = source.next().then(
          (f) => {
            const out = { seq: f!.seq, timestamp: f!.timestamp };
            f!.close();
            return out;
          },
          (e: Error) => `${e.name}: ${e.message}`,
        );
        await video.play();
        const afterSwitch = await switched;
        const b = await take(second.stream);
        second.stop();
        await source.close();
        return { a, b, switched: afterSwitch, presented: source.presentedFrames };
      });
      expect(r.switched).toEqual({ seq: expect.any(Number), timestamp: expect.any(Number) });
      const seqs = [...r.a.seqs, (r.switched as { seq: number }).seq, ...r.b.seqs];
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
      // The media clock did start over, which is what made the browser's count start over too.
      expect(Math.min(...r.b.stamps)).toBeLessThan(Math.max(...r.a.stamps));
      expect(r.presented).toBeGreaterThan(seqs.at(-1)!);
    } finally {
      await page.close();
    }
  });
});

/**
 * The overlay in real headless Chromium at devicePixelRatio 2: boxes land where the
 * video shows the object under object-fit cover and a mirrored front camera, and a
 * result is not drawn before the frame it belongs to is presented.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDisplayTransform, mapBoxToDisplay, type Box } from '@vidai/browser';
import { bundleBrowser, type BrowserBundle } from './helpers/browser-bundle.js';
import { launchChromium, type ChromiumHandle } from './helpers/chromium.js';
import { openDetectorApp, serveDetectorApp } from './helpers/detector-app.js';
import type { StaticServer } from './helpers/static-server.js';
import { makeY4m, type Y4mFile } from './helpers/y4m.js';
import { sharedPath } from '../test/helpers/shared-data.js';

const CSS = { width: 400, height: 400 };
const BOX: Box = [100, 150, 300, 400];

describe('Overlay in headless Chromium', () => {
  let y4m: Y4mFile;
  let bundle: BrowserBundle;
  let server: StaticServer;
  let chromium: ChromiumHandle;

  beforeAll(async () => {
    [y4m, bundle] = await Promise.all([
      makeY4m(sharedPath('images/dog.jpg'), { width: 640, height: 480, fps: 15, duration: 1 }),
      bundleBrowser(),
    ]);
    const body = `<div style="position:relative;width:${CSS.width}px;height:${CSS.height}px">
      <video id="v" muted playsinline style="width:100%;height:100%;object-fit:cover;transform:scaleX(-1)"></video></div>`;
    [server, chromium] = await Promise.all([serveDetectorApp(bundle, { isolated: false, body }), launchChromium({ y4m: y4m.path, deviceScaleFactor: 2 })]);
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await Promise.all([bundle?.remove(), y4m?.remove()]);
  });

  it('draws boxes at the right device pixels for cover + mirror + DPR 2, on their frame', async () => {
    const page = await chromium.context.newPage();
    try {
      await openDetectorApp(page, `${server.url}/`);
      const run = await page.evaluate(async (box) => {
        const v = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
        const video = document.getElementById('v') as HTMLVideoElement;
        const camera = await v.CameraSource.open();
        await camera.attach(video);
        const overlay = v.Overlay.attach(video, { mirror: true, maxAge: 1e9, color: () => 'rgb(255, 0, 0)', lineWidth: 4 });
        const nextFrameTime = () =>
          new Promise<number>((resolve) => video.requestVideoFrameCallback((_n, m) => resolve(v.videoFrameTime(video, m))));
        const base = { width: video.videoWidth, height: video.videoHeight, timings: { preprocess: 0, inference: 0, postprocess: 0 } };
        const detection = { box, score: 0.9, classId: 16, label: 'dog' };
        try {
          // A result stamped 10 s ahead waits for its frame.
          const now = await nextFrameTime();
          overlay.push({ ...base, seq: 1, timestamp: now + 10_000, detections: [detection] });
          await nextFrameTime();
          await nextFrameTime();
          const earlyDrawn = overlay.current !== undefined;
          overlay.clear();
          // A result of a frame already shown is drawn on the next one.
          const t = await nextFrameTime();
          overlay.push({ ...base, seq: 2, timestamp: t, detections: [detection] });
          await nextFrameTime();
          await nextFrameTime();
          const c = overlay.canvas;
          const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          const at = (x: number, y: number, channel: number) => pixels.data[(Math.round(y) * c.width + x) * 4 + channel]!;
          // One device-pixel row through the lower half of the box (clear of the label).
          const row = c.height / 2 + 60;
          return {
            earlyDrawn,
            drawn: overlay.current?.seq,
            canvas: { width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight },
            source: { width: video.videoWidth, height: video.videoHeight },
            rows: Array.from({ length: c.width }, (_, x) => at(x, row, 3)),
            reds: Array.from({ length: c.width }, (_, x) => at(x, row, 0)),
          };
        } finally {
          overlay.close();
          await camera.close();
        }
      }, BOX);

      expect(run.earlyDrawn).toBe(false);
      expect(run.drawn).toBe(2);
      expect(run.canvas).toMatchObject({ width: CSS.width * 2, height: CSS.height * 2, cssWidth: CSS.width, cssHeight: CSS.height });

      const t = computeDisplayTransform({
        sourceWidth: run.source.width,
        sourceHeight: run.source.height,
        displayWidth: CSS.width,
        displayHeight: CSS.height,
        fit: 'cover',
        mirror: true,
      });
      const [x1, , x2] = mapBoxToDisplay(BOX, t).map((v) => v * 2);
      // Along one row through the box: opaque red at both vertical edges, nothing in between or outside.
      const painted = run.rows.map((a, x) => (a > 0 && run.reds[x]! > 200 ? x : -1)).filter((x) => x >= 0);
      expect(painted.length).toBeGreaterThan(0);
      expect(Math.abs(Math.min(...painted) - x1!)).toBeLessThanOrEqual(5);
      expect(Math.abs(Math.max(...painted) - x2!)).toBeLessThanOrEqual(5);
      expect(run.rows[Math.round((x1! + x2!) / 2)]).toBe(0);
    } finally {
      await page.close();
    }
  });
});

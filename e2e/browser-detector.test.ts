/**
 * @vidai/browser in real headless Chromium: the fake camera plays a y4m made from
 * ../shared/images/dog.jpg, the page detects in the Worker with onnxruntime-web, and
 * the boxes are compared with the core YoloDetector on onnxruntime-node run on the
 * same frame: the y4m frame's own I420 bytes, which are the bytes of the camera's
 * VideoFrames, converted to RGB by the same core code on both sides. (Comparing with
 * ffmpeg's or Chromium's own yuv -> rgb conversion is not meaningful at 1 px: the two
 * differ by up to 3 levels, which moves the bicycle's left edge by about 5 px.)
 */
import type { Detection, DetectionResult } from '@vidai/core';
import { createNodeDetector } from '@vidai/node';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserDetectionResult } from '@vidai/browser';
import { bundleBrowser, type BrowserBundle } from './helpers/browser-bundle.js';
import { launchChromium, type ChromiumHandle } from './helpers/chromium.js';
import { imageDir, modelDir, openDetectorApp, serveDetectorApp } from './helpers/detector-app.js';
import type { StaticServer } from './helpers/static-server.js';
import { makeY4m, readY4mFrame, type Y4mFile } from './helpers/y4m.js';

interface PageRun {
  results: BrowserDetectionResult[];
  canvas: BrowserDetectionResult;
  settings: { width?: number; height?: number };
  usesVideoFrameCallback: boolean;
  crossOriginIsolated: boolean;
  padding: string;
}

/** In the page: camera -> <video> -> VideoElementSource -> BrowserDetector, plus one detection with `resize: 'canvas'`. */
async function detectOnCamera(page: Page, frames: number): Promise<PageRun> {
  return page.evaluate(async (frames) => {
    const v = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
    const camera = await v.CameraSource.open({ width: 768, height: 576 });
    const video = document.createElement('video');
    document.body.append(video);
    await camera.attach(video);
    const source = new v.VideoElementSource(video);
    const detector = await v.BrowserDetector.create({ model: 'yolox-nano', modelBaseUrl: '/models/', executionProviders: ['webgpu', 'webgl', 'wasm'] });
    const canvasDetector = await v.BrowserDetector.create({
      model: 'yolox-nano',
      modelBaseUrl: '/models/',
      executionProviders: ['wasm'],
      resize: 'canvas',
      workers: 1,
    });
    const results = [];
    try {
      for (let i = 0; i < frames; i++) {
        const frame = await source.next();
        if (!frame) throw new Error('the camera source ended');
        results.push(await detector.detect(frame.image, { transfer: true, timestamp: frame.timestamp, seq: frame.seq }));
      }
      const canvas = await canvasDetector.detect(video);
      return {
        results,
        canvas,
        settings: camera.settings,
        usesVideoFrameCallback: source.usesVideoFrameCallback,
        crossOriginIsolated: globalThis.crossOriginIsolated,
        padding: detector.padding,
      };
    } finally {
      await source.close();
      await detector.close();
      await canvasDetector.close();
      await camera.close();
    }
  }, frames);
}

/** Pairs each reference detection with the browser's detection of the same class and nearest box. */
function expectSameDetections(actual: Detection[], expected: Detection[], tolerancePx: number, toleranceScore: number): number {
  expect(actual.map((d) => d.label).sort()).toEqual(expected.map((d) => d.label).sort());
  let worst = 0;
  for (const e of expected) {
    const candidates = actual.filter((a) => a.classId === e.classId);
    const dist = (a: Detection) => Math.max(...a.box.map((v, i) => Math.abs(v - e.box[i]!)));
    const match = candidates.sort((a, b) => dist(a) - dist(b))[0]!;
    worst = Math.max(worst, dist(match));
    for (let i = 0; i < 4; i++) expect(Math.abs(match.box[i]! - e.box[i]!), `${e.label} box[${i}]`).toBeLessThanOrEqual(tolerancePx);
    expect(Math.abs(match.score - e.score), `${e.label} score`).toBeLessThanOrEqual(toleranceScore);
  }
  return worst;
}

describe('BrowserDetector in headless Chromium (fake camera playing dog.jpg)', () => {
  let y4m: Y4mFile;
  let bundle: BrowserBundle;
  let isolated: StaticServer;
  let plain: StaticServer;
  let chromium: ChromiumHandle;
  let reference: DetectionResult;

  beforeAll(async () => {
    [y4m, bundle] = await Promise.all([makeY4m(join(imageDir, 'dog.jpg'), { fps: 10, duration: 1 }), bundleBrowser()]);
    [isolated, plain, chromium] = await Promise.all([
      serveDetectorApp(bundle, { isolated: true }),
      serveDetectorApp(bundle, { isolated: false }),
      launchChromium({ y4m: y4m.path }),
    ]);
    // The Node detector on the same frame: the y4m's I420 bytes (what the fake camera delivers).
    // Both sides run the catalog model with their default, minimal padding (416x320 for 768x576).
    const frame = await readY4mFrame(y4m.path, 0);
    const { detector } = await createNodeDetector({ model: 'yolox-nano', cacheDir: modelDir, download: false, onProgress: null });
    expect(detector.padding).toBe('minimal');
    reference = await detector.detect({ ...frame, format: 'i420', timestamp: 0, seq: 0 });
    await detector.close();
    expect(reference.detections.map((d) => d.label)).toEqual(expect.arrayContaining(['dog', 'bicycle', 'car']));
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await Promise.all([isolated?.close(), plain?.close()]);
    await Promise.all([bundle?.remove(), y4m?.remove()]);
  });

  it('detects on the camera with wasm in the Worker, within 1 px and 0.01 of the Node detector, and reports why webgpu/webgl were not used', async () => {
    const page = await chromium.context.newPage();
    try {
      await openDetectorApp(page, `${isolated.url}/`);
      const run = await detectOnCamera(page, 2);
      expect(run.settings).toMatchObject({ width: y4m.width, height: y4m.height });
      expect(run.usesVideoFrameCallback).toBe(true);
      expect(run.crossOriginIsolated).toBe(true);
      expect(run.padding).toBe('minimal');

      for (const result of run.results) {
        expect(result.width).toBe(y4m.width);
        expect(result.height).toBe(y4m.height);
        expectSameDetections(result.detections, reference.detections, 1, 0.01);
        expect(result.timings.inference).toBeGreaterThan(0);
      }
      // Scaling with drawImage rounds the small image to 8 bits: same objects, but scores move by up to
      // ~0.02 and boxes by up to ~1.6 px on this frame (measured), which is why 'core' is the default.
      expectSameDetections(run.canvas.detections, reference.detections, 3, 0.03);

      const backend = run.results[0]!.backend;
      expect(backend.provider).toBe('wasm');
      expect(backend.thread).toBe('worker');
      expect(backend.attempts.map((a) => a.provider)).toEqual(['webgpu', 'webgl', 'wasm']);
      const [webgpu, webgl, wasm] = backend.attempts;
      expect(webgpu!.status).not.toBe('used');
      expect(webgpu!.reason).toMatch(/WebGPU/);
      expect(webgl!.status).not.toBe('used');
      expect(webgl!.reason).toBeTruthy();
      expect(wasm!.status).toBe('used');
      // 'auto' on 2 cores: two single-threaded Workers (more detections/s than one with 2 threads).
      expect(backend.workers).toBe(2);
      expect(backend.wasm).toMatchObject({ threads: 1, crossOriginIsolated: true });
      expect(backend.wasm?.threadsReason).toMatch(/2 workers/);
      // One Worker on an isolated page gets wasm threads.
      expect(run.canvas.backend.workers).toBe(1);
      expect(run.canvas.backend.wasm).toMatchObject({ threads: 2, crossOriginIsolated: true });
    } finally {
      await page.close();
    }
  });

  it('falls back to single-threaded wasm without COOP/COEP, says why, and still detects (Worker and main thread)', async () => {
    const page = await chromium.context.newPage();
    try {
      await openDetectorApp(page, `${plain.url}/`);
      const result = await page.evaluate(async () => {
        const v = (globalThis as unknown as { vidai: typeof import('@vidai/browser') }).vidai;
        const camera = await v.CameraSource.open();
        const video = document.createElement('video');
        await camera.attach(video);
        const detector = await v.BrowserDetector.create({ model: 'yolox-nano', modelBaseUrl: '/models/', executionProviders: ['wasm'], workers: 1 });
        const onMain = await v.BrowserDetector.create({ model: 'yolox-nano', modelBaseUrl: '/models/', executionProviders: ['wasm'], worker: false });
        try {
          return { isolated: globalThis.crossOriginIsolated, result: await detector.detect(video), main: await onMain.detect(video) };
        } finally {
          await detector.close();
          await onMain.close();
          await camera.close();
        }
      });
      expect(result.isolated).toBe(false);
      const { backend } = result.result;
      expect(backend.provider).toBe('wasm');
      expect(backend.wasm?.threads).toBe(1);
      expect(backend.wasm?.crossOriginIsolated).toBe(false);
      expect(backend.wasm?.threadsReason).toMatch(/not cross-origin isolated/);
      expect(backend.wasm?.threadsReason).toMatch(/Cross-Origin-Embedder-Policy/);
      expectSameDetections(result.result.detections, reference.detections, 1, 0.01);
      expect(result.main.backend).toMatchObject({ provider: 'wasm', thread: 'main', workers: 1, wasm: { threads: 1 } });
      expectSameDetections(result.main.detections, reference.detections, 1, 0.01);
    } finally {
      await page.close();
    }
  });
});

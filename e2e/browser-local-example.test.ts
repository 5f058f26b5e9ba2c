/**
 * The browser-local example as a user runs it: `node examples/browser-local/serve.mjs`
 * (what `npm run example:browser-local` starts after building) serves the page with the
 * built packages and COOP/COEP; headless Chromium with the fake camera playing dog.jpg
 * opens it. The page must become cross-origin isolated, detect in a Worker on wasm with
 * threads, show the backend, the rate, the latency and the objects, and follow its
 * score-threshold control.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type ChromiumHandle } from './helpers/chromium.js';
import { startExampleProcess, type ExampleProcess } from './helpers/example-process.js';
import { imageDir, modelDir } from './helpers/detector-app.js';
import { makeY4m, type Y4mFile } from './helpers/y4m.js';

let y4m: Y4mFile;
let example: ExampleProcess;
let chromium: ChromiumHandle;

const text = async (page: Page, id: string) => (await page.locator(`#${id}`).textContent()) ?? '';

/** Waits until the page's `objects` readout satisfies `test`; says what the page showed when it does not. */
async function waitForObjects(page: Page, test: (labels: string[]) => boolean, what: string): Promise<string[]> {
  const deadline = Date.now() + 90_000;
  let labels: string[] = [];
  while (Date.now() < deadline) {
    const shown = await text(page, 'objects');
    labels = shown === '-' || shown === 'none' ? [] : shown.split(', ').map((s) => s.split(' ')[0]!);
    if (test(labels)) return labels;
    await page.waitForTimeout(250);
  }
  throw new Error(`${what}: the page showed status "${await text(page, 'status')}", objects "${await text(page, 'objects')}"`);
}

beforeAll(async () => {
  y4m = await makeY4m(join(imageDir, 'dog.jpg'), { fps: 15, duration: 2 });
  [example, chromium] = await Promise.all([
    startExampleProcess(['examples/browser-local/serve.mjs'], { VIDAI_MODEL_DIR: modelDir, PORT: '0', HOST: '127.0.0.1' }),
    launchChromium({ y4m: y4m.path }),
  ]);
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await example?.stop();
  await y4m?.remove();
});

describe('examples/browser-local', () => {
  it('detects on the camera in a cross-origin isolated page, shows backend, rate and latency, and follows the threshold control', async () => {
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      await page.goto(`${example.url}/`);
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);

      // Threshold 0.35 (the page's default): dog 0.86, bicycle 0.80 and car 0.80 on dog.jpg.
      const labels = await waitForObjects(page, (l) => ['dog', 'bicycle', 'car'].every((x) => l.includes(x)), 'dog, bicycle and car');
      expect(labels).not.toContain('truck'); // 0.31, below the threshold
      expect(await text(page, 'status')).toBe('detecting');
      const backend = await text(page, 'backend');
      expect(backend).toMatch(/^wasm \(\d+ threads?, SIMD\) in a Worker session/);
      expect(backend).toContain('minimal padding');
      expect(await text(page, 'why')).toMatch(/webgpu: .+\| webgl: .+\| threads: cross-origin isolated/s);
      await expect.poll(async () => Number(await text(page, 'fps')), { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await text(page, 'latency')).toMatch(/^\d+ ms median, \d+ ms p95/);

      // Raising the threshold to 0.85 leaves only the dog; lowering it to 0.3 brings the truck.
      const setThreshold = (value: string) =>
        page.$eval('#threshold', (el, v) => {
          (el as HTMLInputElement).value = v;
          el.dispatchEvent(new Event('input'));
        }, value);
      await setThreshold('0.85');
      expect(await text(page, 'threshold-value')).toBe('0.85');
      expect(await waitForObjects(page, (l) => l.length === 1 && l[0] === 'dog', 'only the dog at 0.85')).toEqual(['dog']);
      await setThreshold('0.3');
      await waitForObjects(page, (l) => l.includes('truck'), 'the truck at 0.3');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

/**
 * Serves the bundled @vidai/browser for browser tests and benchmarks: `/` is an empty
 * page that loads `/app/vidai.js` (the API as `globalThis.vidai`), `/app/` the bundle
 * with the Worker and the onnxruntime-web files, `/models/` the model cache directory
 * (`VIDAI_MODEL_DIR`, default `../shared/models`) and `/images/` the shared test images.
 */
import type { Page } from 'playwright-core';
import type { BrowserBundle } from './browser-bundle.js';
import { startStaticServer, type StaticServer } from './static-server.js';
import { sharedPath } from '../../test/helpers/shared-data.js';

/** The model cache directory the tests serve (`VIDAI_MODEL_DIR` or `../shared/models`). */
export const modelDir = process.env.VIDAI_MODEL_DIR ?? sharedPath('models');
/** The shared test images. */
export const imageDir = sharedPath('images');

/** Options of {@link serveDetectorApp}. */
export interface DetectorAppOptions {
  /** Send COOP/COEP so the page is cross-origin isolated (wasm threads). */
  isolated: boolean;
  /** Extra HTML for the page body. Default: none. */
  body?: string;
  /** Module script the page loads. Default `/app/vidai.js`. */
  script?: string;
}

/** Starts a server for the bundle. */
export function serveDetectorApp(bundle: BrowserBundle, options: DetectorAppOptions): Promise<StaticServer> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>vidai test</title>
<link rel="icon" href="data:,"></head><body>${options.body ?? ''}
<script type="module" src="${options.script ?? '/app/vidai.js'}"></script></body></html>`;
  return startStaticServer({
    isolated: options.isolated,
    dirs: { '/app/': bundle.dir, '/models/': modelDir, '/images/': imageDir },
    routes: { '/': { body: html, type: 'text/html; charset=utf-8' } },
  });
}

/** Opens the app in `page` and waits for `globalThis.vidai`. */
export async function openDetectorApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => 'vidai' in globalThis, undefined, { timeout: 20_000 });
}

import { InferenceServer, createNodeDetector, type InferenceServerOptions, type NodeDetector } from '@vidai/node';
import { bundleBrowser, type BrowserBundle } from './browser-bundle.js';
import { launchChromium, type ChromiumHandle } from './chromium.js';
import { startStaticServer, type StaticServer } from './static-server.js';
import { sharedPath } from '../../test/helpers/shared-data.js';

/** What the server-inference e2e tests run against: a real server, a page, a browser. */
export interface InferenceFixture {
  /** The Node detector the server uses (YOLOX-Nano from ../shared/models). */
  node: NodeDetector;
  /** The browser bundle of @vidai/browser the page loads as /vidai.js. */
  bundle: BrowserBundle;
  /** The static server of the test page (`${page.url}/index.html`). */
  page: StaticServer;
  /** The inference server under test. */
  server: InferenceServer;
  /** Its base URL. */
  serverUrl: string;
  /** Headless Chromium whose fake camera plays `y4m`. */
  chromium: ChromiumHandle;
  /** Closes everything, in reverse order of start. */
  close(): Promise<void>;
}

/**
 * Starts the detector, the page with the browser bundle, an `InferenceServer` that
 * accepts the page's origin and `token`, and Chromium playing `y4m` as its camera.
 */
export async function startInferenceFixture(options: {
  y4m: string;
  token: string;
  server?: Omit<InferenceServerOptions, 'detector' | 'auth' | 'allowedOrigins'>;
}): Promise<InferenceFixture> {
  const started: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  };
  try {
    const node = await createNodeDetector({ model: 'yolox-nano', cacheDir: sharedPath('models'), download: false });
    started.push(() => node.detector.close());
    const bundle = await bundleBrowser();
    started.push(() => bundle.remove());
    const page = await startStaticServer({
      dirs: { '/': bundle.dir },
      routes: { '/index.html': '<!doctype html><meta charset="utf-8"><body><script type="module" src="/vidai.js"></script></body>' },
    });
    started.push(() => page.close());
    const server = new InferenceServer({ detector: node.detector, auth: options.token, allowedOrigins: [page.url], ...options.server });
    started.push(() => server.close());
    const serverUrl = (await server.listen()).url;
    const chromium = await launchChromium({ y4m: options.y4m });
    started.push(() => chromium.close());
    return { node, bundle, page, server, serverUrl, chromium, close };
  } catch (error) {
    await close();
    throw error;
  }
}

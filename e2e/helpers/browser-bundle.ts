/**
 * Bundles @vidai/browser for the browser tests and benchmarks with esbuild (about a
 * second): the page entry `vidai.js` (sets `globalThis.vidai`), the Worker
 * `detector-worker.js` next to it, and links to onnxruntime-web's CPU and WebGPU wasm
 * files, laid out as the package's `dist/` is, so the detector's default asset URLs
 * (`new URL('./ort-wasm-simd-threaded.wasm', import.meta.url)`) resolve.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

/** onnxruntime-web files the detector loads at run time. */
export const ORT_RUNTIME_FILES = [
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];

/** The onnxruntime-web `dist/` folder. */
export function ortDistDir(): string {
  return dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
}

/** A bundle on disk. */
export interface BrowserBundle {
  /** Folder to serve (contains `vidai.js`, `detector-worker.js` and the ORT files). */
  dir: string;
  /** Removes the folder; safe to call twice. */
  remove(): Promise<void>;
}

/** Options of {@link bundleBrowser}. */
export interface BundleBrowserOptions {
  /** Extra page entries: output name (without `.js`) -> source file. Default: none. */
  entries?: Record<string, string>;
  /** Minify. Default false. */
  minify?: boolean;
}

/** Builds the browser package and its Worker into a temporary folder. */
export async function bundleBrowser(options: BundleBrowserOptions = {}): Promise<BrowserBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'vidai-bundle-'));
  try {
    await build({
      absWorkingDir: root,
      entryPoints: {
        vidai: join(root, 'e2e/fixtures/vidai-global.ts'),
        'detector-worker': join(root, 'packages/browser/src/detector-worker.ts'),
        ...options.entries,
      },
      outdir: dir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: 'linked',
      minify: options.minify ?? false,
      logLevel: 'error',
      // onnxruntime-web's separate-loader builds (ort.wasm.min.mjs) fetch the loader from wasmPaths.
      conditions: ['onnxruntime-web-use-extern-wasm'],
      alias: {
        '@vidai/core': join(root, 'packages/core/src/index.ts'),
        '@vidai/browser': join(root, 'packages/browser/src/index.ts'),
      },
    });
    const ort = ortDistDir();
    for (const f of ORT_RUNTIME_FILES) await symlink(join(ort, f), join(dir, f));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let removed = false;
  return {
    dir,
    async remove() {
      if (removed) return;
      removed = true;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

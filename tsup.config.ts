/**
 * One build configuration for every package. Each package runs
 * `tsup --config ../../tsup.config.ts` from its own folder; the entries are chosen
 * by the package being built, so the three packages always build the same way:
 * ESM + CJS + `.d.ts`, sibling `@vidai/*` packages and all dependencies external.
 */
import { copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

const entries: Record<string, Options['entry']> = {
  core: { index: 'src/index.ts' },
  node: { index: 'src/index.ts', cli: 'src/cli.ts' },
  browser: { index: 'src/index.ts' },
};

/** onnxruntime-web files @vidai/browser loads at run time (CPU and WebGPU builds), copied into its dist/. */
const ORT_RUNTIME_FILES = [
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];

/**
 * @vidai/browser's Worker, built self-contained (core and onnxruntime-web bundled, ESM,
 * the WebGL/WebGPU runtimes as lazy chunks) next to the onnxruntime-web wasm files, so
 * `new Worker(new URL('./detector-worker.js', import.meta.url))` works with or without a
 * bundler (workers do not read import maps).
 */
function browserWorkerConfig(): Options {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  return {
    entry: { 'detector-worker': 'src/detector-worker.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    // Leave the main build's files alone (both builds run at once into dist/).
    clean: ['!index.*'],
    target: 'es2022',
    platform: 'browser',
    tsconfig: 'tsconfig.json',
    noExternal: [/./],
    splitting: true,
    esbuildOptions(options) {
      // The separate-loader build of onnxruntime-web: it loads the .mjs/.wasm from wasmPaths.
      options.conditions = ['onnxruntime-web-use-extern-wasm'];
      options.chunkNames = 'detector-worker-[name]-[hash]';
    },
    async onSuccess() {
      for (const f of ORT_RUNTIME_FILES) await copyFile(join(ortDist, f), join('dist', f));
    },
  };
}

const platforms: Record<string, Options['platform']> = {
  core: 'neutral',
  node: 'node',
  browser: 'browser',
};

export default defineConfig(() => {
  const pkg = basename(process.cwd());
  const entry = entries[pkg];
  if (!entry) throw new Error(`tsup.config.ts: unknown package folder "${pkg}"`);
  const main: Options = {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: pkg === 'browser' ? ['!detector-worker*', '!ort-wasm-*'] : true,
    target: 'es2022',
    platform: platforms[pkg],
    tsconfig: 'tsconfig.json',
    external: [/^@vidai\//, /^onnxruntime-/, 'werift'],
    splitting: false,
    shims: pkg === 'node',
  };
  return pkg === 'browser' ? [main, browserWorkerConfig()] : main;
});

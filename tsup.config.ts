/**
 * One build configuration for every package. Each package runs
 * `tsup --config ../../tsup.config.ts` from its own folder; the entries are chosen
 * by the package being built, so the three packages always build the same way:
 * `index` as ESM + `.d.ts` with sibling `@vidai/*` packages and all dependencies
 * external, plus CJS for core and node. @vidai/browser is ESM only: it starts its
 * Worker and finds its wasm files with `new URL('./file', import.meta.url)`, which
 * has no CommonJS equivalent (esbuild leaves `import.meta` empty there, so a CJS build
 * would throw "Invalid URL" on the first detector), and the bundlers that build
 * browser apps all read ESM. The `vidai` CLI is ESM only too: it is run, not imported.
 */
import { copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/** Never bundled into the packages' library files (dependencies are external anyway). */
const EXTERNAL: Options['external'] = [/^@vidai\//, /^onnxruntime-/, 'werift'];

const packages = ['core', 'node', 'browser'] as const;
type Package = (typeof packages)[number];

const formats: Record<Package, Options['format']> = {
  core: ['esm', 'cjs'],
  node: ['esm', 'cjs'],
  browser: ['esm'],
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

/**
 * The `vidai` CLI (the package's `bin`, with its shebang) and the worker thread of
 * `WorkerDetector` (started as `new Worker(new URL('./detector-worker.js', import.meta.url))`
 * by both the ESM and the CJS build): ESM files that are run, not imported, so no types.
 */
function nodeCliConfig(): Options {
  return {
    entry: { cli: 'src/cli.ts', 'detector-worker': 'src/detector-worker.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    // Leave the library build's files alone (both builds run at once into dist/).
    clean: ['!index.*'],
    target: 'es2022',
    platform: 'node',
    tsconfig: 'tsconfig.json',
    external: EXTERNAL,
    splitting: false,
  };
}

const platforms: Record<Package, Options['platform']> = {
  core: 'neutral',
  node: 'node',
  browser: 'browser',
};

export default defineConfig(() => {
  const pkg = basename(process.cwd()) as Package;
  if (!packages.includes(pkg)) throw new Error(`tsup.config.ts: unknown package folder "${pkg}"`);
  const main: Options = {
    entry: { index: 'src/index.ts' },
    format: formats[pkg],
    dts: true,
    sourcemap: true,
    clean: pkg === 'browser' ? ['!detector-worker*', '!ort-wasm-*'] : pkg === 'node' ? ['!cli.*', '!detector-worker.*'] : true,
    target: 'es2022',
    platform: platforms[pkg],
    tsconfig: 'tsconfig.json',
    external: EXTERNAL,
    splitting: false,
    shims: pkg === 'node',
  };
  if (pkg === 'browser') return [main, browserWorkerConfig()];
  if (pkg === 'node') return [main, nodeCliConfig()];
  return main;
});

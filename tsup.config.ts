/**
 * One build configuration for every package. Each package runs
 * `tsup --config ../../tsup.config.ts` from its own folder; the entries are chosen
 * by the package being built, so the three packages always build the same way:
 * ESM + CJS + `.d.ts`, sibling `@vidai/*` packages and all dependencies external.
 */
import { basename } from 'node:path';
import { defineConfig, type Options } from 'tsup';

const entries: Record<string, Options['entry']> = {
  core: { index: 'src/index.ts' },
  node: { index: 'src/index.ts', cli: 'src/cli.ts' },
  browser: { index: 'src/index.ts', 'detector-worker': 'src/detector-worker.ts' },
};

const platforms: Record<string, Options['platform']> = {
  core: 'neutral',
  node: 'node',
  browser: 'browser',
};

export default defineConfig(() => {
  const pkg = basename(process.cwd());
  const entry = entries[pkg];
  if (!entry) throw new Error(`tsup.config.ts: unknown package folder "${pkg}"`);
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: platforms[pkg],
    tsconfig: 'tsconfig.json',
    external: [/^@vidai\//, /^onnxruntime-/, 'werift'],
    splitting: false,
    shims: pkg === 'node',
  };
});

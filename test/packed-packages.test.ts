/**
 * The packages as they ship: `npm pack` of the built packages (`npm run build`, which
 * `npm test` runs first), publint on each tarball, and the tarballs installed into a
 * fresh project outside the repository, then loaded by plain `node` with `import()` and
 * `require()`, and the `vidai` bin run from `node_modules/.bin`.
 *
 * Installing: the tarballs are unpacked into `node_modules/@vidai/*` (what npm does),
 * and each third-party dependency a packed package.json declares is linked to the
 * workspace's installed copy. A real `npm install --offline` needs every registry
 * document of the dependency tree in npm's cache, which `npm ci` does not guarantee
 * (here it stopped at ENOTCACHED), and would copy about 600 MB (onnxruntime-node and -web) for every run. Linking only
 * the declared dependencies keeps the check that matters: an import the packed files
 * make but their package.json does not declare fails to resolve here, as it would for
 * a user.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import ts from 'typescript';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from './helpers/shared-data.js';

const exec = promisify(execFile);
const repo = resolve(import.meta.dirname, '..');
const shared = sharedDir;
const PACKAGES = ['core', 'node', 'browser'] as const;
type Pkg = (typeof PACKAGES)[number];

interface PackedFile {
  path: string;
  size: number;
}
interface PackResult {
  name: string;
  version: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}
interface Manifest {
  name: string;
  version: string;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

let work: string;
let app: string;
const packed = {} as Record<Pkg, PackResult>;
const manifests = {} as Record<Pkg, Manifest>;

const installed = (pkg: Pkg) => join(app, 'node_modules/@vidai', pkg);
const binDir = () => join(app, 'node_modules/.bin');

/** Runs a command in the fresh project, with the project's bins and this Node on PATH; resolves to its stdout. */
async function inApp(file: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await exec(file, args, {
    cwd: app,
    env: { ...process.env, PATH: [binDir(), dirname(process.execPath), process.env.PATH].join(delimiter), ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  });
  return stdout;
}
const nodeEsm = async (code: string) => JSON.parse(await inApp(process.execPath, ['--input-type=module', '-e', code]));
const nodeCjs = async (code: string) => JSON.parse(await inApp(process.execPath, ['--input-type=commonjs', '-e', code]));

async function newestMtime(dir: string, skip: RegExp): Promise<{ path: string; mtimeMs: number }> {
  let newest = { path: dir, mtimeMs: 0 };
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (skip.test(path)) continue;
    const { mtimeMs } = await stat(path);
    if (mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}

/** Fails early, saying what to run, when a package's dist/ is missing or older than its sources. */
async function assertFreshBuild(pkg: Pkg): Promise<void> {
  const built = join(repo, 'packages', pkg, 'dist/index.js');
  if (!existsSync(built)) throw new Error(`packages/${pkg}/dist is missing: run \`npm run build\` first (\`npm test\` does).`);
  const builtAt = (await stat(built)).mtimeMs;
  const src = await newestMtime(join(repo, 'packages', pkg, 'src'), /\.test(-d)?\.ts$/);
  const config = { path: join(repo, 'tsup.config.ts'), mtimeMs: (await stat(join(repo, 'tsup.config.ts'))).mtimeMs };
  for (const input of [src, config]) {
    if (input.mtimeMs > builtAt) {
      throw new Error(`packages/${pkg}/dist is older than ${relative(repo, input.path)}: run \`npm run build\` first (\`npm test\` does).`);
    }
  }
}

/**
 * The modules a built file loads, found by esbuild's parser: it follows the relative
 * imports (static, dynamic, `require()`; a missing file fails the build) and returns
 * every bare specifier (`x`, `@s/x`, `x/sub`, `node:x`) they import.
 */
async function bareImports(file: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    platform: 'neutral',
    format: 'esm',
    logLevel: 'silent',
  });
  const found = new Set<string>();
  for (const input of Object.values(metafile.inputs)) for (const i of input.imports) if (i.external && !i.path.startsWith('<')) found.add(i.path);
  return [...found];
}

/** Bare specifiers a declaration file imports (TypeScript's own pre-parser: comments and examples do not count). */
function declarationImports(code: string): string[] {
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName).filter((f) => !f.startsWith('.'));
}

/** The files a built file locates with `new URL('./file', import.meta.url)` (the Worker, wasm). */
function urlReferences(code: string): string[] {
  const re = /\bnew URL\(\s*["'`]\.\/([\w.-]+)["'`]\s*,\s*import\.meta\.url\s*\)/g;
  return [...new Set([...code.matchAll(re)].map((m) => m[1]!))];
}

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const builtins = new Set(builtinModules);
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtins.has(specifier);

beforeAll(async () => {
  for (const pkg of PACKAGES) await assertFreshBuild(pkg);
  work = await mkdtemp(join(await realpath(tmpdir()), 'vidai-packed-'));
  const { stdout } = await exec(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', work, ...PACKAGES.flatMap((p) => ['-w', `@vidai/${p}`])],
    { cwd: repo, maxBuffer: 16 * 1024 * 1024 },
  );
  for (const result of JSON.parse(stdout) as PackResult[]) packed[result.name.replace('@vidai/', '') as Pkg] = result;

  // A fresh project, installed the way npm lays it out.
  app = join(work, 'app');
  await mkdir(join(app, 'node_modules/.bin'), { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'vidai-packed-smoke', private: true }));
  for (const pkg of PACKAGES) {
    await mkdir(installed(pkg), { recursive: true });
    await exec('tar', ['-xzf', join(work, packed[pkg].filename), '-C', installed(pkg), '--strip-components=1']);
    manifests[pkg] = JSON.parse(await readFile(join(installed(pkg), 'package.json'), 'utf8')) as Manifest;
  }
  const linked = new Set<string>();
  for (const pkg of PACKAGES) {
    for (const dep of Object.keys({ ...manifests[pkg].dependencies, ...manifests[pkg].peerDependencies })) {
      if (dep.startsWith('@vidai/') || linked.has(dep)) continue;
      linked.add(dep);
      const target = join(app, 'node_modules', dep);
      await mkdir(dirname(target), { recursive: true });
      // Where the workspace installed it: beside the package when npm nested it there, else hoisted.
      const copy = [join(repo, 'packages', pkg, 'node_modules', dep), join(repo, 'node_modules', dep)].find((d) => existsSync(d));
      if (!copy) throw new Error(`${dep} (a dependency of @vidai/${pkg}) is not installed in the workspace: run \`npm ci\`.`);
      await symlink(await realpath(copy), target, 'dir');
    }
    for (const [name, path] of Object.entries(manifests[pkg].bin ?? {})) {
      await chmod(join(installed(pkg), path), 0o755);
      await symlink(relative(binDir(), join(installed(pkg), path)), join(binDir(), name));
    }
  }
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('packed tarballs', () => {
  it.each(PACKAGES)('@vidai/%s packs only its build, package.json, README and LICENSE (no sources, tests or test data)', (pkg) => {
    const paths = packed[pkg].files.map((f) => f.path);
    expect(paths).toContain('package.json');
    expect(paths).toContain('README.md');
    expect(paths).toContain('LICENSE');
    expect(paths).toContain('dist/index.js');
    expect(paths).toContain('dist/index.d.ts');
    const unexpected = paths.filter(
      (p) =>
        !/^(package\.json|README\.md|LICENSE|dist\/.+)$/.test(p) ||
        /\.(onnx|mp4|webm|mkv|y4m|yuv|jpe?g|png|pam|ppm)$/i.test(p) ||
        /\.test(-d)?\.|\/(test|fixtures|helpers)\//.test(p) ||
        (/\.[cm]?ts$/.test(p) && !/\.d\.c?ts$/.test(p)),
    );
    expect(unexpected).toEqual([]);
  });

  it.each(PACKAGES)('@vidai/%s stays within its size budget', (pkg) => {
    // Budgets far above today's sizes (core ~1.1 MB, node ~1.2 MB, browser ~45 MB
    // unpacked, 41 MB of it onnxruntime-web's wasm): they catch a bundled dependency,
    // a whole onnxruntime dist folder or a model ending up in a tarball.
    const budget: Record<Pkg, number> = { core: 4e6, node: 4e6, browser: 60e6 };
    expect(packed[pkg].unpackedSize).toBeLessThan(budget[pkg]);
  });

  it.each(PACKAGES)('publint finds nothing in @vidai/%s (warnings count as errors)', async (pkg) => {
    const tarball = await readFile(join(work, packed[pkg].filename));
    const { messages, pkg: manifest } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) as ArrayBuffer },
      strict: true,
    });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, manifest) ?? m.code}`)).toEqual([]);
  });

  it('the @vidai/* dependencies name the versions packed beside them', () => {
    for (const pkg of PACKAGES) {
      for (const [dep, range] of Object.entries(manifests[pkg].dependencies ?? {})) {
        if (dep.startsWith('@vidai/')) expect(range, `${pkg} -> ${dep}`).toBe(manifests[dep.slice(7) as Pkg].version);
      }
    }
  });

  it.each(PACKAGES)('@vidai/%s code and types import only its declared dependencies (and Node built-ins on Node)', async (pkg) => {
    const manifest = manifests[pkg];
    const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
    const undeclared: string[] = [];
    for (const file of packed[pkg].files.map((f) => f.path)) {
      // onnxruntime-web's own loaders import node modules only when they run in Node.
      if (/^dist\/ort-wasm-/.test(file)) continue;
      let specs: string[];
      if (/\.d\.c?ts$/.test(file)) specs = declarationImports(await readFile(join(installed(pkg), file), 'utf8'));
      else if (/\.(c?js|mjs)$/.test(file)) specs = await bareImports(join(installed(pkg), file));
      else continue;
      for (const spec of specs) {
        if (pkg !== 'browser' && isBuiltin(spec)) continue;
        if (!declared.has(packageName(spec))) undeclared.push(`${file}: ${spec}`);
      }
    }
    expect(undeclared).toEqual([]);
  });
});

describe('@vidai/core and @vidai/node installed from the tarballs', () => {
  const coreExports = ['YoloDetector', 'createPipeline', 'Pipeline', 'VidaiError', 'ErrorCodes', 'nonMaxSuppression', 'letterbox', 'encodeDetectionMessage', 'decodeDetectionMessage', 'createSampler', 'modelCatalog'];
  const nodeExports = ['createNodeDetector', 'FfmpegSource', 'ImageSource', 'readImage', 'probe', 'resolveModel', 'InferenceServer', 'InferencePeer', 'SessionCache'];

  it('import() loads the ESM builds, and @vidai/node re-exports the same core', async () => {
    const out = await nodeEsm(`
      const core = await import('@vidai/core');
      const node = await import('@vidai/node');
      let code;
      try { core.decodeDetectionMessage('{'); } catch (e) { code = e instanceof node.VidaiError ? e.code : 'not a VidaiError: ' + e; }
      console.log(JSON.stringify({
        files: [import.meta.resolve('@vidai/core'), import.meta.resolve('@vidai/node')],
        core: Object.keys(core), node: Object.keys(node),
        sameClass: core.YoloDetector === node.YoloDetector, code,
      }));`);
    expect(out.files[0]).toMatch(/node_modules\/@vidai\/core\/dist\/index\.js$/);
    expect(out.files[1]).toMatch(/node_modules\/@vidai\/node\/dist\/index\.js$/);
    expect(out.core).toEqual(expect.arrayContaining(coreExports));
    expect(out.node).toEqual(expect.arrayContaining([...coreExports, ...nodeExports]));
    expect(out.sameClass).toBe(true);
    expect(out.code).toBe('malformed-message');
  });

  it('require() loads the CJS builds with the same exports, and the detector runs on the real model', async () => {
    const esm = await nodeEsm(`console.log(JSON.stringify({ core: Object.keys(await import('@vidai/core')).sort(), node: Object.keys(await import('@vidai/node')).sort() }))`);
    const model = join(shared, 'models/yolox_nano.onnx');
    const image = join(shared, 'images/dog.jpg');
    const out = await nodeCjs(`
      const core = require('@vidai/core');
      const node = require('@vidai/node');
      (async () => {
        const { detector, executionProvider } = await node.createNodeDetector({ model: ${JSON.stringify(model)}, onProgress: null });
        const result = await detector.detect(await node.readImage(${JSON.stringify(image)}));
        await detector.close();
        console.log(JSON.stringify({
          files: [require.resolve('@vidai/core'), require.resolve('@vidai/node')],
          core: Object.keys(core).sort(), node: Object.keys(node).sort(),
          sameClass: core.VidaiError === node.VidaiError, executionProvider,
          labels: result.detections.map((d) => d.label),
        }));
      })().catch((e) => { console.error(e); process.exit(1); });`);
    expect(out.files[0]).toMatch(/node_modules\/@vidai\/core\/dist\/index\.cjs$/);
    expect(out.files[1]).toMatch(/node_modules\/@vidai\/node\/dist\/index\.cjs$/);
    expect(out.core).toEqual(esm.core);
    expect(out.node).toEqual(esm.node);
    expect(out.sameClass).toBe(true);
    expect(out.executionProvider).toBe('cpu');
    expect(out.labels).toEqual(expect.arrayContaining(['dog', 'bicycle', 'car']));
  });

  it('the vidai bin runs from node_modules/.bin: --version, models, detect', async () => {
    expect(manifests.node.bin).toEqual({ vidai: expect.any(String) });
    expect((await inApp('vidai', ['--version'])).trim()).toBe(manifests.node.version);
    expect(await inApp('vidai', ['models'])).toContain('yolox-nano');
    const lines = (await inApp('vidai', ['detect', join(shared, 'images/dog.jpg'), '--json', '--quiet'], { VIDAI_MODEL_DIR: join(shared, 'models') }))
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { detections: Array<{ label: string }> });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.detections.map((d) => d.label)).toEqual(expect.arrayContaining(['dog', 'bicycle', 'car']));
  });
});

describe('@vidai/browser installed from the tarball', () => {
  it('is ESM only: the entry resolves to dist/index.js and exports the browser API', async () => {
    const out = await nodeEsm(`
      const m = await import('@vidai/browser');
      console.log(JSON.stringify({ file: import.meta.resolve('@vidai/browser'), keys: Object.keys(m) }));`);
    expect(out.file).toMatch(/node_modules\/@vidai\/browser\/dist\/index\.js$/);
    expect(out.keys).toEqual(expect.arrayContaining(['BrowserDetector', 'CameraSource', 'DetectionLoop', 'Overlay', 'InferenceClient', 'YoloDetector', 'VidaiError']));
    expect(packed.browser.files.map((f) => f.path).filter((p) => /\.(cjs|d\.cts)$/.test(p))).toEqual([]);
  });

  it('ships the Worker and the onnxruntime-web files that the entry and the Worker locate by URL', async () => {
    const paths = new Set(packed.browser.files.map((f) => f.path));
    const refs = new Map<string, string[]>();
    for (const file of ['dist/index.js', 'dist/detector-worker.js']) {
      refs.set(file, urlReferences(await readFile(join(installed('browser'), file), 'utf8')));
    }
    const wasmFiles = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
    expect(refs.get('dist/index.js')).toEqual(expect.arrayContaining(['detector-worker.js', ...wasmFiles]));
    expect(refs.get('dist/detector-worker.js')).toEqual(expect.arrayContaining(wasmFiles));
    const missing = [...refs].flatMap(([file, urls]) => urls.filter((u) => !paths.has(`dist/${u}`)).map((u) => `${file} -> ${u}`));
    expect(missing).toEqual([]);
  });

  it('the Worker is self-contained: its chunks are all packed and it imports no package (a Worker cannot use an import map)', async () => {
    expect(await bareImports(join(installed('browser'), 'dist/detector-worker.js'))).toEqual([]);
  });
});

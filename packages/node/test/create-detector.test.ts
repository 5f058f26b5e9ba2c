/**
 * createNodeDetector on the real YOLOX-Nano file and onnxruntime-node: the session
 * cache shares one session between detectors, reports the provider used, falls back
 * from providers that are not installed, and turns bad models into typed errors.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SessionCache,
  createNodeDetector,
  defaultExecutionProviders,
  hasProviderBinaries,
  isVidaiError,
  modelCatalog,
  readImage,
  type CatalogModel,
  type Frame,
} from '../src/index.js';
import { failure } from '../../../test/helpers/rejection.js';
import { sharedDir } from '../../../test/helpers/shared-data.js';

const SHARED = sharedDir;
const MODELS = join(SHARED, 'models');
const MODEL_FILE = join(MODELS, 'yolox_nano.onnx');
/** This machine has no onnxruntime GPU binaries; where it has, the fallback cases do not apply. */
const cudaInstalled = hasProviderBinaries('cuda');

describe('createNodeDetector', () => {
  let dog: Frame;
  let dir: string;
  beforeAll(async () => {
    dog = await readImage(join(SHARED, 'images', 'dog.jpg'));
    dir = await mkdtemp(join(tmpdir(), 'vidai-detector-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('defaults to the CPU provider where no GPU binaries are installed', () => {
    expect(defaultExecutionProviders()).toEqual(cudaInstalled ? ['cuda', 'cpu'] : ['cpu']);
  });

  it('shares one session between detectors on the same model and releases it after the last close', async () => {
    const cache = new SessionCache();
    const a = await createNodeDetector({ model: 'yolox-nano', cacheDir: MODELS, download: false, sessionCache: cache, executionProviders: ['cpu'] });
    // A catalog model is loaded with a dynamic input size (minimal padding); the same file
    // asked for with padding 'minimal' is the same session.
    const b = await createNodeDetector({ model: MODEL_FILE, sessionCache: cache, executionProviders: ['cpu'], scoreThreshold: 0.5, padding: 'minimal' });
    expect(cache.stats()).toMatchObject({ created: 1, hits: 1, live: 1, released: 0 });
    expect([a.detector.padding, b.detector.padding]).toEqual(['minimal', 'minimal']);
    expect(a.executionProvider).toBe('cpu');
    expect(b.executionProvider).toBe('cpu');
    expect(a.modelPath).toBe(MODEL_FILE);
    expect(a.model?.id).toBe('yolox-nano');
    expect(b.model).toBeUndefined();

    // Both detect on the shared session; the reference boxes are in ../shared/SOURCES.md.
    const [ra, rb] = await Promise.all([a.detector.detect(dog), b.detector.detect(dog)]);
    const top = ra.detections[0]!;
    expect(top.label).toBe('dog');
    expect(top.score).toBeCloseTo(0.855, 1);
    top.box.forEach((v, i) => expect(Math.abs(v - [132.8, 206.6, 325.7, 543.1][i]!)).toBeLessThan(2));
    expect(ra.detections.map((d) => d.label)).toEqual(expect.arrayContaining(['bicycle', 'car', 'dog', 'truck']));
    // The second detector has its own thresholds on the same session: truck (0.31) is below 0.5.
    expect(rb.detections.map((d) => d.label).sort()).toEqual(['bicycle', 'car', 'dog']);

    await a.detector.close();
    await a.detector.close(); // idempotent: returns its loan once
    expect(cache.stats()).toMatchObject({ live: 1, released: 0 });
    expect((await b.detector.detect(dog)).detections).toHaveLength(3); // still works for the other user
    await b.detector.close();
    expect(cache.stats()).toMatchObject({ created: 1, live: 0, released: 1 });
    expect(isVidaiError(await failure(a.detector.detect(dog)), 'closed')).toBe(true);

    // A new detector after the last close gets a new session.
    const c = await createNodeDetector({ model: MODEL_FILE, sessionCache: cache, executionProviders: ['cpu'] });
    expect(cache.stats()).toMatchObject({ created: 2, live: 1 });
    await c.detector.close();
  });

  it('keeps separate sessions for different thread counts', async () => {
    const cache = new SessionCache();
    const one = await createNodeDetector({ model: MODEL_FILE, sessionCache: cache, executionProviders: ['cpu'], intraOpNumThreads: 1 });
    const two = await createNodeDetector({ model: MODEL_FILE, sessionCache: cache, executionProviders: ['cpu'], intraOpNumThreads: 2 });
    const again = await createNodeDetector({ model: MODEL_FILE, sessionCache: cache, executionProviders: ['cpu'], intraOpNumThreads: 1 });
    expect(cache.stats()).toMatchObject({ created: 2, hits: 1, live: 2 });
    await Promise.all([one.detector.close(), two.detector.close(), again.detector.close()]);
    expect(cache.stats()).toMatchObject({ live: 0, released: 2 });
  });

  it.skipIf(cudaInstalled)('falls back to the CPU when CUDA is asked for but not installed, and reports it', async () => {
    const cache = new SessionCache();
    const { detector, executionProvider } = await createNodeDetector({
      model: MODEL_FILE,
      sessionCache: cache,
      executionProviders: ['cuda', 'cpu'],
    });
    expect(executionProvider).toBe('cpu');
    expect(cache.stats()).toMatchObject({ created: 1, live: 1 });
    await detector.close();
  });

  it('tries the next provider when session creation fails', async () => {
    // The factory stands in for a provider that is installed but cannot start (no device).
    const tried: string[] = [];
    const cache = new SessionCache({
      createSession: (model, options) => {
        const provider = String(options.executionProviders?.[0]);
        tried.push(provider);
        if (provider === 'dml') return Promise.reject(new Error('no DirectML device'));
        return typeof model === 'string' ? InferenceSession.create(model, options) : InferenceSession.create(model, options);
      },
    });
    const { detector, executionProvider } = await createNodeDetector({ model: MODEL_FILE, sessionCache: cache, executionProviders: ['dml', 'cpu'] });
    expect(tried).toEqual(['dml', 'cpu']);
    expect(executionProvider).toBe('cpu');
    expect(cache.stats()).toMatchObject({ created: 1, failed: 1, live: 1 });
    await detector.close();
  });

  it.skipIf(cudaInstalled)('fails with no-execution-provider when no provider asked for works', async () => {
    const cache = new SessionCache();
    const err = await failure(createNodeDetector({ model: MODEL_FILE, sessionCache: cache, executionProviders: ['cuda'] }));
    expect(isVidaiError(err, 'no-execution-provider')).toBe(true);
    expect(err.message).toContain("'cpu'");
    expect(err.message).toContain('cuda binaries are not installed');
    expect(cache.stats()).toMatchObject({ created: 0, live: 0 });
  });

  it('rejects an unknown model id with model-not-found', async () => {
    const err = await failure(createNodeDetector({ model: 'yolov99-giant' }));
    expect(isVidaiError(err, 'model-not-found')).toBe(true);
    expect(err.message).toContain('yolox-nano');
  });

  it('rejects a file that is not a model with model-load-failed and keeps no session', async () => {
    const cache = new SessionCache();
    const bogus = join(dir, 'bogus.onnx');
    await writeFile(bogus, new Uint8Array(1024).fill(7));
    const err = await failure(createNodeDetector({ model: bogus, sessionCache: cache, executionProviders: ['cpu'] }));
    expect(isVidaiError(err, 'model-load-failed')).toBe(true);
    expect(cache.stats()).toMatchObject({ created: 0, failed: 1, live: 0 });
  });

  it('rejects a cached file with other dims than the catalog entry with model-shape-mismatch and returns the session', async () => {
    const cache = new SessionCache();
    const entry: CatalogModel = { ...modelCatalog['yolox-nano']!, id: 'yolox-640', inputDims: [1, 3, 640, 640], outputDims: [1, 8400, 85] };
    const err = await failure(createNodeDetector({ model: entry, cacheDir: MODELS, download: false, sessionCache: cache, executionProviders: ['cpu'] }));
    expect(isVidaiError(err, 'model-shape-mismatch')).toBe(true);
    expect(cache.stats()).toMatchObject({ created: 1, live: 0, released: 1 });
  });
});

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCodes, VidaiError, withDynamicInputSize, type DynamicInputReport } from '@vidai/core';
import { InferenceSession } from 'onnxruntime-node';
import { defaultExecutionProviders, executionProviderName, missingProviderReason, type NodeExecutionProvider } from './execution-providers.js';
import { modelLoadFailed } from './model-store.js';

/**
 * Creates an onnxruntime session from a model file's path, or from its bytes when the
 * cache changed them (`dynamicInputSize`); the cache's seam for other runtime builds.
 */
export type SessionFactory = (model: string | Uint8Array, options: InferenceSession.SessionOptions) => Promise<InferenceSession>;

const createOrtSession: SessionFactory = (model, options) =>
  typeof model === 'string' ? InferenceSession.create(model, options) : InferenceSession.create(model, options);

/** Options of {@link SessionCache}. */
export interface SessionCacheOptions {
  /** Creates sessions. Default: onnxruntime-node's `InferenceSession.create`. */
  createSession?: SessionFactory;
}

/** Options of {@link SessionCache.acquire}; sessions are shared only between equal options. */
export interface AcquireSessionOptions {
  /**
   * Execution providers to try, in order, until one creates a session. Default:
   * {@link defaultExecutionProviders} (`'cuda'` where its binaries are installed, then `'cpu'`).
   */
  executionProviders?: readonly NodeExecutionProvider[];
  /** Threads onnxruntime uses inside one operator. Default: onnxruntime's (one per physical core). */
  intraOpNumThreads?: number;
  /** Graph optimization level. Default `'all'`. */
  graphOptimizationLevel?: InferenceSession.SessionOptions['graphOptimizationLevel'];
  /**
   * Load the model with its input height and width made dynamic
   * ({@link withDynamicInputSize}), for detectors with minimal padding. Default false.
   */
  dynamicInputSize?: boolean;
}

/** Counters of a {@link SessionCache}. */
export interface SessionCacheStats {
  /** Sessions created (successful `InferenceSession.create` calls). */
  created: number;
  /** Session creations that failed (a provider that is not available, a bad file). */
  failed: number;
  /** Acquisitions served by a session that already existed (or was being created). */
  hits: number;
  /** Sessions released after their last user let go. */
  released: number;
  /** Sessions alive now. */
  live: number;
}

interface Loaded {
  session: InferenceSession;
  /** What the cache changed in the model's declared shapes, when it made the input dynamic. */
  dynamicInput: DynamicInputReport | undefined;
}

interface Entry {
  key: string;
  session: Promise<Loaded>;
  refs: number;
}

/**
 * A session on loan from a {@link SessionCache}. It is an `InferenceSession` (hand
 * it to `YoloDetector.create` with `ownsSession: true`); `release()` returns the loan,
 * and the underlying session is released when its last loan is returned.
 */
export class SharedSession implements InferenceSession {
  /** The execution provider the session runs on, e.g. `'cuda'` or `'cpu'`. */
  readonly executionProvider: string;
  /** Absolute path of the model file. */
  readonly modelPath: string;
  /**
   * When the session was loaded with `dynamicInputSize`: the shapes the file declared
   * before the change (the session's metadata shows the dynamic ones).
   */
  readonly dynamicInput: DynamicInputReport | undefined;
  private returned = false;

  /** @internal */
  constructor(
    private readonly session: InferenceSession,
    private readonly giveBack: () => Promise<void>,
    executionProvider: string,
    modelPath: string,
    dynamicInput?: DynamicInputReport,
  ) {
    this.executionProvider = executionProvider;
    this.modelPath = modelPath;
    this.dynamicInput = dynamicInput;
  }

  /** Names of the model's inputs. */
  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }
  /** Names of the model's outputs. */
  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }
  /** Types and shapes of the model's inputs. */
  get inputMetadata(): readonly InferenceSession.ValueMetadata[] {
    return this.session.inputMetadata;
  }
  /** Types and shapes of the model's outputs. */
  get outputMetadata(): readonly InferenceSession.ValueMetadata[] {
    return this.session.outputMetadata;
  }

  /**
   * Runs the shared session (onnxruntime-node runs one call at a time per session).
   * Rejects with code `closed` after this loan was released.
   */
  run(feeds: InferenceSession.FeedsType, options?: InferenceSession.RunOptions): Promise<InferenceSession.ReturnType>;
  run(
    feeds: InferenceSession.FeedsType,
    fetches: InferenceSession.FetchesType,
    options?: InferenceSession.RunOptions,
  ): Promise<InferenceSession.ReturnType>;
  run(feeds: InferenceSession.FeedsType, ...rest: unknown[]): Promise<InferenceSession.ReturnType> {
    if (this.returned) {
      return Promise.reject(new VidaiError(ErrorCodes.CLOSED, 'run() was called on a released session; acquire a new one.'));
    }
    return (this.session.run as (feeds: InferenceSession.FeedsType, ...rest: unknown[]) => Promise<InferenceSession.ReturnType>).call(
      this.session,
      feeds,
      ...rest,
    );
  }

  /** Starts profiling of the shared session. */
  startProfiling(): void {
    this.session.startProfiling();
  }
  /** Ends profiling of the shared session. */
  endProfiling(): void {
    this.session.endProfiling();
  }

  /** Returns this loan; the last one releases the session. Safe to call twice. */
  async release(): Promise<void> {
    if (this.returned) return;
    this.returned = true;
    await this.giveBack();
  }
}

/**
 * Shares onnxruntime sessions: one session per (model file, execution provider,
 * options), handed out as reference-counted {@link SharedSession} loans, so every
 * stream of a server runs on one copy of the model's weights. Session creation is
 * tried provider by provider until one succeeds; the provider used is reported.
 *
 * @example
 * ```ts
 * const a = await defaultSessionCache.acquire('yolox_nano.onnx');
 * const b = await defaultSessionCache.acquire('yolox_nano.onnx'); // the same session
 * console.log(a.executionProvider, defaultSessionCache.stats().created); // 'cpu' 1
 * await a.release(); await b.release(); // the session is released here
 * ```
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly createSession: SessionFactory;
  private readonly counters = { created: 0, failed: 0, hits: 0, released: 0 };

  /** Creates an empty cache; most programs use {@link defaultSessionCache}. */
  constructor(options: SessionCacheOptions = {}) {
    this.createSession = options.createSession ?? createOrtSession;
  }

  /**
   * Lends a session for the model at `modelPath`, creating it on the first request.
   * Providers are tried in order; one whose onnxruntime-node binaries are not installed
   * (`cuda`, `tensorrt`) is skipped without trying.
   *
   * @throws VidaiError `model-load-failed` when the CPU provider (or every provider)
   *   fails to load the file; `no-execution-provider` when none of the providers asked
   *   for, without `'cpu'`, can create a session (the details list each failure).
   * @throws TypeError for an empty provider list or a bad thread count.
   */
  async acquire(modelPath: string, options: AcquireSessionOptions = {}): Promise<SharedSession> {
    const path = resolve(modelPath);
    const providers = options.executionProviders ?? defaultExecutionProviders();
    if (!Array.isArray(providers) || providers.length === 0) {
      throw new TypeError('executionProviders must list at least one execution provider, e.g. ["cpu"]');
    }
    const threads = options.intraOpNumThreads;
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
      throw new TypeError(`intraOpNumThreads must be a positive integer, got ${threads}`);
    }
    const failures: Array<{ provider: string; error: unknown }> = [];
    for (const provider of providers) {
      const name = executionProviderName(provider);
      const missing = missingProviderReason(name);
      if (missing !== undefined) {
        // Known to fail: skip it without asking onnxruntime (which would log the failure to stderr).
        failures.push({ provider: name, error: new Error(missing) });
        continue;
      }
      const sessionOptions: InferenceSession.SessionOptions = {
        executionProviders: [provider],
        graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
        ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
      };
      const dynamic = options.dynamicInputSize === true;
      const key = JSON.stringify([path, provider, sessionOptions.graphOptimizationLevel, threads ?? null, dynamic]);
      let entry = this.entries.get(key);
      if (entry === undefined) {
        entry = { key, session: this.create(path, sessionOptions, dynamic), refs: 0 };
        this.entries.set(key, entry);
        const created = entry;
        // A failed creation must not stay cached.
        created.session.catch(() => {
          if (this.entries.get(key) === created) this.entries.delete(key);
        });
      } else {
        this.counters.hits++;
      }
      entry.refs++;
      let loaded: Loaded;
      try {
        loaded = await entry.session;
      } catch (error) {
        entry.refs--;
        failures.push({ provider: name, error });
        continue;
      }
      const held = entry;
      return new SharedSession(loaded.session, () => this.giveBack(held), name, path, loaded.dynamicInput);
    }
    const cpuFailure = failures.find((f) => f.provider === 'cpu');
    if (cpuFailure) throw modelLoadFailed(path, cpuFailure.error);
    const reasons = failures.map((f) => `${f.provider}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    throw new VidaiError(
      ErrorCodes.NO_EXECUTION_PROVIDER,
      `No execution provider could create a session for ${path} (${reasons.join('; ')}). ` +
        `Add 'cpu' to executionProviders to fall back to the CPU, or install onnxruntime-node's GPU binaries ` +
        `(npm install onnxruntime-node --onnxruntime-node-install=cuda12) with a matching CUDA runtime.`,
      { details: { path, failures: reasons } },
    );
  }

  /** Counters of sessions created, reused and released. */
  stats(): SessionCacheStats {
    return { ...this.counters, live: this.entries.size };
  }

  private async create(path: string, options: InferenceSession.SessionOptions, dynamicInputSize: boolean): Promise<Loaded> {
    try {
      const dynamic = dynamicInputSize ? withDynamicInputSize(await readFile(path)) : undefined;
      const session = await this.createSession(dynamic?.model ?? path, options);
      this.counters.created++;
      return { session, dynamicInput: dynamic?.report };
    } catch (err) {
      this.counters.failed++;
      throw err;
    }
  }

  private async giveBack(entry: Entry): Promise<void> {
    entry.refs--;
    if (entry.refs > 0) return;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    const { session } = await entry.session;
    this.counters.released++;
    await session.release();
  }
}

/** The process-wide cache used by {@link createNodeDetector} unless another is passed. */
export const defaultSessionCache = new SessionCache();

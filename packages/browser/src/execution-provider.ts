/**
 * Execution providers of onnxruntime-web that the browser detector can use, in the
 * default order of preference: WebGPU, then WebGL, then WebAssembly (CPU).
 */
export type ExecutionProvider = 'webgpu' | 'webgl' | 'wasm';

/** The default fallback order: `['webgpu', 'webgl', 'wasm']`. */
export const DEFAULT_EXECUTION_PROVIDERS: readonly ExecutionProvider[] = Object.freeze(['webgpu', 'webgl', 'wasm'] as const);

/** Every provider name, for validation. */
const KNOWN: readonly string[] = DEFAULT_EXECUTION_PROVIDERS;

/** What happened when one provider was tried. */
export interface ProviderAttempt {
  /** The provider tried. */
  provider: ExecutionProvider;
  /**
   * `'used'`: the session runs on it; `'unavailable'`: skipped before loading anything
   * (no API or no adapter); `'failed'`: the runtime loaded but could not create a
   * session for this model (e.g. an operator or data type it does not support).
   */
  status: 'used' | 'unavailable' | 'failed';
  /** Why it was not used (absent for the used one). */
  reason?: string;
  /** Time spent on this attempt in ms (runtime loading and session creation). */
  ms: number;
}

/** How the WebAssembly backend runs. */
export interface WasmReport {
  /** Number of threads (1 = no worker threads). */
  threads: number;
  /** Why this many threads: cross-origin isolation, hardware concurrency or the option. */
  threadsReason: string;
  /** Whether the page is cross-origin isolated (needed for SharedArrayBuffer, hence threads). */
  crossOriginIsolated: boolean;
  /** Whether the CPU build uses SIMD (the only build onnxruntime-web 1.30 ships). */
  simd: boolean;
  /** Where the runtime's `.mjs`/`.wasm` files were loaded from (a prefix or file URLs). */
  wasmPaths: string | { mjs: string; wasm: string };
}

/** The backend a detector ended up with and why: part of every result. */
export interface BackendReport {
  /** The execution provider running the model. */
  provider: ExecutionProvider;
  /** Every provider tried, in order, with the reason the others were not used. */
  attempts: ProviderAttempt[];
  /** Details of the WebAssembly backend when `provider` is `'wasm'`. */
  wasm?: WasmReport;
  /** Where inference runs: in dedicated Workers or on the calling (main) thread. */
  thread: 'worker' | 'main';
  /** Sessions running side by side (Workers; 1 on the main thread). */
  workers: number;
  /** onnxruntime-web version. */
  runtimeVersion: string;
}

/** Validates a provider list; throws TypeError for unknown names or an empty list. */
export function checkProviders(list: readonly string[]): ExecutionProvider[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`executionProviders must be a non-empty array of ${KNOWN.join(', ')}.`);
  }
  for (const p of list) {
    if (!KNOWN.includes(p)) throw new TypeError(`Unknown execution provider '${String(p)}'; use ${KNOWN.join(', ')}.`);
  }
  return [...new Set(list)] as ExecutionProvider[];
}

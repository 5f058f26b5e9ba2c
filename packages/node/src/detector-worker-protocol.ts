/**
 * Messages between a {@link WorkerDetector} and its worker threads, and how errors
 * cross the thread boundary (a VidaiError keeps its code, a TypeError stays a TypeError).
 *
 * @internal
 */
import { ErrorCodes, VidaiError, isErrorCode, type CatalogModel, type DetectionResult, type ErrorCode, type Frame, type ModelFamily, type PreprocessOptions } from '@vidai/core';
import type { DetectorOnFileOptions } from './create-detector.js';

/** The `workerData` a detector worker starts with. Structured-cloneable: no functions. @internal */
export interface DetectorWorkerInit {
  /** Absolute path of the resolved model file (the main thread resolved, downloaded and cached it). */
  modelPath: string;
  /** The catalog entry, when the model was named by id or entry. */
  entry: CatalogModel | undefined;
  /** Session and detector options of the worker's own detector. */
  options: Omit<DetectorOnFileOptions, 'sessionCache' | 'now' | 'createTensor'>;
}

/** What a worker reports once its session and detector are ready. @internal */
export interface DetectorWorkerInfo {
  executionProvider: string;
  family: ModelFamily;
  inputSize: { width: number; height: number };
  labels: readonly string[];
  preprocess: PreprocessOptions;
}

/** Main thread to worker. @internal */
export type ToDetectorWorker =
  | { type: 'detect'; id: number; frame: Frame; scoreThreshold?: number; iouThreshold?: number }
  | { type: 'close' };

/** Worker to main thread. @internal */
export type FromDetectorWorker =
  | { type: 'ready'; info: DetectorWorkerInfo }
  | { type: 'failed'; error: SerializedError }
  | { type: 'result'; id: number; result: DetectionResult }
  | { type: 'error'; id: number; error: SerializedError };

/** An error as it crosses `postMessage`. @internal */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

/** Turns anything thrown in a worker into plain data. @internal */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof VidaiError) {
    return { name: err.name, message: err.message, code: err.code, ...(err.details ? { details: cloneable(err.details) } : {}), ...stackOf(err) };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, ...stackOf(err) };
  return { name: 'Error', message: String(err) };
}

/**
 * Rebuilds an error from a worker: a VidaiError with the same code and details (its
 * `cause` carries the worker's stack), a TypeError or RangeError as such, anything
 * else as `fallback` with the worker's message. @internal
 */
export function deserializeError(error: SerializedError, fallback: ErrorCode = ErrorCodes.INFERENCE_FAILED): Error {
  const cause = Object.assign(new Error(error.message), { name: error.name, stack: error.stack ?? `${error.name}: ${error.message}` });
  if (isErrorCode(error.code)) {
    return new VidaiError(error.code, error.message, { cause, ...(error.details ? { details: error.details } : {}) });
  }
  if (error.name === 'TypeError') return Object.assign(new TypeError(error.message), { cause });
  if (error.name === 'RangeError') return Object.assign(new RangeError(error.message), { cause });
  return new VidaiError(fallback, error.message, { cause });
}

function stackOf(err: Error): { stack?: string } {
  return typeof err.stack === 'string' ? { stack: err.stack } : {};
}

/** Details are plain facts; anything structured clone would refuse (a function) is dropped to its text. */
function cloneable(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(details);
  } catch {
    return JSON.parse(JSON.stringify(details, (_key, value: unknown) => (typeof value === 'function' ? String(value) : value))) as Record<string, unknown>;
  }
}

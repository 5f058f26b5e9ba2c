import type { DetectionResult, Frame } from '@vidai/core';
import type { EngineImage, EngineInfo, EngineInit, EngineProgress } from './inference-engine.js';

/**
 * Messages between the browser detector and its Worker. Each request has an `id`;
 * the Worker answers with the same `id`.
 *
 * @internal
 */
export type ToWorker =
  | { type: 'init'; id: number; model: Uint8Array; init: EngineInit }
  | {
      type: 'detect';
      id: number;
      input: EngineImage | Frame;
      timestamp: number;
      seq: number;
      scoreThreshold?: number;
      iouThreshold?: number;
    }
  | { type: 'close'; id: number };

/** @internal */
export type FromWorker =
  | { type: 'ready'; id: number; info: EngineInfo }
  | { type: 'progress'; id: number; progress: EngineProgress }
  | { type: 'result'; id: number; result: DetectionResult; workerMs: number }
  | { type: 'closed'; id: number }
  | { type: 'error'; id: number; error: SerializedError };

/** An error as it crosses `postMessage`. @internal */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

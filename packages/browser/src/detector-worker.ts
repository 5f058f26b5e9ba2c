/**
 * The dedicated Worker that runs the browser detector's inference engine. Started by
 * `BrowserDetector.create()` with `new Worker(new URL('./detector-worker.js', import.meta.url), { type: 'module' })`.
 *
 * @internal
 */
import { VidaiError } from '@vidai/core';
import { InferenceEngine } from './inference-engine.js';
import type { FromWorker, SerializedError, ToWorker } from './worker-protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let engine: InferenceEngine | undefined;

function post(message: FromWorker): void {
  scope.postMessage(message);
}

function serialize(err: unknown): SerializedError {
  if (err instanceof VidaiError) {
    return { name: err.name, message: err.message, code: err.code, ...(err.details ? { details: err.details } : {}) };
  }
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

scope.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  try {
    switch (msg.type) {
      case 'init': {
        engine = await InferenceEngine.create(msg.model, msg.init, (progress) => post({ type: 'progress', id: msg.id, progress }));
        post({ type: 'ready', id: msg.id, info: engine.info });
        break;
      }
      case 'detect': {
        if (!engine) throw new TypeError('detect before init');
        const t0 = performance.now();
        const result = await engine.detect({
          input: msg.input,
          timestamp: msg.timestamp,
          seq: msg.seq,
          ...(msg.scoreThreshold !== undefined ? { scoreThreshold: msg.scoreThreshold } : {}),
          ...(msg.iouThreshold !== undefined ? { iouThreshold: msg.iouThreshold } : {}),
        });
        post({ type: 'result', id: msg.id, result, workerMs: performance.now() - t0 });
        break;
      }
      case 'close': {
        await engine?.close();
        engine = undefined;
        post({ type: 'closed', id: msg.id });
        break;
      }
    }
  } catch (err) {
    post({ type: 'error', id: msg.id, error: serialize(err) });
  }
};

/**
 * A worker thread of a {@link WorkerDetector}: opens the model file the main thread
 * resolved, in a session of its own, builds the same detector `createNodeDetector`
 * builds, and answers one `detect` message at a time (the pool only sends a worker
 * work when it is free). Started with `new Worker(new URL('./detector-worker.js', import.meta.url))`.
 *
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDetectorOnFile, type NodeDetector } from './create-detector.js';
import { serializeError, type DetectorWorkerInit, type FromDetectorWorker, type ToDetectorWorker } from './detector-worker-protocol.js';

if (!parentPort) throw new Error('detector-worker runs as a worker thread of WorkerDetector');
const port = parentPort;
const init = workerData as DetectorWorkerInit;

function post(message: FromDetectorWorker): void {
  port.postMessage(message);
}

let node: NodeDetector | undefined;
try {
  node = await createDetectorOnFile({ path: init.modelPath, entry: init.entry }, init.options);
  const { detector } = node;
  post({
    type: 'ready',
    info: {
      executionProvider: node.executionProvider,
      family: detector.family,
      inputSize: { ...detector.inputSize },
      labels: [...detector.labels],
      preprocess: { ...detector.preprocess },
    },
  });
} catch (err) {
  post({ type: 'failed', error: serializeError(err) });
  port.close(); // nothing else to do: the thread ends
}

if (node) {
  const detector = node.detector;
  port.on('message', async (msg: ToDetectorWorker) => {
    if (msg.type === 'close') {
      await detector.close();
      port.close();
      return;
    }
    try {
      const result = await detector.detect(msg.frame, {
        ...(msg.scoreThreshold !== undefined ? { scoreThreshold: msg.scoreThreshold } : {}),
        ...(msg.iouThreshold !== undefined ? { iouThreshold: msg.iouThreshold } : {}),
      });
      post({ type: 'result', id: msg.id, result });
    } catch (err) {
      post({ type: 'error', id: msg.id, error: serializeError(err) });
    }
  });
}

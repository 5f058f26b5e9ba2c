/**
 * Reports the RTP timestamp of every encoded video frame a sender sends, with the
 * time it left the encoder, through an encoded transform (`RTCRtpScriptTransform`)
 * that passes each frame on untouched. The transform runs in a small worker, so a
 * busy page never delays the video; the page gets one short message per frame.
 */

/** The worker: forwards frames unchanged and posts `[rtpTimestamp, epoch ms]` for each. */
const WORKER_SOURCE = `onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  const port = options.port;
  readable.pipeThrough(new TransformStream({
    transform(frame, controller) {
      const m = frame.getMetadata();
      port.postMessage([m.rtpTimestamp ?? frame.timestamp, performance.timeOrigin + performance.now()]);
      controller.enqueue(frame);
    },
  })).pipeTo(writable).catch(() => {});
};`;

/** Whether this browser can tap a sender's encoded frames (`RTCRtpScriptTransform`). */
export function canTapSenderFrames(): boolean {
  return typeof RTCRtpScriptTransform === 'function' && typeof Worker === 'function' && typeof Blob === 'function';
}

/**
 * Installs the pass-through transform on `sender` and calls `onFrame(rtpTimestamp, at)`
 * for each encoded frame (`at`: ms on this page's `performance.now()` clock). Returns
 * a function that removes it and stops the worker; safe to call twice.
 *
 * @throws DOMException when the page's Content-Security-Policy forbids blob: workers.
 */
export function tapSenderFrames(sender: RTCRtpSender, onFrame: (rtpTimestamp: number, at: number) => void): () => void {
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  let worker: Worker;
  try {
    worker = new Worker(url);
  } finally {
    URL.revokeObjectURL(url);
  }
  const channel = new MessageChannel();
  channel.port1.onmessage = (event: MessageEvent<[number, number]>) => {
    const [rtpTimestamp, epochMs] = event.data;
    onFrame(rtpTimestamp, epochMs - performance.timeOrigin);
  };
  sender.transform = new RTCRtpScriptTransform(worker, { port: channel.port2 }, [channel.port2]);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    channel.port1.onmessage = null;
    channel.port1.close();
    try {
      sender.transform = null;
    } catch {
      // the connection is closed already
    }
    worker.terminate();
  };
}

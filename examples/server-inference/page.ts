/**
 * The page of the server-inference example: opens the camera, sends it to the
 * inference server and draws the detections that come back over the video.
 */
import { CameraSource, InferenceClient, Overlay } from '@vidai/browser';

declare const VIDAI_CONFIG: { token: string };

const video = document.querySelector('video')!;
const status = document.querySelector('#status')!;
const facing = new URLSearchParams(location.search).get('camera') === 'back' ? 'environment' : 'user';

async function main(): Promise<void> {
  const camera = await CameraSource.open({ facingMode: facing, width: 640, height: 480 });
  video.srcObject = camera.stream;
  await video.play();
  const client = new InferenceClient(camera.stream, { url: location.origin, token: VIDAI_CONFIG.token });
  // Exact pairing where the browser has RTCRtpScriptTransform: each result names its frame by
  // RTP timestamp and is drawn by that frame's capture time; elsewhere, results are drawn on arrival.
  const clock = client.frameClock;
  const overlay = clock
    ? Overlay.attach(video, { mirror: camera.isFrontFacing, sync: 'frame', frameTime: clock.frameTime })
    : Overlay.attach(video, { mirror: camera.isFrontFacing, sync: 'arrival' });
  console.info(`vidai: results paired with frames by ${client.pairing}`);
  let count = 0;
  let lastLatency = '';
  client.on('state', (s) => (status.textContent = s));
  client.on('error', (e) => console.warn(e.code, e.message));
  client.on('detections', ({ message, frameArrivedAt, receivedAt, captureTime }) => {
    count++;
    // Until the pairing is calibrated (the first frames), a result belongs to the frame shown now.
    const timestamp = clock ? (captureTime ?? performance.now()) : message.timestamp;
    overlay.push({ ...message, timestamp });
    const t = message.timings ?? {};
    if (frameArrivedAt !== undefined) {
      lastLatency = `server ${(receivedAt - frameArrivedAt).toFixed(0)} ms (decode ${t.decode?.toFixed(1)}, inference ${t.inference?.toFixed(0)})`;
    }
    status.textContent = `connected, ${count} results, ${message.detections.length} objects, ${lastLatency}`;
  });
  addEventListener('pagehide', () => {
    client.close();
    overlay.close();
    void camera.close();
  });
}

main().catch((e: Error & { code?: string }) => {
  status.textContent = `${e.code ?? 'error'}: ${e.message}`;
});

/**
 * The desktop page: joins a room as the viewer, shows the room's link as a QR code,
 * detects objects in the phone's video with the in-browser detector, draws them and
 * sends them back to the phone.
 */
import QRCode from 'qrcode';
import { BrowserDetector, DetectionLoop, Overlay, PeerLink, VideoElementSource } from '@vidai/browser';
import { showError, tabPeerId } from './page-common.js';

declare const VIDAI_CONFIG: { newRoom: { room: string; token: string }; senderBase: string };

const $ = (id: string) => document.getElementById(id)!;
const video = document.querySelector('video')!;

// The room lives in the URL fragment (never sent to a server), so a reload keeps it.
const hash = new URLSearchParams(location.hash.slice(1));
const room = hash.get('room') ?? VIDAI_CONFIG.newRoom.room;
const token = hash.get('token') ?? VIDAI_CONFIG.newRoom.token;
history.replaceState(null, '', `#room=${encodeURIComponent(room)}&token=${encodeURIComponent(token)}`);
const senderUrl = `${VIDAI_CONFIG.senderBase}/send#room=${encodeURIComponent(room)}&token=${encodeURIComponent(token)}`;
const link = $('sender-link') as HTMLAnchorElement;
link.href = senderUrl;
link.textContent = senderUrl;
await QRCode.toCanvas($('qr') as HTMLCanvasElement, senderUrl, { width: 260, margin: 1, errorCorrectionLevel: 'M' });

// Loading the model and joining the room go on at once.
const detectorReady = BrowserDetector.create({ model: 'yolox-nano', modelBaseUrl: '/models/' });
detectorReady.then(
  (d) => ($('model').textContent = `yolox-nano on ${d.backend.provider} (${d.backend.workers} worker${d.backend.workers > 1 ? 's' : ''})`),
  showError,
);

const peer = new PeerLink({ url: '/signal', room, token, role: 'viewer', peerId: tabPeerId(room) });
peer.on('state', (s) => ($('room-state').textContent = s));
peer.on('peer', (p) => ($('peer-state').textContent = p.state));
peer.on('error', (e) => {
  console.warn(e.code, e.message);
  if (peer.currentState === 'closed') showError(e);
});

const overlay = Overlay.attach(video);
const source = new VideoElementSource(video);
let loop: DetectionLoop | undefined;
let count = 0;
peer.on('track', async ({ stream }) => {
  video.srcObject = stream;
  await video.play().catch(() => {});
  if (loop) return; // the same <video> and loop serve a phone that reconnects
  try {
    loop = DetectionLoop.start({ source, detector: await detectorReady });
  } catch (e) {
    showError(e as Error);
    return;
  }
  loop.on('error', (e) => console.warn(e.code, e.message));
  // A loop that stopped (an error it cannot go on after) is started again by the next track.
  loop.on('end', () => (loop = undefined));
  loop.on('result', (result) => {
    overlay.push(result);
    peer.sendDetections(result);
    count++;
    $('count').textContent = String(count);
    $('labels').textContent = result.detections.map((d) => `${d.label} ${d.score.toFixed(2)}`).join(', ') || '-';
  });
});

setInterval(() => {
  if (!loop) return;
  const s = loop.stats();
  const p50 = s.timings.latency?.p50;
  $('rate').textContent = `${s.fps.toFixed(1)}/s, frame to boxes ${p50 === undefined ? '-' : p50.toFixed(0)} ms (median)`;
}, 1000);

addEventListener('pagehide', () => {
  void loop?.stop();
  peer.close();
  overlay.close();
  void source.close();
  void detectorReady.then((d) => d.close());
});

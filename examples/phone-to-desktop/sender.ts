/**
 * The phone page: opens the camera, publishes it to the room's viewers and draws the
 * boxes they send back over the local preview.
 */
import { CameraSource, Overlay, PeerLink } from '@vidai/browser';
import { showError, tabPeerId } from './page-common.js';

const $ = (id: string) => document.getElementById(id)!;
const video = document.querySelector('video')!;
const hash = new URLSearchParams(location.hash.slice(1));
const room = hash.get('room');
const token = hash.get('token') ?? undefined;

async function main(): Promise<void> {
  if (!room) throw Object.assign(new Error('This page needs a room link: scan the QR code on the desktop page.'), { code: 'no-room' });
  let facing: 'environment' | 'user' = new URLSearchParams(location.search).get('camera') === 'front' ? 'user' : 'environment';
  let camera = await CameraSource.open({ facingMode: facing, width: 1280, height: 720 });
  await camera.attach(video);
  video.classList.toggle('mirror', camera.isFrontFacing);
  const overlay = Overlay.attach(video, { sync: 'arrival', mirror: camera.isFrontFacing, maxAge: 1000 });

  const link = start(camera.stream);
  function start(stream: MediaStream): PeerLink {
    const l = new PeerLink({ url: '/signal', room: room!, token, role: 'sender', stream, peerId: tabPeerId(room!) });
    let count = 0;
    l.on('state', (s) => ($('room-state').textContent = s));
    l.on('peer', () => {
      // A closed connection has already left the link's list.
      const connected = l.peers().filter((x) => x.state === 'connected').length;
      $('viewers').textContent = `${connected} viewer${connected === 1 ? '' : 's'}`;
    });
    l.on('error', (e) => {
      console.warn(e.code, e.message);
      if (l.currentState === 'closed') showError(e);
    });
    l.on('detections', ({ message }) => {
      // Boxes are in the pixels of the frame the viewer received; the overlay scales them to the preview.
      overlay.push(message);
      $('count').textContent = String(++count);
      $('labels').textContent = message.detections.map((d) => d.label).join(', ');
    });
    return l;
  }

  $('flip').addEventListener('click', async () => {
    try {
      facing = facing === 'environment' ? 'user' : 'environment';
      // Phones open one camera at a time: close the old one first.
      await camera.close();
      camera = await CameraSource.open({ facingMode: facing, width: 1280, height: 720 });
      await camera.attach(video);
      video.classList.toggle('mirror', camera.isFrontFacing);
      overlay.mirror = camera.isFrontFacing;
      overlay.clear();
      await link.replaceStream(camera.stream);
    } catch (e) {
      showError(e as Error);
    }
  });
  addEventListener('pagehide', () => {
    link.close();
    overlay.close();
    void camera.close();
  });
}

main().catch(showError);

// Camera -> latest-frame-wins detection loop -> overlay, with live readouts.
import { BrowserDetector, CameraSource, DetectionLoop, Overlay, VideoElementSource } from '@vidai/browser';

const $ = (id) => document.getElementById(id);
const video = $('video');
const ms = (v) => (v === undefined ? '-' : `${v.toFixed(0)} ms`);

function showError(err) {
  $('status').textContent = `${err.code ?? err.name}: ${err.message}`;
  $('status').className = 'error';
  console.error(err);
}

let camera;
let source;
let overlay;

/** Opens (or reopens) the camera and wires the source and overlay to it. */
async function openCamera(facingMode) {
  await source?.close();
  overlay?.close();
  await camera?.close();
  camera = await CameraSource.open({ facingMode, width: 1280, height: 720, frameRate: 30 });
  await camera.attach(video);
  const s = camera.settings;
  video.classList.toggle('mirror', camera.isFrontFacing);
  // Boxes stay up to 1.5 s (slow CPUs), then fade.
  overlay = Overlay.attach(video, { mirror: camera.isFrontFacing, maxAge: 1500 });
  source = new VideoElementSource(video);
  $('status').textContent = `camera ${s.width}x${s.height} @ ${s.frameRate?.toFixed(0) ?? '?'} fps`;
  return source;
}

try {
  $('status').textContent = 'opening the camera…';
  await openCamera($('facing').value);

  $('status').textContent = 'loading the model…';
  const detector = await BrowserDetector.create({
    model: 'yolox-nano',
    modelBaseUrl: '/models/',
    onProgress(p) {
      if (p.phase === 'download') {
        $('progress').value = p.total ? p.loaded / p.total : 0;
        $('progress-text').textContent = `${(p.loaded / 1e6).toFixed(1)} MB${p.fromCache ? ' (cached)' : ''}`;
      } else {
        $('progress').value = 1;
        $('progress-text').textContent = `${p.phase}${p.provider ? `: ${p.provider}` : ''}`;
      }
    },
  });
  const b = detector.backend;
  $('backend').textContent =
    `${b.provider}${b.wasm ? ` (${b.wasm.threads} thread${b.wasm.threads > 1 ? 's' : ''}, SIMD)` : ''} in a ${b.thread === 'worker' ? 'Worker' : 'main-thread'} session, onnxruntime-web ${b.runtimeVersion}; ${detector.padding} padding`;
  $('why').textContent = [
    ...b.attempts.filter((a) => a.status !== 'used').map((a) => `${a.provider}: ${a.reason}`),
    ...(b.wasm ? [`threads: ${b.wasm.threadsReason}`] : []),
  ].join(' | ');

  $('status').textContent = 'detecting';
  let loop;
  const start = () => {
    loop = DetectionLoop.start({ source, detector, scoreThreshold: Number($('threshold').value) });
    loop.on('result', (result) => {
      overlay.push(result);
      $('objects').textContent = result.detections.map((d) => `${d.label} ${d.score.toFixed(2)}`).join(', ') || 'none';
    });
    loop.on('error', showError);
  };
  start();

  $('threshold').addEventListener('input', (e) => {
    const value = Number(e.target.value);
    $('threshold-value').textContent = value.toFixed(2);
    loop.scoreThreshold = value;
  });
  $('facing').addEventListener('change', async (e) => {
    try {
      await loop.stop();
      await openCamera(e.target.value);
      start();
    } catch (err) {
      showError(err);
    }
  });

  setInterval(() => {
    const s = loop.stats();
    const t = s.timings;
    $('fps').textContent = s.fps.toFixed(1);
    $('latency').textContent = `${ms(t.latency?.p50)} median, ${ms(t.latency?.p95)} p95 (capture to boxes)`;
    $('stages').textContent =
      `read+letterbox ${ms(t.preprocess?.p50)}, inference ${ms(t.inference?.p50)}, decode+NMS ${ms(t.postprocess?.p50)}, transfer ${ms(t.transfer?.p50)}`;
    $('dropped').textContent = `${s.dropped} (detected ${s.detected})`;
  }, 500);

  addEventListener('pagehide', () => {
    void loop.stop();
    overlay.close();
    void source.close();
    void detector.close();
    void camera.close();
  });
} catch (err) {
  showError(err);
}

/**
 * In-browser detection speed, in headless Chromium on this machine: @vidai/browser
 * (Worker, VideoFrame transfer, core letterbox/decode/NMS) against a tutorial-style
 * main-thread loop (canvas, getImageData, per-pixel JS loop, session.run, slice/map
 * decode, O(n^2) NMS), on the same model (YOLOX-Nano) and the same fake-camera source,
 * in the same run. Prints detections per second, per-stage medians, the longest
 * main-thread task ('longtask' entries) and the page's animation frame rate.
 *
 * The host is shared and noisy, so the variants run in interleaved rounds (each round
 * runs every variant once, for `seconds`) and the summary adds up all rounds.
 *
 * Run: npm run bench:browser   (or: node --import tsx bench/browser.bench.ts [seconds-per-run] [rounds])
 * Env: VIDAI_BENCH_VIDEO (default ../shared/videos/degirum-Traffic.mp4), VIDAI_BENCH_CAMERA_FPS
 * (the fake camera's frame rate, default 30 as a webcam: a detector never runs faster
 * than new frames arrive, so a slow camera caps the comparison), VIDAI_MODEL_DIR.
 */
import { bundleBrowser } from '../e2e/helpers/browser-bundle.js';
import { launchChromium } from '../e2e/helpers/chromium.js';
import { serveDetectorApp } from '../e2e/helpers/detector-app.js';
import { makeY4m } from '../e2e/helpers/y4m.js';
import type { BenchReport } from './browser-bench-page.js';
import { sharedPath } from '../test/helpers/shared-data.js';

const seconds = Number(process.argv[2] ?? 6);
const rounds = Number(process.argv[3] ?? 2);
const video = process.env.VIDAI_BENCH_VIDEO ?? sharedPath('videos/degirum-Traffic.mp4');

type Variant = { label: string; run: string; args: Record<string, unknown> };
const variants: Variant[] = [
  { label: 'baseline (ORT default threads)', run: 'runBaseline', args: { wasmPaths: '/app/' } },
  { label: "vidai default (workers 'auto')", run: 'runVidai', args: { resize: 'core' } },
  { label: "vidai default, padding 'full'", run: 'runVidai', args: { resize: 'core', padding: 'full' } },
  { label: 'vidai, 1 worker x 2 threads', run: 'runVidai', args: { resize: 'core', workers: 1 } },
  { label: 'vidai, 1 worker x 1 thread', run: 'runVidai', args: { resize: 'core', workers: 1, numThreads: 1 } },
  { label: "vidai default, resize 'canvas'", run: 'runVidai', args: { resize: 'canvas' } },
];

const cameraFps = Number(process.env.VIDAI_BENCH_CAMERA_FPS ?? 30);
const y4m = await makeY4m(video, { duration: 8, fps: cameraFps });
const bundle = await bundleBrowser({ entries: { 'bench-page': 'bench/browser-bench-page.ts' }, minify: true });
const server = await serveDetectorApp(bundle, { isolated: true, script: '/app/bench-page.js' });
const chromium = await launchChromium({ y4m: y4m.path });
const reports = new Map<string, BenchReport[]>();
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
try {
  console.log(
    `source: ${video} as a ${y4m.width}x${y4m.height} ${cameraFps} fps fake camera; ${rounds} rounds x ${seconds} s per variant; page cross-origin isolated; ` +
      `${(await import('node:os')).cpus().length} CPUs, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const v of variants) {
      const page = await chromium.context.newPage();
      try {
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => 'bench' in globalThis);
        const report = await page.evaluate(
          ({ run, args }) => (globalThis as unknown as { bench: Record<string, (o: unknown) => Promise<BenchReport>> }).bench[run]!(args),
          { run: v.run, args: { ...v.args, durationMs: seconds * 1000 } },
        );
        reports.set(v.label, [...(reports.get(v.label) ?? []), report]);
        const st = Object.entries(report.stages).map(([k, ms]) => `${k} ${ms.toFixed(1)}`).join(', ');
        console.log(
          `\n[round ${round}] ${v.label}  (${report.backend})\n` +
            `  detections/s ${report.fps.toFixed(2)} (${report.detections} in ${seconds} s), objects in the last frame: ${report.objects.join(', ') || '-'}\n` +
            `  stage medians (ms): ${st}\n` +
            `  main thread: longest task ${report.longestTask.toFixed(0)} ms, ${report.longTasks} long tasks, page ${report.pageFps.toFixed(0)} animation frames/s`,
        );
      } finally {
        await page.close();
      }
    }
  }
  const fpsOf = (rs: BenchReport[]) => sum(rs.map((r) => r.detections)) / (rs.length * seconds);
  const base = fpsOf(reports.get(variants[0]!.label)!);
  console.log(`\nsummary over ${rounds} rounds (detections/s = all detections / all measured time)`);
  for (const v of variants) {
    const rs = reports.get(v.label)!;
    const fps = fpsOf(rs);
    const stage = (k: string) => med(rs.map((r) => r.stages[k] ?? NaN));
    const pre = v.run === 'runBaseline' ? stage('draw') + stage('getImageData') + stage('pixelLoop') : stage('preprocess');
    const post = v.run === 'runBaseline' ? stage('decodeNms') : stage('postprocess');
    console.log(
      `  ${v.label.padEnd(32)} ${fps.toFixed(2).padStart(6)} det/s  x${(fps / base).toFixed(2)}  ` +
        `pre ${pre.toFixed(1).padStart(5)} ms, inference ${stage('inference').toFixed(0).padStart(4)} ms, post ${post.toFixed(1).padStart(5)} ms  ` +
        `longest main-thread task ${Math.max(...rs.map((r) => r.longestTask)).toFixed(0).padStart(5)} ms  page ${med(rs.map((r) => r.pageFps)).toFixed(0)} fps`,
    );
  }
} finally {
  await chromium.close();
  await server.close();
  await bundle.remove();
  await y4m.remove();
}

/**
 * How close detections stay when ffmpeg's scaler does the letterbox's resize
 * (`FfmpegSource` with `fitWithin`) instead of the JS bilinear kernel (OpenCV
 * `INTER_LINEAR`), per swscale flag set, on the shared videos.
 *
 * For every frame of each video: YOLOX-Nano on the full-size frame (the JS path) and on
 * the frame ffmpeg scaled to the letterbox's content size with each flag set. Detections
 * are paired greedily by IoU (same class, IoU >= 0.5, best first); reported per flag set:
 * the share of detections paired, frames whose count agrees, mean |score diff| and the
 * box-coordinate differences of the pairs in source pixels (mean, p99, max).
 *
 * A flag set written `js:<flags>` runs the JS path again with ffmpeg's conversion to rgb
 * done with those flags: how far detections move when pixels change by a rounding step.
 *
 * With --coco, also the COCO mAP on coco128 (score 0.001, NMS IoU 0.65) of the JS path
 * and of each flag set: whether ffmpeg's resize changes accuracy, not only detections.
 *
 * Run: npx tsx bench/ffmpeg-resize-agreement.bench.ts [--frames 400] [--flags area,bilinear,js:accurate_rnd] [--coco]
 */
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import {
  evaluateCoco,
  getCatalogModel,
  letterboxTransform,
  type CocoDetection,
  type CocoJson,
  type Detection,
  type Frame,
} from '../packages/core/src/index.js';
import { createNodeDetector, probe, readImage } from '../packages/node/src/index.js';
import { compareDetections } from '../packages/node/test/helpers/comparisons.js';
import { percentile } from './stats.js';
import { sharedDir } from '../test/helpers/shared-data.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '400' },
    shared: { type: 'string', default: sharedDir },
    videos: { type: 'string', default: 'intel-car-detection.mp4,degirum-Traffic.mp4' },
    coco: { type: 'boolean', default: false },
    flags: {
      type: 'string',
      default: [
        'fast_bilinear',
        'fast_bilinear+accurate_rnd+full_chroma_int',
        'bilinear',
        'bilinear+accurate_rnd+full_chroma_int',
        'area',
        'area+accurate_rnd+full_chroma_int',
        'bicubic',
      ].join(','),
    },
  },
});
const FRAMES = Number(values.frames);
const SHARED = values.shared!;
process.env.VIDAI_MODEL_DIR ??= `${SHARED}/models`;

const model = getCatalogModel('yolox-nano');
const fit = { size: model.inputSize, ...model.preprocess };
const { detector } = await createNodeDetector({ model: 'yolox-nano', intraOpNumThreads: 1, onProgress: null });

/** Whole rgb24 frames from an ffmpeg child reading `video` through the filter `vf`. */
async function* rawFrames(video: string, vf: string, frameBytes: number): AsyncGenerator<Uint8Array> {
  const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', '-i', video, '-map', '0:v:0', '-frames:v', String(FRAMES), '-vf', vf, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        yield new Uint8Array(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
      }
    }
  } finally {
    child.kill();
  }
}

async function detectAll(video: string, vf: string, width: number, height: number, display?: { width: number; height: number }): Promise<Detection[][]> {
  const results: Detection[][] = [];
  let seq = 0;
  for await (const data of rawFrames(video, vf, width * height * 3)) {
    const frame: Frame = { data, width, height, format: 'rgb', timestamp: 0, seq: seq++ };
    if (display) Object.assign(frame, { displayWidth: display.width, displayHeight: display.height });
    results.push((await detector.detect(frame)).detections);
  }
  return results;
}


const mean = (v: readonly number[]) => (v.length === 0 ? 0 : v.reduce((s, x) => s + x, 0) / v.length);

for (const name of values.videos!.split(',').filter((v) => v.length > 0)) {
  const video = `${SHARED}/videos/${name}`;
  const info = await probe(video);
  const t = letterboxTransform(info.width, info.height, fit);
  const reference = await detectAll(video, `scale=${info.width}:${info.height}`, info.width, info.height);
  const detections = reference.reduce((s, d) => s + d.length, 0);
  console.log(
    `\n${name} ${info.width}x${info.height} -> ${t.contentWidth}x${t.contentHeight}: ${reference.length} frames, ${detections} detections on the JS path`,
  );
  console.log('flags                                        paired  count-agree  |score| mean  coord mean    p99     max  unpaired max score');
  for (const flags of values.flags!.split(',')) {
    // 'js:<flags>': the JS path again, ffmpeg's conversion to rgb done with other flags (the noise floor).
    const scaled = flags.startsWith('js:')
      ? await detectAll(video, `scale=${info.width}:${info.height}:flags=${flags.slice(3)}`, info.width, info.height)
      : flags.startsWith('rgb:')
        ? await detectAll(video, `format=rgb24,scale=${t.contentWidth}:${t.contentHeight}:flags=${flags.slice(4)}`, t.contentWidth, t.contentHeight, info)
        : await detectAll(video, `scale=${t.contentWidth}:${t.contentHeight}:flags=${flags}`, t.contentWidth, t.contentHeight, info);
    const a = compareDetections(reference, scaled);
    const sorted = [...a.coordDiffs].sort((x, y) => x - y);
    console.log(
      `${flags.padEnd(44)} ${((100 * a.paired) / a.total).toFixed(1).padStart(5)}%  ${((100 * a.countFrames) / a.frames).toFixed(1).padStart(9)}%` +
        `  ${mean(a.scoreDiffs).toFixed(4).padStart(12)}  ${mean(a.coordDiffs).toFixed(2).padStart(9)} ${(sorted.length ? percentile(sorted, 99) : 0).toFixed(2).padStart(6)} ${(sorted.at(-1) ?? 0).toFixed(2).padStart(7)}` +
        `  ${a.unpairedMaxScore.toFixed(3).padStart(8)}`,
    );
  }
}

if (values.coco) {
  const run = promisify(execFile);
  const imagesDir = `${SHARED}/coco128/images`;
  const gt = JSON.parse(await readFile(`${SHARED}/coco128/annotations/instances_train2017.json`, 'utf8')) as CocoJson;
  const imageIds = new Map(gt.images.map((im) => [im.file_name, im.id]));
  const files = (await readdir(imagesDir)).filter((f) => imageIds.has(f)).sort();
  const categoryByName = new Map(gt.categories.map((c) => [c.name, c.id]));
  const mapDetector = (
    await createNodeDetector({ model: 'yolox-nano', intraOpNumThreads: 1, onProgress: null, scoreThreshold: 0.001, iouThreshold: 0.65, maxDetections: 1000, topK: 100_000 })
  ).detector;
  console.log('\ncoco128 (128 images), COCO mAP        AP@0.5:0.95  AP@0.5');
  for (const flags of ['js', ...values.flags!.split(',').filter((f) => !f.includes(':'))]) {
    const detections: CocoDetection[] = [];
    for (const file of files) {
      const path = `${imagesDir}/${file}`;
      let frame = await readImage(path);
      if (flags !== 'js') {
        const t = letterboxTransform(frame.width, frame.height, fit);
        const { stdout } = await run(
          'ffmpeg',
          ['-v', 'error', '-nostdin', '-i', path, '-vf', `scale=${t.contentWidth}:${t.contentHeight}:flags=${flags}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'],
          { encoding: 'buffer', maxBuffer: 64 << 20 },
        );
        frame = { ...frame, data: new Uint8Array(stdout), width: t.contentWidth, height: t.contentHeight, displayWidth: frame.width, displayHeight: frame.height };
      }
      for (const d of (await mapDetector.detect(frame)).detections) {
        const [x1, y1, x2, y2] = d.box;
        const category = categoryByName.get(mapDetector.labels[d.classId]!)!;
        detections.push({ image_id: imageIds.get(file)!, category_id: category, bbox: [x1, y1, x2 - x1, y2 - y1], score: d.score });
      }
    }
    const { stats } = evaluateCoco(gt, detections);
    console.log(`${(flags === 'js' ? 'JS path (full-size frame)' : flags).padEnd(44)} ${stats.ap.toFixed(4)}      ${stats.ap50.toFixed(4)}`);
  }
  await mapDetector.close();
}
await detector.close();

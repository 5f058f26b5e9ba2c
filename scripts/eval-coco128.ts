/**
 * COCO mAP of a vidai Node detector on coco128 (128 COCO train2017 images with their
 * official annotations), scored with vidai's pycocotools-faithful `evaluateCoco`.
 *
 *   npx tsx scripts/eval-coco128.ts [--model yolox-nano] [--threads 2] [--padding auto|full|minimal] [--json out.json]
 *
 * Detection settings follow YOLOX's own COCO evaluation (`tools/eval.py --conf 0.001`,
 * NMS IoU 0.65, class-aware, one class per box) with no cap below what COCOeval keeps:
 * every candidate enters NMS and up to 1000 boxes per image are kept.
 * Paths default to ../shared (override with VIDAI_SHARED_DIR).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createNodeDetector, evaluateCoco, formatCocoStats, readImage, type CocoDetection, type CocoEvalResult, type CocoJson, type Frame } from '../packages/node/src/index.js';

const SHARED = process.env.VIDAI_SHARED_DIR ?? join(import.meta.dirname, '../../shared');
/** Images decoded ahead of the one being detected. */
const DECODE_AHEAD = 3;

/** Options of {@link evaluateCoco128}. */
export interface Coco128EvalOptions {
  /** Catalog id or model path. Default `'yolox-nano'`. */
  model?: string;
  /** Folder of catalog models. Default: `<shared>/models`. */
  cacheDir?: string;
  /** Folder of the images. Default: `<shared>/coco128/images`. */
  imagesDir?: string;
  /** COCO instances JSON for those images. Default: `<shared>/coco128/annotations/instances_train2017.json`. */
  annotations?: string;
  /** onnxruntime intra-op threads. Default: onnxruntime's. */
  intraOpNumThreads?: number;
  /** Minimum score kept, 0..1. Default 0.001 (the usual setting for mAP). */
  scoreThreshold?: number;
  /** NMS IoU threshold, 0..1. Default 0.65 (YOLOX's evaluation setting). */
  iouThreshold?: number;
  /** At most this many boxes per image. Default 1000. */
  maxDetections?: number;
  /** Letterbox padding (see `YoloDetectorOptions.padding`). Default: the detector's (`'auto'`). */
  padding?: 'auto' | 'full' | 'minimal';
}

/** What {@link evaluateCoco128} measured. */
export interface Coco128EvalReport extends CocoEvalResult {
  /** Images run through the detector. */
  images: number;
  /** Detections handed to the evaluation. */
  detections: CocoDetection[];
  /** Execution provider used. */
  executionProvider: string;
  /** Padding in effect. */
  padding: 'full' | 'minimal';
}

/** Runs the detector on every coco128 image and evaluates the detections COCO-style. */
export async function evaluateCoco128(options: Coco128EvalOptions = {}): Promise<Coco128EvalReport> {
  const imagesDir = options.imagesDir ?? join(SHARED, 'coco128', 'images');
  const gt = JSON.parse(await readFile(options.annotations ?? join(SHARED, 'coco128', 'annotations', 'instances_train2017.json'), 'utf8')) as CocoJson;
  const imageIds = new Map(gt.images.map((im) => [im.file_name, im.id]));
  const files = (await readdir(imagesDir)).filter((f) => imageIds.has(f)).sort();

  const { detector, executionProvider } = await createNodeDetector({
    model: options.model ?? 'yolox-nano',
    cacheDir: options.cacheDir ?? join(SHARED, 'models'),
    scoreThreshold: options.scoreThreshold ?? 0.001,
    iouThreshold: options.iouThreshold ?? 0.65,
    maxDetections: options.maxDetections ?? 1000,
    topK: 100_000,
    ...(options.padding !== undefined ? { padding: options.padding } : {}),
    ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
  });
  try {
    // The model's class ids index its labels; COCO category ids are not 0..79 (1..90 with gaps).
    const categoryByName = new Map(gt.categories.map((c) => [c.name, c.id]));
    const categoryOf = detector.labels.map((label) => {
      const id = categoryByName.get(label);
      if (id === undefined) throw new Error(`model label '${label}' is not a category of the annotations`);
      return id;
    });

    const detections: CocoDetection[] = [];
    // Decode a few images ahead (one ffmpeg run each) while the detector works.
    const reads = new Map<number, Promise<Frame>>();
    const read = (i: number) => {
      if (i >= files.length || reads.has(i)) return;
      const frame = readImage(join(imagesDir, files[i]!));
      frame.catch(() => undefined); // reported when awaited; not an unhandled rejection if detection stops first
      reads.set(i, frame);
    };
    for (let i = 0; i < files.length; i++) {
      for (let ahead = 0; ahead <= DECODE_AHEAD; ahead++) read(i + ahead);
      const frame = await reads.get(i)!;
      reads.delete(i);
      const result = await detector.detect(frame);
      const imageId = imageIds.get(files[i]!)!;
      for (const d of result.detections) {
        const [x1, y1, x2, y2] = d.box;
        detections.push({ image_id: imageId, category_id: categoryOf[d.classId]!, bbox: [x1, y1, x2 - x1, y2 - y1], score: d.score });
      }
    }
    return { ...evaluateCoco(gt, detections), images: files.length, detections, executionProvider, padding: detector.padding };
  } finally {
    await detector.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'string' },
      padding: { type: 'string' },
    },
  });
  const started = performance.now();
  const report = await evaluateCoco128({
    ...(values.model ? { model: values.model } : {}),
    ...(values.threads ? { intraOpNumThreads: Number(values.threads) } : {}),
    ...(values.padding ? { padding: values.padding as Coco128EvalOptions['padding'] } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`${report.images} images, ${report.detections.length} detections, ${report.executionProvider}, padding ${report.padding}, ${seconds.toFixed(1)} s`);
  console.log(formatCocoStats(report.stats));
  console.log(`AP ${report.stats.ap.toFixed(4)} AP50 ${report.stats.ap50.toFixed(4)}`);
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify(report.detections)}\n`);
    console.log(`detections written to ${values.json}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

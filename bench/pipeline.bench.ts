/**
 * What vidai costs next to the model (`npm run bench`).
 *
 * YOLOX-Nano on onnxruntime-node with one intra-op and one inter-op thread, run as the
 * Node detector runs it: the catalog model with minimal padding, so a 1280x720 frame
 * becomes a 416x256 tensor (the 416x416 of padding 'full' is shown beside it).
 *
 *   1. Per stage on one 1280x720 frame: the letterbox of the full-size frame (vidai's
 *      bilinear resize in JS), the letterbox of the same picture as ffmpeg's scaler
 *      delivers it with `fitWithin` (416x234 planar gbrp, the CLI's default for videos:
 *      only padding and the float conversion are left), decode, NMS, raw `session.run`
 *      on the detector's own tensor (a session on the same dynamic-input model), and
 *      `detector.detect()` end to end. Then the share of `session.run` that is not the
 *      model, for both resize paths.
 *   2. Throughput on a 1280x720 video: raw `session.run` on the same tensor next to the
 *      pipeline (FfmpegSource -> pipeline 'all' mode -> detector) with ffmpeg resizing
 *      and with JS resizing full-size frames, the detector on the main thread and in a
 *      worker thread (`WorkerDetector`), in interleaved rounds. This includes ffmpeg's
 *      decoding, which shares the machine's cores with the model.
 *
 * Prints median and p95 per stage. Target: everything that is not the model costs at
 * most 5% of the model's time.
 *
 * Run: npm run bench [-- --frames 150 --runs 60]
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import {
  DetectionCandidates,
  createPipeline,
  decodeYolox,
  fromFrames,
  letterbox,
  letterboxTransform,
  nonMaxSuppression,
  withDynamicInputSize,
  type Detector,
  type Frame,
  type LetterboxOptions,
} from '../packages/core/src/index.js';
import { FfmpegSource, WorkerDetector, createNodeDetector, type FfmpegSourceOptions } from '../packages/node/src/index.js';
import { summarize, formatRow, timeSync, timeAsync, type TimingSummary } from './stats.js';
import { sharedDir } from '../test/helpers/shared-data.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '150' },
    runs: { type: 'string', default: '60' },
    shared: { type: 'string', default: sharedDir },
  },
});
const FRAMES = Number(values.frames);
const RUNS = Number(values.runs);
const SHARED = values.shared!;
process.env.VIDAI_MODEL_DIR ??= `${SHARED}/models`;
const VIDEO_720P = `${SHARED}/videos/imageio-cockatoo.mp4`;
/** The per-stage frame: a street with cars and trucks (960x540, upscaled to 1280x720 so NMS has work). */
const STREET = `${SHARED}/videos/degirum-Traffic.mp4`;

const { detector, executionProvider, modelPath } = await createNodeDetector({ model: 'yolox-nano', intraOpNumThreads: 1, onProgress: null });
const fit: LetterboxOptions = { size: detector.inputSize, ...detector.preprocess };
const sessionOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'] };
// Bare sessions for the raw numbers: the dynamic-input model the detector loads, and the file as it is.
const session = await ort.InferenceSession.create(withDynamicInputSize(new Uint8Array(await readFile(modelPath))).model, sessionOptions);
const squareSession = await ort.InferenceSession.create(modelPath, sessionOptions);
console.log(
  `YOLOX-Nano on ${executionProvider}, 1 intra-op thread, padding ${detector.padding} (input bound ${fit.size && JSON.stringify(fit.size)}); node ${process.version}\n`,
);

/** One 720p picture, as full-size rgb and as ffmpeg's `fitWithin` scaler delivers it. */
function frames720p(): { full: Frame; scaled: Frame } {
  const grab = (vf: string, pixFmt: string) =>
    new Uint8Array(
      execFileSync('ffmpeg', ['-v', 'error', '-ss', '3', '-i', STREET, '-frames:v', '1', '-vf', vf, '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'], {
        maxBuffer: 64 << 20,
      }),
    );
  const { contentWidth: width, contentHeight: height } = letterboxTransform(1280, 720, fit);
  return {
    full: { data: grab('scale=1280:720', 'rgb24'), width: 1280, height: 720, format: 'rgb', timestamp: 0, seq: 0 },
    scaled: {
      data: grab(`scale=1280:720,scale=${width}:${height}:flags=area+accurate_rnd+full_chroma_int`, 'gbrp'),
      width,
      height,
      displayWidth: 1280,
      displayHeight: 720,
      format: 'gbrp',
      timestamp: 0,
      seq: 0,
    },
  };
}

// 1. Per stage on a 720p frame.
const { full, scaled } = frames720p();
let tensorOut: Float32Array | undefined;
const input = letterbox(full, fit);
const tensorLabel = `${input.dims[3]}x${input.dims[2]}`;
const square = letterbox(full, { ...fit, padMultiple: undefined });
const run = (s: ort.InferenceSession, t: { tensor: Float32Array; dims: readonly number[] }) => {
  const feeds = { [s.inputNames[0]!]: new ort.Tensor('float32', t.tensor, t.dims) };
  return () => s.run(feeds);
};
let output: ort.Tensor | undefined;
const runMatched = run(session, input);
const candidates = new DetectionCandidates();
const rows = {
  letterboxFull: summarize(`letterbox 1280x720 rgb -> ${tensorLabel}`, timeSync(RUNS * 5, () => void (tensorOut = letterbox(full, fit, tensorOut).tensor))),
  letterboxScaled: summarize(
    `letterbox ffmpeg-scaled ${scaled.width}x${scaled.height} gbrp -> ${tensorLabel}`,
    timeSync(RUNS * 5, () => void (tensorOut = letterbox(scaled, fit, tensorOut).tensor)),
  ),
  run: summarize(`session.run (raw, ${tensorLabel})`, await timeAsync(RUNS, async () => void (output = (await runMatched())[session.outputNames[0]!]))),
  runSquare: summarize('session.run (raw, 416x416: padding full)', await timeAsync(RUNS, async () => void (await run(squareSession, square)()))),
} as Record<string, TimingSummary>;
const out = output!.data as Float32Array;
rows.decode = summarize(
  `decode (YOLOX grid, ${output!.dims[1]} anchors)`,
  timeSync(RUNS * 20, () => void decodeYolox(out, output!.dims, { inputWidth: input.dims[3], inputHeight: input.dims[2], scoreThreshold: 0.25 }, candidates)),
);
rows.nms = summarize(`NMS (${candidates.count} candidates)`, timeSync(RUNS * 20, () => void nonMaxSuppression(candidates, { iouThreshold: 0.45 })));
rows.detect = summarize('detector.detect(), ffmpeg-scaled frame', await timeAsync(RUNS, async () => void (await detector.detect(scaled))));

console.log('per stage, one 1280x720 frame                          median ms     p95 ms');
for (const row of Object.values(rows)) console.log(formatRow({ ...row, label: row.label.padEnd(52) }));
const model = rows.run!.median;
const share = (letterboxMs: number) => {
  const ms = letterboxMs + rows.decode!.median + rows.nms!.median;
  return `${ms.toFixed(3)} ms = ${((100 * ms) / model).toFixed(1)}% of session.run`;
};
console.log(
  `\nnot the model (letterbox + decode + NMS), per frame:` +
    `\n  frames resized by ffmpeg (CLI default for videos):  ${share(rows.letterboxScaled!.median)}` +
    `\n  full-size frames resized in JS:                      ${share(rows.letterboxFull!.median)}` +
    `\ndetect() over raw session.run (medians): ${(rows.detect!.median - model).toFixed(3)} ms = ${((100 * (rows.detect!.median - model)) / model).toFixed(1)}%` +
    `\nminimal padding: session.run ${model.toFixed(2)} ms vs ${rows.runSquare!.median.toFixed(2)} ms for 416x416 (x${(rows.runSquare!.median / model).toFixed(2)})`,
);

// 2. Throughput on a 720p video: the whole pipeline vs session.run alone, same process.
const workerDetector = await WorkerDetector.create({ model: 'yolox-nano', workers: 1, intraOpNumThreads: 1, onProgress: null });
/**
 * Steady-state rate of the pipeline: frames per second from the first result to the
 * last (start-up, i.e. ffprobe, spawning ffmpeg and the first decode, is reported apart).
 */
async function pipelineFps(
  d: Detector,
  options: Partial<FfmpegSourceOptions> | 'decoded',
): Promise<{ fps: number; startupMs: number; inference: number[] }> {
  let count = 0;
  let first = 0;
  const inference: number[] = [];
  const source = options === 'decoded' ? fromFrames(decoded) : new FfmpegSource({ input: VIDEO_720P, ...options });
  const pipeline = createPipeline({ source, detector: d, mode: 'all' });
  const t0 = performance.now();
  for await (const result of pipeline) {
    if (count++ === 0) first = performance.now();
    else inference.push(result.timings.inference);
    if (count >= FRAMES + 1) break;
  }
  const elapsed = performance.now() - first;
  await pipeline.close();
  return { fps: ((count - 1) * 1000) / elapsed, startupMs: first - t0, inference };
}
async function rawFps(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < FRAMES; i++) await runMatched();
  return (FRAMES * 1000) / (performance.now() - t0);
}
/** The video's first frames as `fitWithin` delivers them, decoded beforehand: the pipeline without ffmpeg running beside it. */
const decoded: Frame[] = [];
for await (const frame of new FfmpegSource({ input: VIDEO_720P, fitWithin: fit })) {
  decoded.push(frame);
  if (decoded.length > FRAMES) break;
}
const variants: Array<{ label: string; detector: Detector; options: Partial<FfmpegSourceOptions> | 'decoded' }> = [
  { label: 'frames decoded beforehand (vidai alone), main', detector, options: 'decoded' },
  { label: 'ffmpeg resize, main thread', detector, options: { fitWithin: fit } },
  { label: 'ffmpeg resize, WorkerDetector', detector: workerDetector, options: { fitWithin: fit } },
  { label: 'ffmpeg resize, 1 decoder thread, main', detector, options: { fitWithin: fit, inputOptions: ['-threads', '1'] } },
  { label: 'JS resize of full frames, main thread', detector, options: {} },
  { label: 'JS resize of full frames, WorkerDetector', detector: workerDetector, options: {} },
];
// Interleaved rounds spread the machine's noise over all of them.
const raw: number[] = [];
const fps = new Map<string, number[]>(variants.map((v) => [v.label, []]));
const inferenceMs = new Map<string, number[]>(variants.map((v) => [v.label, []]));
const startups: number[] = [];
for (let round = 0; round < 2; round++) {
  raw.push(await rawFps());
  for (const v of variants) {
    const r = await pipelineFps(v.detector, v.options);
    fps.get(v.label)!.push(r.fps);
    inferenceMs.get(v.label)!.push(...r.inference);
    startups.push(r.startupMs);
  }
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const rawMean = mean(raw);
const line = (label: string, v: number[], inference?: number[]) =>
  `\n  ${label.padEnd(56)} ${mean(v).toFixed(1).padStart(6)} /s  (${v.map((x) => x.toFixed(1)).join(', ')})` +
  (inference
    ? `  ratio ${(mean(v) / rawMean).toFixed(3)}: ${(1000 / mean(v)).toFixed(1)} ms a frame, the model ${summarize('', inference).median.toFixed(1)} ms of it (median)`
    : `  ${(1000 / rawMean).toFixed(1)} ms a run`);
console.log(
  `\nthroughput on ${VIDEO_720P.split('/').pop()} (1280x720, ${FRAMES} frames per round, 2 rounds interleaved; model input ${tensorLabel})` +
    line(`raw session.run (${tensorLabel})`, raw) +
    variants.map((v) => line(`pipeline, ${v.label}`, fps.get(v.label)!, inferenceMs.get(v.label)!)).join('') +
    `\n  pipeline start-up (probe, ffmpeg, first result), not counted above: median ${summarize('', startups).median.toFixed(0)} ms` +
    `\n  (ffmpeg decodes and scales this video with about 4.5 ms of CPU a frame, on the same cores as the model;` +
    `\n  the first pipeline row has no ffmpeg running: its frames were decoded before the clock started)`,
);

await workerDetector.close();
await detector.close();
await session.release();
await squareSession.release();

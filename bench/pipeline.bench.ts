/**
 * What vidai costs next to the model (`npm run bench`).
 *
 * On one core (onnxruntime with one intra-op and one inter-op thread), YOLOX-Nano at 416:
 *   1. per stage on a 1280x720 frame: letterbox, raw `session.run`, decode, NMS, and the
 *      whole `detector.detect()`;
 *   2. throughput: the pipeline (FfmpegSource -> pipeline 'all' mode -> detector) on a
 *      shared video, next to raw `session.run` throughput measured in the same run, with
 *      the detector on the main thread and in a worker thread (`WorkerDetector`, one
 *      worker, one intra-op thread): onnxruntime-node's `session.run` blocks the thread it
 *      runs on, so on the main thread ffmpeg's pipe is not read while the model runs.
 *   3. with ffmpeg's scaler doing the resize (`FfmpegSource` `fitWithin`, the CLI's
 *      default for videos): in 1, the letterbox of the 720p frame ffmpeg already scaled
 *      to 416x234 ("letterbox ffmpeg"); then both letterboxes into the tensor the
 *      detector really builds (416x256 with minimal padding) next to raw `session.run`
 *      on that tensor; last, pipeline throughput on a 720p video with full-size frames
 *      and with `fitWithin`, against raw `session.run` on the same tensor.
 * Prints median and p95 per stage and the share of the model's time that is not the model.
 * Target: everything that is not the model costs at most 5% of the model's time.
 *
 * Run: npm run bench [-- --frames 150]
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import {
  DetectionCandidates,
  createPipeline,
  decodeYolox,
  getCatalogModel,
  letterbox,
  letterboxTransform,
  nonMaxSuppression,
  withDynamicInputSize,
  type Detector,
  type Frame,
} from '../packages/core/src/index.js';
import { FfmpegSource, WorkerDetector, createNodeDetector, type FfmpegSourceOptions } from '../packages/node/src/index.js';
import { summarize, formatRow, timeSync, timeAsync } from './stats.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '150' },
    runs: { type: 'string', default: '60' },
    shared: { type: 'string', default: process.env.VIDAI_SHARED_DIR ?? '../shared' },
  },
});
const FRAMES = Number(values.frames);
const RUNS = Number(values.runs);
const SHARED = values.shared!;
process.env.VIDAI_MODEL_DIR ??= `${SHARED}/models`;

const model = getCatalogModel('yolox-nano');
const size = model.inputSize;

function frame720p(): Frame {
  const bytes = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-ss', '3', '-i', `${SHARED}/videos/degirum-Traffic.mp4`, '-frames:v', '1', '-vf', 'scale=1280:720', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { maxBuffer: 64 << 20 },
  );
  return { data: new Uint8Array(bytes), width: 1280, height: 720, format: 'rgb', timestamp: 0, seq: 0 };
}

/** The same 720p picture as ffmpeg's scaler delivers it with `fitWithin` (416x234, display size 1280x720). */
function frame720pScaled(): Frame {
  const { contentWidth: width, contentHeight: height } = letterboxTransform(1280, 720, { size, ...model.preprocess });
  const bytes = execFileSync(
    'ffmpeg',
    [
      '-v', 'error', '-ss', '3', '-i', `${SHARED}/videos/degirum-Traffic.mp4`, '-frames:v', '1',
      '-vf', `scale=1280:720,scale=${width}:${height}:flags=area+accurate_rnd+full_chroma_int`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-',
    ],
    { maxBuffer: 64 << 20 },
  );
  return { data: new Uint8Array(bytes), width, height, displayWidth: 1280, displayHeight: 720, format: 'rgb', timestamp: 0, seq: 0 };
}

const { detector, executionProvider, modelPath } = await createNodeDetector({
  model: 'yolox-nano',
  intraOpNumThreads: 1,
  onProgress: null,
});
// A second, bare session on the same file with the same settings for the raw numbers.
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionProviders: ['cpu'],
});
console.log(`YOLOX-Nano ${size.width}x${size.height} on ${executionProvider}, 1 intra-op thread; node ${process.version}\n`);

// 1. Per stage on a 720p frame.
const frame = frame720p();
const preprocess = model.preprocess;
let tensorOut: Float32Array | undefined;
const lb = letterbox(frame, { size, ...preprocess });
const letterboxTimes = timeSync(RUNS * 5, () => {
  tensorOut = letterbox(frame, { size, ...preprocess }, tensorOut).tensor;
});
const scaledFrame = frame720pScaled();
const scaledLetterboxTimes = timeSync(RUNS * 5, () => {
  tensorOut = letterbox(scaledFrame, { size, ...preprocess }, tensorOut).tensor;
});
const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', lb.tensor, lb.dims) };
let output: ort.Tensor | undefined;
const runTimes = await timeAsync(RUNS, async () => {
  output = (await session.run(feeds))[session.outputNames[0]!];
});
const out = output!.data as Float32Array;
const candidates = new DetectionCandidates();
const decodeTimes = timeSync(RUNS * 20, () => {
  decodeYolox(out, output!.dims, { inputWidth: size.width, inputHeight: size.height, scoreThreshold: 0.25 }, candidates);
});
const nmsTimes = timeSync(RUNS * 20, () => {
  nonMaxSuppression(candidates, { iouThreshold: 0.45 });
});
const detectTimes = await timeAsync(RUNS, async () => {
  await detector.detect(frame);
});

const rows = [
  summarize('letterbox 1280x720 rgb -> 416', letterboxTimes),
  summarize('decode (YOLOX grid, 3549 anchors)', decodeTimes),
  summarize(`NMS (${candidates.count} candidates)`, nmsTimes),
  summarize('session.run (raw)', runTimes),
  summarize('detector.detect() end to end', detectTimes),
  summarize(`letterbox ffmpeg ${scaledFrame.width}x${scaledFrame.height} -> ${size.width}`, scaledLetterboxTimes),
];
console.log('per stage, 720p frame              median ms     p95 ms');
for (const row of rows) console.log(formatRow(row));
const [letterboxStats, decodeStats, nmsStats, runStats, detectStats, scaledLetterboxStats] = rows;
const nonModel = letterboxStats!.median + decodeStats!.median + nmsStats!.median;
const nonModelScaled = scaledLetterboxStats!.median + decodeStats!.median + nmsStats!.median;
console.log(
  `\nnot the model (letterbox + decode + NMS): ${nonModel.toFixed(2)} ms = ${((100 * nonModel) / runStats!.median).toFixed(1)}% of session.run` +
    `\nnot the model, frame resized by ffmpeg (fitWithin): ${nonModelScaled.toFixed(2)} ms = ${((100 * nonModelScaled) / runStats!.median).toFixed(1)}% of session.run` +
    `\ndetect() over session.run: ${((100 * (detectStats!.median - runStats!.median)) / runStats!.median).toFixed(1)}% (medians)`,
);

// 1b. The same on the tensor the detector builds (its padding), with and without ffmpeg's resize.
const fit = { size: detector.inputSize, ...detector.preprocess };
// Raw session.run on exactly the tensor the detector builds for a 720p frame (416x256 with
// minimal padding, on a session whose input size is dynamic as the detector's is).
const detectorInput = letterbox(frame, fit);
const matchedSession =
  detector.padding === 'minimal'
    ? await ort.InferenceSession.create(withDynamicInputSize(new Uint8Array(await readFile(modelPath))).model, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionProviders: ['cpu'],
      })
    : session;
const matchedFeeds = { [matchedSession.inputNames[0]!]: new ort.Tensor('float32', detectorInput.tensor, detectorInput.dims) };
const inputLabel = `${detectorInput.dims[3]}x${detectorInput.dims[2]}`;
const matchedRows = [
  summarize(`letterbox 1280x720 -> ${inputLabel}`, timeSync(RUNS * 5, () => void (tensorOut = letterbox(frame, fit, tensorOut).tensor))),
  summarize(`letterbox ffmpeg ${scaledFrame.width}x${scaledFrame.height} -> ${inputLabel}`, timeSync(RUNS * 5, () => void (tensorOut = letterbox(scaledFrame, fit, tensorOut).tensor))),
  summarize(`session.run (raw, ${inputLabel})`, await timeAsync(RUNS, async () => void (await matchedSession.run(matchedFeeds)))),
];
console.log(`\nper stage, 720p frame, the detector's input (${detector.padding} padding)`);
for (const row of matchedRows) console.log(formatRow(row));
const [fullLetterbox, scaledLetterbox, matchedRun] = matchedRows;
const share = (letterboxMs: number) => {
  const ms = letterboxMs + decodeStats!.median + nmsStats!.median;
  return `${ms.toFixed(2)} ms = ${((100 * ms) / matchedRun!.median).toFixed(1)}% of session.run`;
};
console.log(
  `not the model (letterbox + decode + NMS), full-size frame: ${share(fullLetterbox!.median)}` +
    `\nnot the model (letterbox + decode + NMS), frame resized by ffmpeg: ${share(scaledLetterbox!.median)}`,
);

// 2. Throughput on a shared video: the whole pipeline vs session.run alone, same process.
const video = `${SHARED}/videos/intel-car-detection.mp4`;
const workerDetector = await WorkerDetector.create({ model: 'yolox-nano', workers: 1, intraOpNumThreads: 1, onProgress: null });
/**
 * Steady-state rate of the pipeline: frames per second from the first result to the
 * last (start-up, i.e. ffprobe, spawning ffmpeg and the first decode, is reported apart).
 */
async function pipelineFps(d: Detector, options: Partial<FfmpegSourceOptions> = {}): Promise<{ fps: number; startupMs: number }> {
  let frames = 0;
  let first = 0;
  const source = new FfmpegSource({ input: video, ...options });
  const pipeline = createPipeline({ source, detector: d, mode: 'all' });
  const t0 = performance.now();
  for await (const _ of pipeline) {
    if (frames++ === 0) first = performance.now();
    if (frames >= FRAMES + 1) break;
  }
  const elapsed = performance.now() - first;
  await pipeline.close();
  return { fps: ((frames - 1) * 1000) / elapsed, startupMs: first - t0 };
}
async function rawFps(s = session, f = feeds): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < FRAMES; i++) await s.run(f);
  return (FRAMES * 1000) / (performance.now() - t0);
}
// Interleaved rounds spread the machine's noise over the three.
const rounds = { raw: [] as number[], main: [] as number[], worker: [] as number[] };
const startups: number[] = [];
for (let round = 0; round < 2; round++) {
  rounds.raw.push(await rawFps());
  for (const [d, into] of [[detector, rounds.main], [workerDetector, rounds.worker]] as const) {
    const { fps, startupMs } = await pipelineFps(d);
    into.push(fps);
    startups.push(startupMs);
  }
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const raw = mean(rounds.raw);
const line = (label: string, v: number[]) =>
  `\n  ${label.padEnd(34)} ${mean(v).toFixed(2)} /s  (${v.map((x) => x.toFixed(2)).join(', ')})` +
  (v === rounds.raw ? '' : `  ratio ${(mean(v) / raw).toFixed(3)} -> overhead ${(100 * (raw / mean(v) - 1)).toFixed(1)}% of model time`);
console.log(
  `\nthroughput on ${video.split('/').pop()} (768x432, ${FRAMES} frames per round, 2 rounds interleaved)` +
    line('raw session.run', rounds.raw) +
    line('pipeline, detector on main thread', rounds.main) +
    line('pipeline, WorkerDetector', rounds.worker) +
    `\n  pipeline start-up (probe, ffmpeg, first result), not counted above: median ${summarize('', startups).median.toFixed(0)} ms`,
);

// 3. ffmpeg resizes (fitWithin) vs full-size frames resized in JS, on a 720p video.
const video720 = `${SHARED}/videos/imageio-cockatoo.mp4`;
const rounds720 = { raw: [] as number[], full: [] as number[], fit: [] as number[], fullWorker: [] as number[], fitWorker: [] as number[] };
for (let round = 0; round < 2; round++) {
  rounds720.raw.push(await rawFps(matchedSession, matchedFeeds));
  rounds720.full.push((await pipelineFps(detector, { input: video720 })).fps);
  rounds720.fit.push((await pipelineFps(detector, { input: video720, fitWithin: fit })).fps);
  rounds720.fullWorker.push((await pipelineFps(workerDetector, { input: video720 })).fps);
  rounds720.fitWorker.push((await pipelineFps(workerDetector, { input: video720, fitWithin: fit })).fps);
}
const raw720 = mean(rounds720.raw);
const line720 = (label: string, v: number[]) =>
  `\n  ${label.padEnd(42)} ${mean(v).toFixed(2)} /s  (${v.map((x) => x.toFixed(2)).join(', ')})` +
  (v === rounds720.raw ? '' : `  ratio ${(mean(v) / raw720).toFixed(3)} -> not the model ${(100 * (raw720 / mean(v) - 1)).toFixed(1)}% of model time`);
console.log(
  `\nthroughput on ${video720.split('/').pop()} (1280x720, ${FRAMES} frames per round, 2 rounds interleaved; model input ${detectorInput.dims[3]}x${detectorInput.dims[2]})` +
    line720('raw session.run', rounds720.raw) +
    line720('pipeline, full-size frames, JS resize', rounds720.full) +
    line720('pipeline, ffmpeg resize (fitWithin)', rounds720.fit) +
    line720('pipeline, full-size frames, WorkerDetector', rounds720.fullWorker) +
    line720('pipeline, ffmpeg resize, WorkerDetector', rounds720.fitWorker),
);

await workerDetector.close();
await detector.close();
await session.release();
if (matchedSession !== session) await matchedSession.release();

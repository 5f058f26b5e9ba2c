#!/usr/bin/env node
/**
 * The `vidai` command line.
 *
 * ```
 * vidai detect <input> [--model <id|path>] [--threshold 0.25] [--iou 0.45] [--fps N]
 *                      [--sampler every-n|fps|motion|adaptive|scene] [--json] ...
 * vidai models
 * ```
 *
 * With `--json`, one JSON object per processed frame goes to stdout; everything else
 * (progress, summary) goes to stderr or, without `--json`, to stdout as readable text.
 * Bad input exits with status 2 and one line that says what is wrong.
 */
import { realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createPipeline,
  createSampler,
  isSamplerKind,
  isVidaiError,
  modelCatalog,
  samplerKinds,
  type DetectionResult,
  type FrameSource,
  type Pipeline,
  type Sampler,
  type SamplerKind,
} from '@vidai/core';
import { createNodeDetector } from './create-detector.js';
import { closeServer, listenOn } from './http-listen.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { FfmpegSource } from './ffmpeg-source.js';
import { resolveInput } from './ffmpeg-input.js';
import { assertReadableFile, probe } from './ffprobe.js';
import { imageSource } from './image-source.js';
import { createCountProgressBar } from './progress-bar.js';
import { summarizeResults, type RunSummary } from './run-summary.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff']);

const USAGE = `Usage:
  vidai detect <input> [options]   detect objects in an image, a video file, or a live stream
  vidai models                     list the models of the catalog
  vidai --version | --help

<input>: an image (jpg, png, ...), a video file, rtsp://..., http(s)://... (HLS too), /dev/videoN

Options of detect:
  --model <id|path>        catalog id or .onnx file (default: yolox-nano)
  --threshold <0..1>       minimum score (default: 0.25)
  --iou <0..1>             IoU threshold of NMS (default: 0.45)
  --classes <a,b,...>      keep only these labels or class ids
  --sampler <kind>         ${samplerKinds.join(' | ')} (default: none, every frame)
  --fps <N>                at most N detections per second (fps sampler; max rate of adaptive)
  --every <N>              every N-th frame (every-n sampler, default 5)
  --size <W>[x<H>]         decode the input at this size (default: the input's size)
  --resize <js|ffmpeg>     videos and streams: who resizes frames to the model's input, ffmpeg's
                           scaler while decoding (less work and a smaller pipe) or vidai's
                           bilinear letterbox on full-size frames (default: ffmpeg; images: js)
  --padding <mode>         minimal | full | auto: pad frames only to a multiple of 32 (a 16:9 frame
                           runs at 416x256) or into the whole input, as YOLOX's evaluation does
                           (default: auto, minimal for catalog models)
  --realtime               read files at their own rate, as a live stream would arrive
  --max-frames <N>         stop after N processed frames
  --max-attempts <N>       live inputs: give up after N failed connection attempts in a row (default: never)
  --provider <list>        execution providers in order, e.g. cuda,cpu (default: cuda where present, cpu)
  --threads <N>            onnxruntime intra-op threads
  --json                   one JSON object per processed frame on stdout
  --metrics-port <N>       serve Prometheus metrics at http://<host>:<N>/metrics during the run (0: any free port)
  --metrics-host <host>    address the metrics endpoint listens on (default: 127.0.0.1)
  --quiet                  no progress bar and no summary
`;

/** What one `vidai` invocation asked for. */
interface DetectArgs {
  input: string;
  model: string;
  threshold: number;
  iou: number;
  classes: Array<string | number> | undefined;
  sampler: SamplerKind | undefined;
  fps: number | undefined;
  every: number | undefined;
  width: number | undefined;
  height: number | undefined;
  resize: 'js' | 'ffmpeg';
  padding: 'auto' | 'full' | 'minimal';
  realtime: boolean;
  maxFrames: number | undefined;
  maxAttempts: number | undefined;
  providers: string[] | undefined;
  threads: number | undefined;
  json: boolean;
  quiet: boolean;
  metricsPort: number | undefined;
  metricsHost: string;
}

/** A mistake on the command line: reported in one line with exit status 2. */
class UsageError extends Error {}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string', default: 'yolox-nano' },
        threshold: { type: 'string', default: '0.25' },
        iou: { type: 'string', default: '0.45' },
        classes: { type: 'string' },
        sampler: { type: 'string' },
        fps: { type: 'string' },
        every: { type: 'string' },
        size: { type: 'string' },
        resize: { type: 'string', default: 'ffmpeg' },
        padding: { type: 'string', default: 'auto' },
        realtime: { type: 'boolean', default: false },
        'max-frames': { type: 'string' },
        'max-attempts': { type: 'string' },
        provider: { type: 'string' },
        threads: { type: 'string' },
        json: { type: 'boolean', default: false },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string', default: '127.0.0.1' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), 2);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${await packageVersion()}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'models') {
    for (const entry of Object.values(modelCatalog)) {
      process.stdout.write(`${entry.id.padEnd(14)} ${entry.family.padEnd(10)} ${`${entry.inputSize.width}x${entry.inputSize.height}`.padEnd(8)} ${entry.url}\n`);
    }
    return 0;
  }
  if (command !== 'detect') return fail(`unknown command "${command}"; run vidai --help`, 2);

  let args: DetectArgs;
  try {
    args = detectArgs(values, rest);
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, 2);
    throw error;
  }
  try {
    await detect(args);
    return 0;
  } catch (error) {
    if (isVidaiError(error)) return fail(error.message, 2);
    return fail(error instanceof Error ? error.message : String(error), 1);
  }
}

function detectArgs(values: Record<string, string | boolean | undefined>, positionals: string[]): DetectArgs {
  if (positionals.length !== 1) throw new UsageError('detect takes exactly one input; run vidai --help');
  const sampler = values.sampler as string | undefined;
  if (sampler !== undefined && !isSamplerKind(sampler)) {
    throw new UsageError(`--sampler must be one of ${samplerKinds.join(', ')}, got "${sampler}"`);
  }
  const size = values.size as string | undefined;
  let width: number | undefined;
  let height: number | undefined;
  if (size !== undefined) {
    const match = /^(\d+)(?:x(\d+))?$/.exec(size);
    if (!match) throw new UsageError(`--size must look like 640 or 640x360, got "${size}"`);
    width = Number(match[1]);
    height = match[2] === undefined ? undefined : Number(match[2]);
  }
  const resize = values.resize as string;
  if (resize !== 'js' && resize !== 'ffmpeg') throw new UsageError(`--resize must be js or ffmpeg, got "${resize}"`);
  const padding = values.padding as string;
  if (padding !== 'auto' && padding !== 'full' && padding !== 'minimal') {
    throw new UsageError(`--padding must be minimal, full or auto, got "${padding}"`);
  }
  const classes = (values.classes as string | undefined)
    ?.split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0)
    .map((c) => (/^\d+$/.test(c) ? Number(c) : c));
  return {
    input: positionals[0]!,
    model: values.model as string,
    threshold: numberOption(values, 'threshold', 0, 1)!,
    iou: numberOption(values, 'iou', 0, 1)!,
    classes,
    sampler: sampler as SamplerKind | undefined,
    fps: numberOption(values, 'fps', Number.MIN_VALUE, 1000),
    every: integerOption(values, 'every'),
    width,
    height,
    resize,
    padding,
    realtime: values.realtime === true,
    maxFrames: integerOption(values, 'max-frames'),
    maxAttempts: integerOption(values, 'max-attempts'),
    providers: (values.provider as string | undefined)?.split(',').map((p) => p.trim()),
    threads: integerOption(values, 'threads'),
    json: values.json === true,
    quiet: values.quiet === true,
    metricsPort: portOption(values, 'metrics-port'),
    metricsHost: values['metrics-host'] as string,
  };
}

function numberOption(values: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a number in ${min === Number.MIN_VALUE ? '(0' : `[${min}`}, ${max}], got "${String(raw)}"`);
  }
  return value;
}

function integerOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a whole number >= 1, got "${String(raw)}"`);
  return value;
}

function portOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UsageError(`--${name} must be a port number 0..65535, got "${String(raw)}"`);
  return value;
}

/** Serves the run's Prometheus metrics until the returned function is called. */
async function serveMetrics(pipeline: Pipeline, stream: string, host: string, port: number): Promise<() => Promise<void>> {
  const metrics = new PrometheusMetrics({ processMetrics: true });
  const stop = metrics.observe(pipeline, stream);
  const server = createServer((req, res) => {
    if (!metrics.handle(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
  });
  const { authority } = await listenOn(server, { host, port });
  process.stderr.write(`vidai: metrics at http://${authority}/metrics\n`);
  return async () => {
    stop();
    await closeServer(server);
  };
}

function makeSampler(args: DetectArgs): Sampler | undefined {
  const kind = args.sampler ?? (args.fps !== undefined ? 'fps' : args.every !== undefined ? 'every-n' : undefined);
  switch (kind) {
    case undefined:
      return undefined;
    case 'every-n':
      return createSampler('every-n', { n: args.every ?? 5 });
    case 'fps':
      return createSampler('fps', { fps: args.fps ?? 5 });
    case 'adaptive':
      return createSampler('adaptive', args.fps === undefined ? {} : { maxFps: args.fps });
    case 'motion':
      return createSampler('motion');
    case 'scene':
      return createSampler('scene');
  }
}

function isLiveInput(input: string): boolean {
  return /^(rtsps?|rtmp|srt|udp|tcp|https?):\/\//i.test(input) || input.startsWith('/dev/video');
}

async function detect(args: DetectArgs): Promise<void> {
  const isImage = IMAGE_EXTENSIONS.has(extname(args.input).toLowerCase()) && !isLiveInput(args.input);
  const live = !isImage && isLiveInput(args.input);
  const showProgress = !args.quiet && process.stderr.isTTY === true;

  // Check the input first: a missing file should fail before a model download starts.
  let source: FrameSource | undefined;
  let totalFrames: number | undefined;
  if (isImage) {
    // Images keep the JS resize: it is the one the reference detections were made with (OpenCV's).
    source = imageSource(args.input, { format: 'rgb' });
  } else {
    const input = resolveInput(args.input);
    if (input.path !== undefined) await assertReadableFile(input.path, input.label);
    if (!live && showProgress) totalFrames = (await probe(args.input).catch(() => undefined))?.frameCount;
  }

  const { detector, executionProvider, modelPath } = await createNodeDetector({
    model: args.model,
    scoreThreshold: args.threshold,
    iouThreshold: args.iou,
    padding: args.padding,
    ...(args.classes ? { classes: args.classes } : {}),
    ...(args.providers ? { executionProviders: args.providers as never } : {}),
    ...(args.threads === undefined ? {} : { intraOpNumThreads: args.threads }),
  });
  if (!args.json && !args.quiet) process.stderr.write(`vidai: ${modelPath} on ${executionProvider}\n`);
  if (source === undefined) {
    const ffmpeg = new FfmpegSource({
      input: args.input,
      realtime: args.realtime,
      ...(args.width === undefined ? {} : { width: args.width }),
      ...(args.height === undefined ? {} : { height: args.height }),
      // Frames come at the model's resized size; results still report the original size.
      ...(args.resize === 'ffmpeg' ? { fitWithin: { size: detector.inputSize, ...detector.preprocess } } : {}),
      ...(live && args.maxAttempts !== undefined ? { maxAttempts: args.maxAttempts } : {}),
    });
    if (live && !args.quiet) {
      ffmpeg.on('reconnecting', (info) =>
        process.stderr.write(`vidai: reconnecting (attempt ${info.attempt}) in ${info.delayMs} ms: ${info.reason}\n`),
      );
    }
    source = ffmpeg;
  }

  const sampler = makeSampler(args);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pipeline = createPipeline({
    source,
    detector,
    ...(sampler ? { sampler } : {}),
    mode: live ? 'live' : 'all',
    signal: controller.signal,
  });
  const stopMetrics = args.metricsPort === undefined ? undefined : await serveMetrics(pipeline, args.input, args.metricsHost, args.metricsPort);
  const progress = showProgress && !isImage ? createCountProgressBar('frames', totalFrames) : undefined;
  const results: DetectionResult[] = [];
  const startedAt = performance.now();
  let received = 0;
  try {
    for await (const result of pipeline) {
      received++;
      if (args.json) process.stdout.write(`${JSON.stringify(toJsonLine(result))}\n`);
      else if (isImage) process.stdout.write(formatDetections(result));
      results.push(result);
      progress?.(pipeline.stats().received, false);
      if (args.maxFrames !== undefined && received >= args.maxFrames) break;
    }
  } finally {
    progress?.(pipeline.stats().received, true);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pipeline.close();
    await detector.close();
    await stopMetrics?.();
  }
  if (!args.quiet && !isImage) {
    const summary = summarizeResults(results, pipeline.stats(), performance.now() - startedAt);
    (args.json ? process.stderr : process.stdout).write(formatSummary(summary));
  }
}

/** The `--json` line of one result: exactly the documented fields. */
function toJsonLine(result: DetectionResult) {
  return {
    seq: result.seq,
    timestamp: result.timestamp,
    width: result.width,
    height: result.height,
    detections: result.detections.map((d) => ({
      box: d.box.map((v) => Math.round(v * 10) / 10),
      score: Math.round(d.score * 10000) / 10000,
      classId: d.classId,
      label: d.label,
    })),
    timings: Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v * 100) / 100])),
  };
}

function formatDetections(result: DetectionResult): string {
  if (result.detections.length === 0) return `no objects found (${result.width}x${result.height})\n`;
  return result.detections
    .map((d) => `${d.label.padEnd(14)} ${d.score.toFixed(3)}  [${d.box.map((v) => v.toFixed(1)).join(', ')}]\n`)
    .join('');
}

function formatSummary(summary: RunSummary): string {
  const lines = [
    `frames: ${summary.received} read, ${summary.processed} detected, ${summary.skipped} skipped by the sampler, ${summary.dropped} dropped`,
    `rate: ${summary.fps.toFixed(1)} detections/s over ${(summary.elapsedMs / 1000).toFixed(1)} s`,
  ];
  for (const [stage, s] of Object.entries(summary.latency)) {
    lines.push(`${stage.padEnd(12)} p50 ${s.p50.toFixed(1)} ms  p95 ${s.p95.toFixed(1)} ms  max ${s.max.toFixed(1)} ms`);
  }
  if (summary.classes.length === 0) lines.push('objects: none');
  for (const c of summary.classes) {
    lines.push(`${c.label.padEnd(14)} in ${c.frames} frames, up to ${c.maxPerFrame} at once, best score ${c.bestScore.toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

function fail(message: string, code: number): number {
  process.stderr.write(`vidai: ${message.split('\n')[0]}\n`);
  return code;
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`vidai: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

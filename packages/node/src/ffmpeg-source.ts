/**
 * A {@link FrameSource} on the system ffmpeg: files, RTSP, HTTP(S)/HLS and V4L2
 * cameras decoded by an ffmpeg child into raw frames on its stdout, with
 * backpressure, a stall watchdog, and reconnection with backoff for live inputs.
 */
import {
  Evented,
  ErrorCodes,
  VidaiError,
  frameByteLength,
  letterboxTransform,
  type Frame,
  type FrameSource,
  type LetterboxOptions,
} from '@vidai/core';
import { Backoff, DEFAULT_BACKOFF_MS, abortableDelay } from './backoff.js';
import { binaryNotFoundError, isBinaryMissing, resolveFfmpegPath, resolveFfprobePath } from './ffmpeg-binary.js';
import { classifyFailure, resolveInput, type FfmpegInput, type ResolvedInput, type RtspTransport } from './ffmpeg-input.js';
import { DEFAULT_KILL_GRACE_MS, spawnTool, terminate, type ToolProcess } from './ffmpeg-process.js';
import { assertReadableFile, probeResolved } from './ffprobe.js';
import { FrameAssembler } from './frame-assembler.js';
import { StderrTail } from './stderr-tail.js';

/** Pixel formats an {@link FfmpegSource} can output. */
export type FfmpegPixelFormat = 'rgb' | 'bgr' | 'rgba' | 'gray' | 'gbrp';

const ffmpegPixelFormats: Record<FfmpegPixelFormat, string> = { rgb: 'rgb24', bgr: 'bgr24', rgba: 'rgba', gray: 'gray', gbrp: 'gbrp' };

/**
 * swscale flags of the `fitWithin` resize. Measured against the JS letterbox's bilinear
 * resize (OpenCV `INTER_LINEAR`) with YOLOX-Nano on the shared videos and coco128
 * (`bench/ffmpeg-resize-agreement.bench.ts`): `area` pairs the most detections and, with
 * exact rounding and full chroma interpolation, moves scores and boxes the least;
 * coco128 mAP stays within 0.0015 of the JS path.
 */
const FIT_SCALE_FLAGS = 'area+accurate_rnd+full_chroma_int';

/** What to do with new frames while the consumer is not pulling and `maxBufferedFrames` are waiting. */
export type OverflowPolicy = 'pause' | 'drop-oldest';

/** Options of {@link FfmpegSource}. */
export interface FfmpegSourceOptions {
  /** What to read: a file path, an `rtsp://` or `http(s)://` URL (HLS included), `/dev/videoN`, or an object with a `kind`. */
  input: FfmpegInput;
  /** ffmpeg binary. Default: the `VIDAI_FFMPEG` environment variable, else `ffmpeg` on `PATH`. */
  ffmpegPath?: string;
  /** ffprobe binary. Default: `VIDAI_FFPROBE`, else the ffprobe beside `ffmpegPath`, else `ffprobe` on `PATH`. */
  ffprobePath?: string;
  /** Output width in pixels. Default: the input's (or, when only `height` is set, the width that keeps the aspect ratio). */
  width?: number;
  /** Output height in pixels. Default: the input's (or, when only `width` is set, the height that keeps the aspect ratio). */
  height?: number;
  /**
   * Let ffmpeg's scaler do a detector's resize: each frame is scaled to the size the
   * letterbox with these options would resize it to (a 1280x720 input with
   * `{ size: 416, rounding: 'floor' }` gives 416x234 frames), and carries
   * `displayWidth`/`displayHeight`: the size it would have had without this option (the
   * input's, or `width`/`height`). A detector then only pads and converts, and reports
   * boxes in display pixels. Pass the detector's own options so the sizes agree:
   * `{ size: detector.inputSize, ...detector.preprocess }`; only the options that decide
   * the resized size matter (`size`, `rounding`, `allowUpscale`). ffmpeg scales with
   * `area` (exact rounding, full chroma interpolation): detections stay close to, not
   * identical with, the JS resize's. Default: none (frames at `width` x `height`).
   */
  fitWithin?: LetterboxOptions;
  /** Output rate in frames per second (ffmpeg's `fps` filter drops or repeats frames). Default: the input's rate. */
  fps?: number;
  /**
   * Pixel format of the frames. Default: `'rgb'`, or `'gbrp'` with `fitWithin`: planar
   * frames go into a detector's planar tensor plane by plane (with `TypedArray.set` for
   * YOLOX), about 10x faster than unpacking `'rgb'`.
   */
  format?: FfmpegPixelFormat;
  /** Files only: read at the file's own frame rate (`-re`) instead of as fast as possible. Default: `false`. */
  realtime?: boolean;
  /** RTSP transport. Default: `'tcp'`. */
  rtspTransport?: RtspTransport;
  /**
   * Treat the input as live: reconnect with backoff when it ends or fails, and
   * stamp frames with the wall clock. Default: `true` for RTSP, HTTP(S) (pass
   * `false` for an HLS VOD playlist), V4L2 and other network URLs; `false` for files.
   */
  live?: boolean;
  /** Live inputs: waits in ms before each reconnection attempt; the last one repeats. Default: `[1000, 2000, 5000, 10000, 30000]`. */
  backoffMs?: readonly number[];
  /** Live inputs: a connection that delivered frames for this long (ms) resets the backoff and the attempt count. Default: 10000 (ms). */
  healthyMs?: number;
  /**
   * Restart ffmpeg when no frame arrives for this long (ms) while the consumer is
   * pulling; 0 disables it. Should exceed the frame interval. Default: 10000 (ms)
   * for live inputs (at least three frame intervals when `fps` is low), 0 for files.
   */
  watchdogMs?: number;
  /**
   * Time in ms from starting ffmpeg to its first frame before the attempt counts as
   * stalled (ffmpeg analyses a network stream for a few seconds before its first
   * frame); 0 disables it. Default: 20000 (ms), or `watchdogMs` if larger; 0 when the watchdog is off.
   */
  connectTimeoutMs?: number;
  /** Live inputs: consecutive failed attempts to reconnect before giving up with `stream-unavailable`. Default: `Infinity`. */
  maxAttempts?: number;
  /** Frames kept waiting for the consumer. Default: 2. */
  maxBufferedFrames?: number;
  /**
   * When `maxBufferedFrames` are waiting: `'pause'` stops reading ffmpeg's output
   * (ffmpeg then blocks; nothing is lost), `'drop-oldest'` keeps reading and drops
   * the oldest waiting frame (counted in `stats.dropped`; for live inputs where a
   * stale frame is worth nothing). Default: `'pause'`.
   */
  overflow?: OverflowPolicy;
  /** Time in ms ffmpeg gets to exit after SIGTERM before SIGKILL. Default: 2000 (ms). */
  killGraceMs?: number;
  /** Give up probing the input after this many ms (a failed attempt for live inputs). Default: `connectTimeoutMs` if set, else 30000 (ms). */
  probeTimeoutMs?: number;
  /** Aborting closes the source, like {@link FfmpegSource.close}. */
  signal?: AbortSignal;
  /** Extra ffmpeg options placed just before `-i` (input options), e.g. `['-stream_loop', '-1']`. */
  inputOptions?: readonly string[];
  /** Extra ffmpeg output options placed after the filters and before the output, e.g. `['-threads', '2']`. */
  extraArgs?: readonly string[];
}

/** Facts of a reconnection attempt, given with the `reconnecting` event. */
export interface ReconnectInfo {
  /** Attempt number, 1 for the first reconnection since the last healthy connection. */
  attempt: number;
  /** Wait in ms before the attempt starts. */
  delayMs: number;
  /** Why the previous connection ended or failed (ffmpeg's last error line, a stall...). */
  reason: string;
}

/** Events of an {@link FfmpegSource}. */
export type FfmpegSourceEvents = {
  /** An ffmpeg child started (`attempt` 0 is the first connection). */
  start: [info: { pid: number; attempt: number; args: readonly string[] }];
  /** The first frame of a connection arrived. */
  connected: [info: { attempt: number; width: number; height: number }];
  /** A frame was read from ffmpeg (before the consumer takes it). */
  frame: [frame: Frame];
  /** A live input ended or failed; a new attempt starts after `delayMs`. */
  reconnecting: [info: ReconnectInfo];
  /**
   * No frame arrived for `idleMs` while the consumer was pulling (or none within
   * `connectTimeoutMs` of starting); ffmpeg is being restarted.
   */
  stalled: [info: { idleMs: number; attempt: number }];
  /** The source failed and stops; the iterator throws the same error. */
  error: [error: VidaiError];
  /** The source stopped producing frames (input ended, failure, or close). Emitted once. */
  end: [];
};

/** Counters of an {@link FfmpegSource}. */
export interface FfmpegSourceStats {
  /** Frames read from ffmpeg. */
  frames: number;
  /** Frames dropped by the `'drop-oldest'` overflow policy. */
  dropped: number;
  /** Reconnection attempts made. */
  reconnects: number;
  /** Bytes read from ffmpeg and not yet taken by the consumer (queued frames and a partial one). */
  bufferedBytes: number;
}

interface Geometry {
  width: number;
  height: number;
  /** Size of the picture the frames show, when `fitWithin` scales them below it. */
  display: { width: number; height: number } | undefined;
  /** Output rate when known, frames per second. */
  fps: number | undefined;
}

interface Session {
  child: ToolProcess;
  attempt: number;
  assembler: FrameAssembler;
  stderr: StderrTail;
  geometry: Geometry;
  startedAt: number;
  /** Frames read in this session. */
  index: number;
  firstFrameAt: number | undefined;
  lastFrameAt: number | undefined;
  paused: boolean;
  /** Why the watchdog stopped this session, if it did. */
  stalled: string | undefined;
}

interface SessionEnd {
  code: number | null;
  spawnError?: unknown;
  stalled: string | undefined;
  stderr: StderrTail;
  frames: number;
  healthyFor: number;
}

type AttemptOutcome =
  | { kind: 'ended' }
  | { kind: 'fatal'; error: VidaiError }
  | { kind: 'retry'; reason: string; healthy: boolean }
  | { kind: 'closed' };

/**
 * Frames from anything the system ffmpeg can read. Iterate it with `for await`;
 * ffmpeg starts on the first pull and is stopped by `close()`, by breaking out of
 * the loop, or by `signal`. One consumer at a time; iteration ends the source.
 *
 * Files end after their last frame; a failing file throws `input-not-found`,
 * `input-unreadable` or `ffmpeg-failed`. Live inputs reconnect with backoff
 * (`reconnecting` events) and throw `stream-unavailable` after `maxAttempts`.
 * A missing binary throws `ffmpeg-not-found`.
 *
 * Frames are whole `width * height * bytesPerPixel` buffers with `seq` increasing
 * by one across reconnections. `timestamp` is the presentation time in ms for files
 * (frame index / rate) and `Date.now()` at receipt for live inputs.
 *
 * @example
 * ```ts
 * const source = new FfmpegSource({ input: 'rtsp://camera.local/stream', width: 640, fps: 10 });
 * source.on('reconnecting', ({ attempt, delayMs, reason }) => console.warn(attempt, delayMs, reason));
 * for await (const frame of source) {
 *   const result = await detector.detect(frame);
 * }
 * ```
 */
export class FfmpegSource extends Evented<FfmpegSourceEvents> implements FrameSource {
  /** The input as classified (kind, live, label with credentials hidden). */
  readonly input: ResolvedInput;
  /** Whether the source behaves as live (see {@link FfmpegSourceOptions.live}). */
  readonly live: boolean;
  /** Pixel format of the frames. */
  readonly format: FfmpegPixelFormat;

  private readonly options: FfmpegSourceOptions;
  private readonly ffmpegPath: string;
  private readonly ffprobePath: string;
  private readonly abort = new AbortController();
  private readonly maxBufferedFrames: number;
  private readonly watchdogMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly killGraceMs: number;
  private geometry: Geometry | undefined;
  private session: Session | undefined;
  private readonly queue: Frame[] = [];
  private waiter: { resolve: (frame: Frame | undefined) => void; reject: (error: unknown) => void } | undefined;
  private seq = 0;
  private readonly counters = { frames: 0, dropped: 0, reconnects: 0 };
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private watchdogDelay = 0;
  private running: Promise<void> | undefined;
  private iterating = false;
  private ended = false;
  private endEmitted = false;
  private failure: VidaiError | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly onSignalAbort = () => void this.close();

  /** Validates the options (TypeError for bad values); ffmpeg starts on the first pull. */
  constructor(options: FfmpegSourceOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('FfmpegSource needs an options object with `input`');
    this.options = options;
    this.input = resolveInput(options.input, options);
    this.live = options.live ?? this.input.live;
    this.format = options.format ?? (options.fitWithin ? 'gbrp' : 'rgb');
    if (!(this.format in ffmpegPixelFormats)) {
      throw new TypeError(`format must be one of ${Object.keys(ffmpegPixelFormats).join(', ')}, got ${String(options.format)}`);
    }
    checkPositiveInteger(options.width, 'width');
    checkPositiveInteger(options.height, 'height');
    // Throws TypeError for bad letterbox options.
    if (options.fitWithin !== undefined) letterboxTransform(1, 1, options.fitWithin);
    checkPositive(options.fps, 'fps');
    checkNonNegative(options.healthyMs, 'healthyMs');
    checkNonNegative(options.watchdogMs, 'watchdogMs');
    checkNonNegative(options.connectTimeoutMs, 'connectTimeoutMs');
    checkNonNegative(options.killGraceMs, 'killGraceMs');
    checkPositive(options.probeTimeoutMs, 'probeTimeoutMs');
    if (options.maxAttempts !== undefined && !(options.maxAttempts >= 0)) {
      throw new TypeError(`maxAttempts must be a number >= 0 (Infinity allowed), got ${String(options.maxAttempts)}`);
    }
    checkPositiveInteger(options.maxBufferedFrames, 'maxBufferedFrames');
    if (options.overflow !== undefined && options.overflow !== 'pause' && options.overflow !== 'drop-oldest') {
      throw new TypeError(`overflow must be 'pause' or 'drop-oldest', got ${String(options.overflow)}`);
    }
    new Backoff(options.backoffMs ?? DEFAULT_BACKOFF_MS); // validates the schedule
    this.ffmpegPath = resolveFfmpegPath(options.ffmpegPath);
    this.ffprobePath = resolveFfprobePath(options.ffprobePath, options.ffmpegPath);
    this.maxBufferedFrames = options.maxBufferedFrames ?? 2;
    this.maxAttempts = this.live ? (options.maxAttempts ?? Infinity) : 0;
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    const frameIntervalMs = options.fps ? 1000 / options.fps : 0;
    this.watchdogMs = options.watchdogMs ?? (this.live ? Math.max(10_000, 3 * frameIntervalMs) : 0);
    this.connectTimeoutMs = options.connectTimeoutMs ?? (this.watchdogMs ? Math.max(20_000, this.watchdogMs) : 0);
    if (options.signal?.aborted) void this.close();
    else options.signal?.addEventListener('abort', this.onSignalAbort, { once: true });
  }




  /** Counters since the source started. */
  get stats(): FfmpegSourceStats {
    let bufferedBytes = this.session?.assembler.bufferedBytes ?? 0;
    for (const frame of this.queue) bufferedBytes += frame.data.byteLength;
    return { ...this.counters, bufferedBytes };
  }

  /** PID of the running ffmpeg child, if one is running. */
  get pid(): number | undefined {
    return this.session?.child.pid;
  }

  /** Whether `close()` was called (or `signal` aborted). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Iterates the frames. Starts ffmpeg on the first pull; breaking out of the loop
   * closes the source. Throws `TypeError` when a second consumer iterates at the same time.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Frame, void, undefined> {
    if (this.iterating) throw new TypeError('An FfmpegSource has one consumer at a time; it is already being iterated');
    this.iterating = true;
    try {
      if (!this.running && !this.closed) {
        this.running = this.run().catch((error: unknown) => this.finish(asVidaiError(error)));
      }
      for (;;) {
        const frame = await this.take();
        if (!frame) return;
        yield frame;
      }
    } finally {
      this.iterating = false;
      await this.close();
    }
  }

  /**
   * Stops ffmpeg (SIGTERM, then SIGKILL after `killGraceMs`) and waits until it has
   * exited, clears the timers and ends the iteration. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onSignalAbort);
    this.abort.abort();
    this.disarmWatchdog();
    this.queue.length = 0;
    const session = this.session;
    if (session) await terminate(session.child, this.killGraceMs);
    this.ended = true;
    this.settleWaiter();
    await this.running;
    this.emitEnd();
  }

  /** The connect / read / reconnect loop. */
  private async run(): Promise<void> {
    const backoff = new Backoff(this.options.backoffMs ?? DEFAULT_BACKOFF_MS);
    const healthyMs = this.options.healthyMs ?? 10_000;
    while (!this.closed) {
      const outcome = await this.attempt(backoff.attempts, healthyMs);
      switch (outcome.kind) {
        case 'closed':
          return;
        case 'ended':
          return this.finish();
        case 'fatal':
          return this.finish(outcome.error);
        case 'retry': {
          if (outcome.healthy) backoff.reset();
          if (backoff.attempts >= this.maxAttempts) {
            return this.finish(
              new VidaiError(
                ErrorCodes.STREAM_UNAVAILABLE,
                `Live input "${this.input.label}" is unavailable after ${backoff.attempts} reconnection attempt(s); ` +
                  `last error: ${outcome.reason}. Check that the stream is up and reachable, or raise maxAttempts.`,
                { details: { input: this.input.label, attempts: backoff.attempts, reason: outcome.reason } },
              ),
            );
          }
          const delayMs = backoff.next();
          this.counters.reconnects += 1;
          this.events.emit('reconnecting', { attempt: backoff.attempts, delayMs, reason: outcome.reason });
          await abortableDelay(delayMs, this.abort.signal);
        }
      }
    }
  }

  /** One connection: probe if needed, run ffmpeg until it exits, and judge the outcome. */
  private async attempt(attempt: number, healthyMs: number): Promise<AttemptOutcome> {
    try {
      if (this.input.path !== undefined) await assertReadableFile(this.input.path, this.input.label);
      this.geometry ??= await this.resolveGeometry();
    } catch (error) {
      if (this.closed) return { kind: 'closed' };
      const failure = asVidaiError(error);
      if (!this.live || failure.code === ErrorCodes.FFMPEG_NOT_FOUND) return { kind: 'fatal', error: failure };
      return { kind: 'retry', reason: failure.message, healthy: false };
    }
    if (this.closed) return { kind: 'closed' };
    const end = await this.runSession(this.geometry, attempt);
    if (this.closed) return { kind: 'closed' };
    if (end.spawnError !== undefined) {
      return { kind: 'fatal', error: isBinaryMissing(end.spawnError) ? binaryNotFoundError('ffmpeg', this.ffmpegPath, end.spawnError) : asVidaiError(end.spawnError) };
    }
    const lastLine = end.stderr.lastLine;
    if (!this.live) {
      if (end.stalled) {
        return {
          kind: 'fatal',
          error: new VidaiError(
            ErrorCodes.FFMPEG_FAILED,
            `ffmpeg was stopped reading "${this.input.label}": ${end.stalled}` + (lastLine ? `; ffmpeg said: ${lastLine}` : ''),
            { details: { input: this.input.label, stderr: end.stderr.text } },
          ),
        };
      }
      if (end.code === 0) return { kind: 'ended' };
      return { kind: 'fatal', error: this.fileFailure(end) };
    }
    const reason = end.stalled
      ? end.stalled
      : lastLine || (end.code === 0 ? 'the stream ended' : `ffmpeg exited with code ${end.code}`);
    return { kind: 'retry', reason, healthy: end.healthyFor >= healthyMs };
  }

  private fileFailure(end: SessionEnd): VidaiError {
    const lastLine = end.stderr.lastLine || `exit code ${end.code}`;
    const details = { input: this.input.label, code: end.code, stderr: end.stderr.text };
    const kind = end.frames === 0 ? classifyFailure(end.stderr.text) : 'other';
    if (kind === 'not-found') {
      return new VidaiError(ErrorCodes.INPUT_NOT_FOUND, `Input "${this.input.label}" does not exist: ${lastLine}`, { details });
    }
    if (kind === 'unreadable') {
      return new VidaiError(
        ErrorCodes.INPUT_UNREADABLE,
        `"${this.input.label}" could not be decoded as video: ${lastLine}. Check that it is a video file ffmpeg can read.`,
        { details },
      );
    }
    return new VidaiError(
      ErrorCodes.FFMPEG_FAILED,
      `ffmpeg exited with code ${end.code} after ${end.frames} frame(s) of "${this.input.label}": ${lastLine}`,
      { details },
    );
  }

  /** Output size and rate: from the options, completed by ffprobe when needed. */
  private async resolveGeometry(): Promise<Geometry> {
    const { width, height, fps } = this.options;
    // Files need the rate for their timestamps; live frames are stamped with the clock.
    if (width && height && (fps || this.live)) return this.fitted({ width, height, fps, display: undefined });
    const info = await probeResolved(this.input, {
      ffprobePath: this.ffprobePath,
      timeoutMs: this.options.probeTimeoutMs ?? (this.connectTimeoutMs || 30_000),
      signal: this.abort.signal,
    });
    const outWidth = width ?? (height ? Math.max(1, Math.round((height * info.width) / info.height)) : info.width);
    const outHeight = height ?? (width ? Math.max(1, Math.round((width * info.height) / info.width)) : info.height);
    return this.fitted({ width: outWidth, height: outHeight, fps: fps ?? info.fps, display: undefined });
  }

  /** With `fitWithin`: the geometry scaled to the letterbox's resized size, showing the original. */
  private fitted(geometry: Geometry): Geometry {
    const fit = this.options.fitWithin;
    if (fit === undefined) return geometry;
    const { width, height } = geometry;
    const { contentWidth, contentHeight } = letterboxTransform(width, height, fit);
    return { ...geometry, width: contentWidth, height: contentHeight, display: { width, height } };
  }

  /** The ffmpeg command line for the output geometry. */
  private buildArgs(geometry: Geometry): string[] {
    const filters: string[] = [];
    if (this.options.fps) filters.push(`fps=${this.options.fps}`);
    filters.push(`scale=${geometry.width}:${geometry.height}` + (geometry.display ? `:flags=${FIT_SCALE_FLAGS}` : ''));
    return [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-loglevel', 'error',
      ...this.input.demuxerArgs,
      ...(this.options.realtime && !this.live ? ['-re'] : []),
      ...(this.options.inputOptions ?? []),
      '-i', this.input.target,
      '-map', '0:v:0',
      // Live: pass frames through as they come; never invent frames to fill gaps.
      ...(this.live ? ['-vsync', 'passthrough'] : []),
      '-vf', filters.join(','),
      '-pix_fmt', ffmpegPixelFormats[this.format],
      ...(this.options.extraArgs ?? []),
      '-f', 'rawvideo',
      'pipe:1',
    ];
  }

  /** Runs one ffmpeg child; resolves when it has exited and its output has been read. */
  private runSession(geometry: Geometry, attempt: number): Promise<SessionEnd> {
    return new Promise((resolve) => {
      const args = this.buildArgs(geometry);
      const child = spawnTool(this.ffmpegPath, args);
      const session: Session = {
        child,
        attempt,
        assembler: new FrameAssembler(frameByteLength(this.format, geometry.width, geometry.height)),
        stderr: new StderrTail(),
        geometry,
        startedAt: Date.now(),
        index: 0,
        firstFrameAt: undefined,
        lastFrameAt: undefined,
        paused: false,
        stalled: undefined,
      };
      this.session = session;
      let settled = false;
      const done = (code: number | null, spawnError?: unknown) => {
        if (settled) return;
        settled = true;
        this.disarmWatchdog();
        // Hand out whatever whole frames the last reads completed, then forget the session.
        if (!this.closed) for (let data = session.assembler.next(); data; data = session.assembler.next()) this.deliver(this.makeFrame(session, data));
        session.assembler.reset();
        if (this.session === session) this.session = undefined;
        const healthyFor = session.firstFrameAt !== undefined && session.lastFrameAt !== undefined ? session.lastFrameAt - session.firstFrameAt : 0;
        resolve({ code, spawnError, stalled: session.stalled, stderr: session.stderr, frames: session.index, healthyFor });
      };
      child.stderr.on('data', (chunk: Buffer) => session.stderr.push(chunk));
      child.stdout.on('data', (chunk: Buffer) => {
        session.assembler.push(chunk);
        this.pump();
      });
      child.once('error', (error) => {
        if (child.pid === undefined) done(null, error);
      });
      child.once('close', (code) => done(code));
      if (child.pid !== undefined) {
        this.events.emit('start', { pid: child.pid, attempt, args });
        this.armWatchdog();
      }
    });
  }

  private makeFrame(session: Session, data: Uint8Array): Frame {
    const now = Date.now();
    session.firstFrameAt ??= now;
    session.lastFrameAt = now;
    const index = session.index++;
    const { width, height, fps, display } = session.geometry;
    const timestamp = this.live ? now : fps ? (index * 1000) / fps : now - session.startedAt;
    const frame: Frame = { data, width, height, format: this.format, timestamp, seq: this.seq++ };
    if (display) {
      frame.displayWidth = display.width;
      frame.displayHeight = display.height;
    }
    this.counters.frames += 1;
    if (index === 0) this.events.emit('connected', { attempt: session.attempt, width, height });
    this.events.emit('frame', frame);
    return frame;
  }

  /** Gives a frame to a waiting consumer or queues it (dropping the oldest when told to). */
  private deliver(frame: Frame): void {
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(frame);
      return;
    }
    this.queue.push(frame);
    if (this.queue.length > this.maxBufferedFrames && this.options.overflow === 'drop-oldest') {
      this.queue.shift();
      this.counters.dropped += 1;
    }
  }

  /** Moves whole frames from ffmpeg's output to the consumer and pauses or resumes the pipe. */
  private pump(): void {
    const session = this.session;
    if (!session || this.closed) return;
    const dropping = this.options.overflow === 'drop-oldest';
    while (this.waiter || dropping || this.queue.length < this.maxBufferedFrames) {
      const data = session.assembler.next();
      if (!data) break;
      this.deliver(this.makeFrame(session, data));
      this.armWatchdog();
    }
    const full = session.assembler.hasFrame;
    if (full && !session.paused) {
      session.paused = true;
      session.child.stdout.pause();
      this.disarmWatchdog();
    } else if (!full && session.paused) {
      session.paused = false;
      session.child.stdout.resume();
      this.armWatchdog();
    }
  }

  /** The next frame for the consumer, or undefined at the end. */
  private take(): Promise<Frame | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    this.pump();
    const frame = this.queue.shift();
    if (frame) {
      this.pump();
      return Promise.resolve(frame);
    }
    if (this.ended) {
      const failure = this.failure;
      this.failure = undefined;
      return failure ? Promise.reject(failure) : Promise.resolve(undefined);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.pump();
    });
  }

  /** Ends the source (optionally with an error); queued frames are still handed out first. */
  private finish(error?: VidaiError): void {
    if (this.ended) return;
    this.ended = true;
    if (error && !this.closed) {
      this.failure = error;
      this.events.emit('error', error);
    }
    this.settleWaiter();
    this.emitEnd();
  }

  private settleWaiter(): void {
    if (!this.waiter || !this.ended) return;
    const { resolve, reject } = this.waiter;
    this.waiter = undefined;
    const failure = this.failure;
    this.failure = undefined;
    if (failure && !this.closed) reject(failure);
    else resolve(undefined);
  }

  private emitEnd(): void {
    if (this.endEmitted) return;
    this.endEmitted = true;
    this.events.emit('end');
  }

  /** (Re)starts the stall timer: `connectTimeoutMs` until the session's first frame, `watchdogMs` after. */
  private armWatchdog(): void {
    const session = this.session;
    if (!session || session.paused || this.closed) return;
    const delay = session.index === 0 ? this.connectTimeoutMs : this.watchdogMs;
    if (this.watchdog && delay === this.watchdogDelay) {
      this.watchdog.refresh();
      return;
    }
    this.disarmWatchdog();
    if (!delay) return;
    this.watchdogDelay = delay;
    this.watchdog = setTimeout(() => this.onStall(session, delay), delay);
  }

  private disarmWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private onStall(session: Session, idleMs: number): void {
    this.watchdog = undefined;
    if (session !== this.session || this.closed) return;
    session.stalled = session.index === 0 ? `no frame within ${idleMs} ms of starting ffmpeg` : `no frame for ${idleMs} ms`;
    this.events.emit('stalled', { idleMs, attempt: session.attempt });
    void terminate(session.child, this.killGraceMs);
  }
}

function asVidaiError(error: unknown): VidaiError {
  if (error instanceof VidaiError) return error;
  return new VidaiError(ErrorCodes.FFMPEG_FAILED, `ffmpeg failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function checkPositiveInteger(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new TypeError(`${name} must be a positive integer, got ${String(value)}`);
}

function checkPositive(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
}

function checkNonNegative(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new TypeError(`${name} must be a number >= 0, got ${String(value)}`);
}

/**
 * Probing an input with ffprobe: size, frame rate, frame count, duration and codec
 * of its first video stream.
 */
import { stat } from 'node:fs/promises';
import { ErrorCodes, VidaiError } from '@vidai/core';
import { resolveFfprobePath } from './ffmpeg-binary.js';
import { classifyFailure, resolveInput, type FfmpegInput, type ResolvedInput, type RtspTransport } from './ffmpeg-input.js';
import { runTool } from './ffmpeg-process.js';

/** Options of {@link probe}. */
export interface ProbeOptions {
  /** ffprobe binary. Default: `VIDAI_FFPROBE`, else the ffprobe beside `ffmpegPath`, else `ffprobe` on `PATH`. */
  ffprobePath?: string;
  /** ffmpeg binary, used only to find the ffprobe beside it. Default: `VIDAI_FFMPEG`, else `ffmpeg`. */
  ffmpegPath?: string;
  /**
   * Decode the whole stream to count its frames exactly (`-count_frames`); slow for
   * long files and never ends for a live input. Default: `false` (the container's
   * `nb_frames`, when it has one).
   */
  countFrames?: boolean;
  /** RTSP transport. Default: `tcp`. */
  rtspTransport?: RtspTransport;
  /** Give up after this many ms. Default: 30000 (ms). */
  timeoutMs?: number;
  /** Aborting kills ffprobe and rejects with `aborted`. */
  signal?: AbortSignal;
}

/** What ffprobe says about the first video stream of an input. */
export interface ProbeResult {
  /** Width in pixels as displayed (after the stream's rotation metadata is applied, as ffmpeg does). */
  width: number;
  /** Height in pixels as displayed. */
  height: number;
  /** Frame rate in frames per second, the rate ffmpeg outputs at by default; undefined when unknown. */
  fps: number | undefined;
  /**
   * Number of frames: counted by decoding when `countFrames` was set, else the
   * container's frame count; undefined when unknown (live inputs, some containers).
   */
  frameCount: number | undefined;
  /** Duration in ms; undefined when unknown (live inputs). */
  durationMs: number | undefined;
  /** Codec name as ffmpeg calls it (`h264`, `hevc`, `mjpeg`, `png`...). */
  codec: string;
  /** Decoded pixel format as ffmpeg calls it (`yuv420p`...), when known. */
  pixelFormat: string | undefined;
  /** Rotation in degrees from the stream's display matrix (0, 90, 180, 270). */
  rotation: number;
}

/**
 * Probes an input with ffprobe.
 *
 * Errors (VidaiError): `ffmpeg-not-found` when ffprobe cannot be started,
 * `input-not-found` for a missing file, `input-unreadable` for an input that is
 * not a video (or has no video stream), `stream-unavailable` for a live input that
 * cannot be reached, `aborted` when `signal` aborts.
 *
 * @example
 * ```ts
 * const info = await probe('../shared/videos/intel-car-detection.mp4', { countFrames: true });
 * console.log(info.width, info.height, info.fps, info.frameCount);
 * ```
 */
export async function probe(input: FfmpegInput, options: ProbeOptions = {}): Promise<ProbeResult> {
  const resolved = resolveInput(input, options);
  return probeResolved(resolved, options);
}

/** {@link probe} for an input already resolved (used by the sources). */
export async function probeResolved(input: ResolvedInput, options: ProbeOptions = {}): Promise<ProbeResult> {
  if (input.path !== undefined) await assertReadableFile(input.path, input.label);
  const ffprobePath = resolveFfprobePath(options.ffprobePath, options.ffmpegPath);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const args = [
    '-v', 'error',
    '-hide_banner',
    ...(options.countFrames ? ['-count_frames'] : []),
    '-select_streams', 'v:0',
    '-show_streams',
    '-show_format',
    '-of', 'json',
    ...input.demuxerArgs,
    input.target,
  ];
  const result = await runTool('ffprobe', ffprobePath, args, { signal: options.signal, timeoutMs });
  if (result.timedOut) {
    throw new VidaiError(
      input.live ? ErrorCodes.STREAM_UNAVAILABLE : ErrorCodes.INPUT_UNREADABLE,
      `ffprobe gave no answer about "${input.label}" within ${timeoutMs} ms. Check that the input is reachable, or raise timeoutMs.`,
      { details: { input: input.label, timeoutMs } },
    );
  }
  if (result.code !== 0) throw failureError(input, result.stderr.lastLine || `ffprobe exited with code ${result.code}`);
  let parsed: FfprobeJson;
  try {
    parsed = JSON.parse(result.stdout.toString('utf8')) as FfprobeJson;
  } catch (cause) {
    throw new VidaiError(ErrorCodes.INPUT_UNREADABLE, `ffprobe printed output that is not JSON for "${input.label}"`, { cause });
  }
  const stream = parsed.streams?.[0];
  if (!stream || !stream.width || !stream.height) {
    throw new VidaiError(
      ErrorCodes.INPUT_UNREADABLE,
      `"${input.label}" has no video stream ffmpeg can decode. Pass a video or image file, or a stream with video.`,
      { details: { input: input.label } },
    );
  }
  const rotation = readRotation(stream);
  const swap = Math.abs(rotation) % 180 === 90;
  const count = options.countFrames ? stream.nb_read_frames : stream.nb_frames;
  const durationSeconds = toNumber(stream.duration) ?? toNumber(parsed.format?.duration);
  return {
    width: swap ? stream.height : stream.width,
    height: swap ? stream.width : stream.height,
    fps: guessFrameRate(stream.r_frame_rate, stream.avg_frame_rate),
    frameCount: toNumber(count),
    durationMs: durationSeconds === undefined ? undefined : durationSeconds * 1000,
    codec: stream.codec_name ?? 'unknown',
    pixelFormat: stream.pix_fmt,
    rotation: ((rotation % 360) + 360) % 360,
  };
}

/** Throws `input-not-found` unless `path` is an existing file. */
export async function assertReadableFile(path: string, label: string = path): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new VidaiError(ErrorCodes.INPUT_NOT_FOUND, `Input "${label}" is not a file (${path}). Pass the path of a video or image file.`, {
        details: { path },
      });
    }
  } catch (error) {
    if (error instanceof VidaiError) throw error;
    throw new VidaiError(
      ErrorCodes.INPUT_NOT_FOUND,
      `Input file "${label}" does not exist or cannot be read (${path}). Check the path; relative paths resolve from ${process.cwd()}.`,
      { cause: error, details: { path } },
    );
  }
}

/** The error for a failed ffprobe/ffmpeg run on `input`, from ffmpeg's last stderr line. */
export function failureError(input: ResolvedInput, lastLine: string): VidaiError {
  const kind = classifyFailure(lastLine);
  const details = { input: input.label, stderr: lastLine };
  if (input.live && kind !== 'unreadable') {
    return new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, `Live input "${input.label}" cannot be reached: ${lastLine}`, { details });
  }
  if (kind === 'not-found') {
    return new VidaiError(ErrorCodes.INPUT_NOT_FOUND, `Input "${input.label}" does not exist: ${lastLine}`, { details });
  }
  return new VidaiError(
    ErrorCodes.INPUT_UNREADABLE,
    `"${input.label}" could not be decoded as video: ${lastLine}. Check that it is an image or video file ffmpeg can read.`,
    { details },
  );
}

interface FfprobeStream {
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  nb_read_frames?: string;
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number | string }[];
}

interface FfprobeJson {
  streams?: FfprobeStream[];
  format?: { duration?: string };
}

function toNumber(value: string | number | undefined): number | undefined {
  if (value === undefined || value === 'N/A') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function parseRate(rate: string | undefined): number | undefined {
  if (!rate) return undefined;
  const [num, den = '1'] = rate.split('/');
  const value = Number(num) / Number(den);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Picks the stream rate the way ffmpeg's `av_guess_frame_rate` does for the common cases. */
function guessFrameRate(real: string | undefined, average: string | undefined): number | undefined {
  const r = parseRate(real);
  const avg = parseRate(average);
  if (r !== undefined && avg !== undefined && avg < 70 && r > 210) return avg;
  return r ?? avg;
}

function readRotation(stream: FfprobeStream): number {
  for (const side of stream.side_data_list ?? []) {
    const value = toNumber(side.rotation);
    if (value !== undefined) return -value; // display matrix rotation is counter-clockwise
  }
  return toNumber(stream.tags?.rotate) ?? 0;
}

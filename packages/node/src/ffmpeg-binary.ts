/**
 * Where the ffmpeg and ffprobe binaries are, and the error that says how to get
 * them when they are missing.
 */
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, VidaiError } from '@vidai/core';

/** The two command-line tools vidai runs. */
export type FfmpegTool = 'ffmpeg' | 'ffprobe';

/**
 * The ffmpeg binary to run: `explicit` if given, else the `VIDAI_FFMPEG`
 * environment variable, else `ffmpeg` looked up on `PATH`.
 */
export function resolveFfmpegPath(explicit?: string): string {
  return explicit || process.env.VIDAI_FFMPEG || 'ffmpeg';
}

/**
 * The ffprobe binary to run: `explicit` if given, else `VIDAI_FFPROBE`, else the
 * `ffprobe` beside an ffmpeg given as a path (`/opt/ff/bin/ffmpeg` gives
 * `/opt/ff/bin/ffprobe`), else `ffprobe` looked up on `PATH`.
 */
export function resolveFfprobePath(explicit?: string, ffmpegPath?: string): string {
  if (explicit) return explicit;
  if (process.env.VIDAI_FFPROBE) return process.env.VIDAI_FFPROBE;
  const ffmpeg = resolveFfmpegPath(ffmpegPath);
  const name = basename(ffmpeg);
  if (ffmpeg !== name && /^ffmpeg(\.exe)?$/i.test(name)) {
    return join(dirname(ffmpeg), name.replace(/ffmpeg/i, 'ffprobe'));
  }
  return 'ffprobe';
}

/** True when a spawn error means the binary is missing or cannot be executed. */
export function isBinaryMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR';
}

/**
 * The `ffmpeg-not-found` error for a binary that could not be started, saying how
 * to install it or which option points at it.
 */
export function binaryNotFoundError(tool: FfmpegTool, path: string, cause?: unknown): VidaiError {
  const option = tool === 'ffmpeg' ? 'ffmpegPath' : 'ffprobePath';
  const env = tool === 'ffmpeg' ? 'VIDAI_FFMPEG' : 'VIDAI_FFPROBE';
  const reason = (cause as { code?: unknown } | undefined)?.code === 'EACCES' ? 'is not executable' : 'was not found';
  return new VidaiError(
    ErrorCodes.FFMPEG_NOT_FOUND,
    `${tool} ${reason} (tried "${path}"). Install FFmpeg, which ships both ffmpeg and ffprobe ` +
      `(Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg), ` +
      `or pass the binary's path as the \`${option}\` option or in the ${env} environment variable.`,
    { cause, details: { tool, path } },
  );
}

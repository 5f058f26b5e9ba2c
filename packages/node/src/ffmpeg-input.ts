/**
 * What ffmpeg reads: a file, an RTSP or HTTP(S)/HLS URL, a V4L2 camera, or any
 * other input ffmpeg can open. Turns the user's description into the arguments
 * that go before `-i` (shared by ffprobe and ffmpeg) and says whether it is live.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** RTSP lower transport: `tcp` (interleaved in the RTSP connection, firewall friendly, no loss) or `udp`. */
export type RtspTransport = 'tcp' | 'udp';

/**
 * An input for ffmpeg. A string is classified by its form: `rtsp://` and
 * `rtsps://` are RTSP, `http(s)://` is HTTP (including HLS `.m3u8` playlists),
 * `/dev/videoN` is a V4L2 camera, `file://` or anything without a scheme is a file
 * path; other `scheme://` URLs (rtmp, srt, udp) are passed to ffmpeg as live inputs.
 * The object forms say the kind explicitly.
 */
export type FfmpegInput =
  | string
  | {
      /** A video file on disk. */
      kind: 'file';
      /** Path, absolute or relative to the working directory. */
      path: string;
    }
  | {
      /** An RTSP camera or server (`rtsp://` or `rtsps://`). */
      kind: 'rtsp';
      /** The stream URL, credentials included if needed (they are hidden in messages). */
      url: string;
    }
  | {
      /** An HTTP(S) stream: progressive video or an HLS playlist. */
      kind: 'http';
      /** The URL. */
      url: string;
    }
  | {
      /** A Video4Linux2 camera (Linux). */
      kind: 'v4l2';
      /** Device path, e.g. `/dev/video0`. */
      device: string;
      /** Capture size asked of the camera, in pixels. Default: the camera's default mode. */
      size?: { width: number; height: number };
      /** Capture rate asked of the camera, in frames per second. Default: the camera's default. */
      frameRate?: number;
      /** Camera pixel format or codec, e.g. `mjpeg` or `yuyv422` (`-input_format`). Default: the camera's default. */
      inputFormat?: string;
    }
  | {
      /** Anything else ffmpeg can open, with an optional demuxer (`-f`). */
      kind: 'custom';
      /** What follows `-i`. */
      input: string;
      /** Demuxer name for `-f`, e.g. `lavfi`. Default: ffmpeg guesses. */
      format?: string;
      /** Whether the input is live (reconnect instead of ending). */
      live: boolean;
    };

/** The kinds of {@link FfmpegInput}. */
export type FfmpegInputKind = 'file' | 'rtsp' | 'http' | 'v4l2' | 'custom';

/** An input resolved to ffmpeg arguments. */
export interface ResolvedInput {
  /** What kind of input it is. */
  kind: FfmpegInputKind;
  /** Arguments before `-i`, understood by both ffprobe and ffmpeg. */
  demuxerArgs: string[];
  /** The argument of `-i`. */
  target: string;
  /** Whether the input is live by default (RTSP, HTTP, V4L2, other network URLs). */
  live: boolean;
  /** A description safe for messages and logs (URL credentials hidden). */
  label: string;
  /** For files: the absolute path. */
  path?: string;
}

/** Options that shape the input arguments. */
export interface ResolveInputOptions {
  /** RTSP transport. Default: `tcp`. */
  rtspTransport?: RtspTransport;
}

/** Hides `user:password@` in a URL. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

/**
 * Classifies and resolves an input. Throws `TypeError` for an empty or malformed
 * description (a programming error).
 */
export function resolveInput(input: FfmpegInput, options: ResolveInputOptions = {}): ResolvedInput {
  const transport = options.rtspTransport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'udp') {
    throw new TypeError(`rtspTransport must be 'tcp' or 'udp', got ${String(transport)}`);
  }
  if (typeof input === 'string') return resolveInput(classify(input), options);
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('input must be a path, a URL or an object with a `kind`');
  }
  switch (input.kind) {
    case 'file': {
      requireText(input.path, 'input.path');
      const path = resolve(input.path);
      return { kind: 'file', demuxerArgs: [], target: path, live: false, label: input.path, path };
    }
    case 'rtsp':
      requireText(input.url, 'input.url');
      return { kind: 'rtsp', demuxerArgs: ['-rtsp_transport', transport], target: input.url, live: true, label: redactUrl(input.url) };
    case 'http':
      requireText(input.url, 'input.url');
      return { kind: 'http', demuxerArgs: [], target: input.url, live: true, label: redactUrl(input.url) };
    case 'v4l2': {
      requireText(input.device, 'input.device');
      const args = ['-f', 'v4l2'];
      if (input.inputFormat) args.push('-input_format', input.inputFormat);
      if (input.size) args.push('-video_size', `${input.size.width}x${input.size.height}`);
      if (input.frameRate !== undefined) args.push('-framerate', String(input.frameRate));
      return { kind: 'v4l2', demuxerArgs: args, target: input.device, live: true, label: input.device };
    }
    case 'custom':
      requireText(input.input, 'input.input');
      return {
        kind: 'custom',
        demuxerArgs: input.format ? ['-f', input.format] : [],
        target: input.input,
        live: Boolean(input.live),
        label: redactUrl(input.input),
      };
    default:
      throw new TypeError(`Unknown input kind ${JSON.stringify((input as { kind?: unknown }).kind)}`);
  }
}

function classify(text: string): Exclude<FfmpegInput, string> {
  requireText(text, 'input');
  if (/^rtsps?:\/\//i.test(text)) return { kind: 'rtsp', url: text };
  if (/^https?:\/\//i.test(text)) return { kind: 'http', url: text };
  if (/^file:\/\//i.test(text)) return { kind: 'file', path: fileURLToPath(text) };
  if (/^\/dev\/video\d+$/.test(text)) return { kind: 'v4l2', device: text };
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(text)) return { kind: 'custom', input: text, live: true };
  return { kind: 'file', path: text };
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
}

/** What an ffmpeg or ffprobe failure message says about the input. */
export type InputFailure = 'not-found' | 'unreadable' | 'other';

const notFound = /No such file or directory|No such device/i;
const unreadable =
  /Invalid data found when processing input|moov atom not found|could not find codec parameters|does not contain any stream|matches no streams|Unknown input format|no video stream|Invalid frame dimensions|Error while decoding stream|could not open codec/i;

/** Reads ffmpeg's last stderr lines to tell a missing input from an undecodable one. */
export function classifyFailure(stderr: string): InputFailure {
  if (notFound.test(stderr)) return 'not-found';
  if (unreadable.test(stderr)) return 'unreadable';
  return 'other';
}

/**
 * Makes y4m files for Chromium's fake camera (`--use-file-for-fake-video-capture`) from
 * an image or a video with ffmpeg, in a temporary directory. y4m frames are yuv420p:
 * compare browser results against a Node run on the same frame decoded back to RGB
 * ({@link decodeY4mFrame}), not on the original image.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Options for {@link makeY4m}. */
export interface MakeY4mOptions {
  /** Output width in pixels. Default: the input's width (rounded to even). */
  width?: number;
  /** Output height in pixels. Default: the input's height (rounded to even). */
  height?: number;
  /** Frame rate in frames per second. Default: 15. */
  fps?: number;
  /** Length in seconds (an image is repeated; a video is cut). Default: 2. */
  duration?: number;
  /** Directory to write into. Default: a new temporary directory. */
  dir?: string;
}

/** A generated y4m file. */
export interface Y4mFile {
  /** Absolute path of the `.y4m` file. */
  path: string;
  /** Frame width in pixels. */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** Removes the file's temporary directory (only one this helper made); safe to call twice. */
  remove(): Promise<void>;
}

/** Width and height of the first video stream of a file, with ffprobe. */
export async function probeSize(file: string): Promise<{ width: number; height: number }> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x', file,
  ]);
  const [w, h] = stdout.trim().split('x').map(Number);
  if (!w || !h) throw new Error(`ffprobe found no video size in ${file}: "${stdout.trim()}"`);
  return { width: w, height: h };
}

/** Converts an image (looped) or a video (cut) to a yuv420p y4m file. */
export async function makeY4m(input: string, options: MakeY4mOptions = {}): Promise<Y4mFile> {
  const fps = options.fps ?? 15;
  const duration = options.duration ?? 2;
  const size = await probeSize(input);
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  const width = even(options.width ?? size.width);
  const height = even(options.height ?? size.height);
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'vidai-y4m-')));
  const path = join(dir, `${Date.now().toString(36)}-${width}x${height}.y4m`);
  const isImage = /\.(jpe?g|png|bmp|webp)$/i.test(input);
  await run('ffmpeg', [
    '-v', 'error', '-y',
    ...(isImage ? ['-loop', '1', '-framerate', String(fps)] : []),
    '-i', input,
    '-t', String(duration),
    '-vf', `scale=${width}:${height}:flags=bicubic,fps=${fps}`,
    '-pix_fmt', 'yuv420p',
    '-f', 'yuv4mpegpipe',
    path,
  ]);
  let removed = false;
  return {
    path,
    width,
    height,
    async remove() {
      if (removed) return;
      removed = true;
      await rm(ownDir ? dir : path, { recursive: true, force: true });
    },
  };
}

/**
 * Decodes frame `index` of a y4m file to packed RGBA (the same yuv -> rgb conversion
 * ffmpeg applies; Chromium's own conversion may differ by a level or two per channel).
 */
export async function decodeY4mFrame(
  path: string,
  index = 0,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { width, height } = await probeSize(path);
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', '-pix_fmt', 'rgba', '-f', 'rawvideo', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: width * height * 4 + 1024 },
  );
  if (stdout.length !== width * height * 4) {
    throw new Error(`ffmpeg gave ${stdout.length} bytes for frame ${index} of ${path}; expected ${width * height * 4}`);
  }
  return { data: new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length), width, height };
}

/**
 * Reads frame `index` of a 4:2:0 y4m file as raw I420 bytes (Y, then U, then V planes,
 * tightly packed): exactly the bytes Chromium's fake camera delivers in its VideoFrames,
 * so a detector on Node given `{ format: 'i420' }` sees the very same pixels.
 */
export async function readY4mFrame(path: string, index = 0): Promise<{ data: Uint8Array; width: number; height: number }> {
  const file = await readFile(path);
  const headerEnd = file.indexOf(0x0a);
  const header = file.subarray(0, headerEnd).toString('latin1');
  if (!header.startsWith('YUV4MPEG2 ')) throw new Error(`${path} is not a y4m file`);
  const field = (tag: string) => header.split(' ').find((p) => p.startsWith(tag))?.slice(1);
  const width = Number(field('W'));
  const height = Number(field('H'));
  const chroma = field('C') ?? '420';
  if (!chroma.startsWith('420')) throw new Error(`${path} has chroma ${chroma}; only 4:2:0 is supported`);
  const frameBytes = width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  let offset = headerEnd + 1;
  for (let i = 0; ; i++) {
    const lineEnd = file.indexOf(0x0a, offset);
    if (lineEnd < 0 || !file.subarray(offset, offset + 5).equals(Buffer.from('FRAME'))) {
      throw new Error(`${path} has no frame ${index} (it has ${i})`);
    }
    const start = lineEnd + 1;
    if (i === index) return { data: new Uint8Array(file.buffer, file.byteOffset + start, frameBytes), width, height };
    offset = start + frameBytes;
  }
}

import { execFileSync } from 'node:child_process';
import type { Frame } from '@vidai/core';

/**
 * Decodes an image (or a video's first frame) to a packed rgb24 frame with the system
 * ffmpeg, the size from ffprobe; `scale` (`'W:H'`) resizes it with ffmpeg on the way.
 */
export function decodeImage(path: string, scale?: string): Frame {
  const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path]);
  const [width, height] = (scale ?? probe.toString().trim().replace(',', ':')).split(':').map(Number) as [number, number];
  const args = ['-v', 'error', '-i', path, ...(scale ? ['-vf', `scale=${scale}`] : []), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
  const raw = execFileSync('ffmpeg', args, { maxBuffer: 64 << 20 });
  if (raw.length !== width * height * 3) throw new Error(`ffmpeg gave ${raw.length} bytes for a ${width}x${height} rgb24 image`);
  return { data: new Uint8Array(raw.buffer, raw.byteOffset, raw.length), width, height, format: 'rgb', timestamp: 0, seq: 0 };
}

import type { PixelFormat } from '../packages/core/src/index.js';

/** ffmpeg's `-pix_fmt` name of each vidai pixel format, for benches that decode with ffmpeg. */
export const FFMPEG_PIX_FMT: Record<PixelFormat, string> = {
  rgb: 'rgb24',
  bgr: 'bgr24',
  rgba: 'rgba',
  gray: 'gray',
  i420: 'yuv420p',
  nv12: 'nv12',
  gbrp: 'gbrp',
};

export * from "@vidai/core";
export {
  FfmpegSource,
  type FfmpegSourceOptions,
  type FfmpegSourceEvents,
  type FfmpegSourceStats,
  type FfmpegPixelFormat,
  type OverflowPolicy,
  type ReconnectInfo,
} from './ffmpeg-source.js';
export type { FfmpegInput, FfmpegInputKind, ResolvedInput, RtspTransport } from './ffmpeg-input.js';
export { probe, type ProbeOptions, type ProbeResult } from './ffprobe.js';
export { readImage, type ReadImageOptions, type ImagePixelFormat } from './read-image.js';
export { ImageSource, imageSource, type ImageSourceOptions } from './image-source.js';
export { Backoff, DEFAULT_BACKOFF_MS } from './backoff.js';
export { resolveFfmpegPath, resolveFfprobePath } from './ffmpeg-binary.js';

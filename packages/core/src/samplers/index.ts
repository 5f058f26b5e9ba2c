/**
 * Frame samplers: which frames of a stream reach the detector.
 */
export * from './every-n-sampler.js';
export * from './fps-sampler.js';
export * from './motion-sampler.js';
export * from './adaptive-sampler.js';
export * from './scene-change-sampler.js';
export * from './create-sampler.js';
export { grayThumbnail, grayThumbnailSize, type GrayThumbnail, type GrayThumbnailOptions } from './gray-thumbnail.js';

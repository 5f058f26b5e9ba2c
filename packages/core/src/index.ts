/**
 * @vidai/core: the platform-neutral half of vidai. Frames and sources, samplers,
 * letterbox preprocessing, YOLO-family output decoders, NMS, the detector built on
 * an onnxruntime-common `InferenceSession`, the latest-frame-wins pipeline, latency
 * tracking and the detection wire format. No DOM and no `node:` imports.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './frame.js';
export * from './detection.js';
export * from './detector.js';
export * from './sampler.js';
export * from './emitter.js';
export { evaluateCoco, cocoStatsToArray, formatCocoStats } from './coco-eval.js';
export type { CocoJson, CocoImage, CocoAnnotation, CocoCategory, CocoDetection, CocoEvalOptions, CocoStats, CocoCategoryAp, CocoEvalResult } from './coco-eval.js';

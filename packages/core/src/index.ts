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
export { abortedError, checkDetectOptions, type DetectOptions, type Detector } from './detector.js';
export * from './sampler.js';
export * from './emitter.js';
export { TimerSet, type TimerOptions } from './timer-set.js';
export { validateFrame } from './validate-frame.js';
export { BT601_LIMITED, i420ToRgb, nv12ToRgb, frameToRgb } from './color-convert.js';
export { resizeBilinear } from './resize.js';
export { letterbox, letterboxTransform, modelToSourceBox } from './letterbox.js';
export type { LetterboxOptions, LetterboxTransform, LetterboxResult } from './letterbox.js';
export { evaluateCoco, cocoStatsToArray, formatCocoStats } from './coco-eval.js';
export type { CocoJson, CocoImage, CocoAnnotation, CocoCategory, CocoDetection, CocoEvalOptions, CocoStats, CocoCategoryAp, CocoEvalResult } from './coco-eval.js';
export * from './samplers/index.js';
export { DetectionCandidates, DEFAULT_SCORE_THRESHOLD } from './candidates.js';
export type { DecoderOptions } from './candidates.js';
export { nonMaxSuppression, boxIou, DEFAULT_IOU_THRESHOLD, DEFAULT_NMS_TOP_K, DEFAULT_MAX_DETECTIONS } from './nms.js';
export type { NmsOptions } from './nms.js';
export { decodeYolox, isRawYoloxOutput, anchorPointCount, DEFAULT_STRIDES } from './yolox-decoder.js';
export type { YoloxDecodeOptions } from './yolox-decoder.js';
export { decodeYolov5 } from './yolov5-decoder.js';
export { decodeYolov8 } from './yolov8-decoder.js';
export { decodeEndToEnd } from './end-to-end-decoder.js';
export type { EndToEndDecodeOptions, EndToEndLayout } from './end-to-end-decoder.js';
export { detectModelFamily, familyPreprocess, MODEL_FAMILIES } from './model-family.js';
export type { ModelFamily, ModelFamilyHints, ModelFamilyMatch, PreprocessOptions } from './model-family.js';
export { COCO_LABELS } from './coco-labels.js';
export { modelCatalog, getCatalogModel } from './model-catalog.js';
export type { CatalogModel } from './model-catalog.js';
export { withDynamicInputSize } from './onnx-dynamic-input.js';
export type { DynamicInputReport } from './onnx-dynamic-input.js';
export { YoloDetector, DEFAULT_INPUT_SIZE, DEFAULT_PAD_MULTIPLE, wantsDynamicInputSize } from './yolo-detector.js';
export type { YoloDetectorOptions, YoloCatalogDetectorOptions, InputTensorFactory } from './yolo-detector.js';
export { LatencyTracker } from './latency-tracker.js';
export type { LatencyTrackerOptions, LatencyStats, StageLatency } from './latency-tracker.js';
export { Pipeline, createPipeline } from './pipeline.js';
export type { PipelineOptions, PipelineMode, PipelineStats, PipelineEvents, PipelineErrorInfo, TimestampKind } from './pipeline.js';
export {
  WIRE_VERSION,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_WIRE_DETECTIONS,
  DEFAULT_MAX_LABEL_LENGTH,
  encodeDetectionMessage,
  encodeWireMessage,
  decodeDetectionMessage,
  decodeWireMessage,
  validateDetectionMessage,
  validateWireMessage,
  estimateClockOffset,
} from './detection-message.js';
export type {
  WireEnvelope,
  DetectionMessage,
  PingMessage,
  PongMessage,
  ErrorMessage,
  WireMessage,
  WireMessageType,
  WireLimits,
  WireInput,
  EncodeDetectionOptions,
  ClockOffsetEstimate,
} from './detection-message.js';
export { PushFrameSource } from './push-source.js';
export {
  SIGNALING_PROTOCOL_VERSION,
  DEFAULT_MAX_SIGNALING_BYTES,
  parseSignalingClientMessage,
  parseSignalingServerMessage,
  isSignalingId,
} from './signaling-message.js';
export type {
  PeerRole,
  PeerLeaveReason,
  SignalingCandidate,
  SignalingIceServer,
  SignalingPeer,
  JoinMessage,
  JoinedMessage,
  OutgoingDescriptionMessage,
  OutgoingCandidateMessage,
  SignalingClientMessage,
  SignalingServerMessage,
  SignalingLimits,
} from './signaling-message.js';

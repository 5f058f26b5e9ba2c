/**
 * @vidai/browser: object detection in the browser. `BrowserDetector` runs a YOLO model
 * with onnxruntime-web in dedicated Workers (WebGPU, WebGL or WebAssembly, with
 * fallback and a report of why), using the core letterbox, decoders and NMS so results
 * equal the Node detector's; `CameraSource`, `VideoElementSource` and `CanvasSource`
 * provide frames; `DetectionLoop` runs latest-frame-wins; `Overlay` draws the boxes on
 * the frame they belong to; `InferenceClient` sends the camera to a vidai server over
 * WebRTC instead; `PeerLink` sends a phone's camera to desktop viewers peer to peer
 * (through a vidai `SignalingServer`) and carries their detections back. Re-exports all
 * of @vidai/core.
 *
 * @packageDocumentation
 */
export * from "@vidai/core";
export { BrowserDetector } from './browser-detector.js';
export type { BrowserDetectorOptions, BrowserDetectOptions, BrowserDetectionResult, DetectorInput, DetectorLoadProgress } from './browser-detector.js';
export { DEFAULT_EXECUTION_PROVIDERS } from './execution-provider.js';
export type { ExecutionProvider, ProviderAttempt, BackendReport, WasmReport } from './execution-provider.js';
export type { ModelOptions, ResizeMode } from './inference-engine.js';
export { loadModel, DEFAULT_MODEL_CACHE } from './model-loader.js';
export type { LoadModelOptions, LoadedModel, ModelLoadProgress } from './model-loader.js';
export { CameraSource, cameraConstraints } from './camera-source.js';
export type { CameraOptions } from './camera-source.js';
export { cameraError } from './camera-error.js';
export { computeDisplayTransform, mapBoxToDisplay, mapPointToDisplay } from './display-transform.js';
export type { ObjectFit, DisplayTransform, DisplayTransformOptions } from './display-transform.js';
export { ResultTimeline } from './result-timeline.js';
export type { ResultTimelineOptions, TimelinePick } from './result-timeline.js';
export { InferenceClient } from './inference-client.js';
export type { InferenceClientOptions, InferenceClientEvents, InferenceClientState, ClientDetections } from './inference-client.js';
export type { FramePairing } from './inference-client.js';
export { RtpFrameClock } from './rtp-frame-clock.js';
export type { RtpFrameClockOptions } from './rtp-frame-clock.js';
export { ReconnectBackoff } from './reconnect-backoff.js';
export type { ReconnectOptions } from './reconnect-backoff.js';
export { Overlay } from './overlay.js';
export type { OverlayOptions, OverlayResult } from './overlay.js';
export { VideoElementSource, videoFrameTime } from './video-element-source.js';
export type { VideoElementSourceOptions } from './video-element-source.js';
export { CanvasSource } from './canvas-source.js';
export type { CanvasSourceOptions, CanvasSourceTarget } from './canvas-source.js';
export type { CaptureSource, CapturedFrame } from './capture-source.js';
export { DetectionLoop } from './detection-loop.js';
export type { DetectionLoopOptions, DetectionLoopEvents, DetectionLoopStats, LoopDetector, LoopResultInfo } from './detection-loop.js';
export { PeerLink } from './peer-link.js';
export type { PeerLinkOptions, PeerLinkEvents, PeerLinkState, PeerLinkPeer, PeerLinkTrack, PeerLinkDetections } from './peer-link.js';
export { SignalingClient, signalingUrl } from './signaling-client.js';
export type { SignalingClientOptions, SignalingClientEvents, SignalingClientState, PeerSignal } from './signaling-client.js';
export { ClockSync } from './clock-sync.js';
export type { ClockSyncOptions } from './clock-sync.js';
export type { PreferredVideoCodec } from './video-sender.js';

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
export { resolveModel, modelCacheDir, verifyModelFile } from './model-store.js';
export type { ResolveModelOptions, ResolvedModel, ModelCacheDirContext } from './model-store.js';
export type { DownloadProgress } from './download.js';
export { createDownloadProgressBar } from './progress-bar.js';
export type { ProgressBarOptions, ProgressBarStream } from './progress-bar.js';
export { defaultExecutionProviders, hasProviderBinaries } from './execution-providers.js';
export type { NodeExecutionProvider, NodeExecutionProviderName } from './execution-providers.js';
export { SessionCache, SharedSession, defaultSessionCache } from './session-cache.js';
export type { SessionCacheOptions, AcquireSessionOptions, SessionCacheStats, SessionFactory } from './session-cache.js';
export { createNodeDetector } from './create-detector.js';
export type { NodeDetectorOptions, NodeDetector } from './create-detector.js';
export { WorkerDetector } from './worker-detector.js';
export type { WorkerDetectorOptions, WorkerDetectorStats, DetectorWorkerStats, WorkerDetectorEvents } from './worker-detector.js';
export { InferenceServer } from './inference-server.js';
export type { InferenceServerOptions, InferenceServerEvents, AuthorizeHook, ListenOptions, SignalingErrorBody } from './inference-server.js';
export { InferencePeer } from './webrtc-peer.js';
export type { InferencePeerOptions, InferencePeerEvents, PeerState, PeerCloseReason, PeerStats, SessionDescription, IceCandidateInit } from './webrtc-peer.js';
export { createTurnCredentials } from './turn-credentials.js';
export type { TurnCredentialsOptions, TurnIceServer } from './turn-credentials.js';
export { RateLimiter } from './rate-limiter.js';
export type { RateLimiterOptions, RateLimitDecision } from './rate-limiter.js';
export { RtpReorderBuffer, seqDiff } from './rtp-reorder-buffer.js';
export type { RtpReorderBufferOptions, RtpReorderStats, ReorderOutput, SequencedPacket } from './rtp-reorder-buffer.js';
export { RtpFrameAssembler } from './rtp-frame-assembler.js';
export type { RtpFrameAssemblerOptions, RtpFrameAssemblerStats, EncodedVideoFrame, VideoCodecName, KeyFrameReason } from './rtp-frame-assembler.js';
export { VideoFrameDecoder } from './video-decoder.js';
export type { VideoFrameDecoderOptions, DecodedVideoFrame, DecodedPixelFormat } from './video-decoder.js';
export { addBitrateHint } from './sdp-bitrate-hint.js';
export type { BitrateHint } from './sdp-bitrate-hint.js';
export { fixDtlsRecordSequence } from './dtls-record-sequence-fix.js';
export { SignalingServer, SIGNALING_CLOSE_CODES } from './signaling-server.js';
export type {
  SignalingServerOptions,
  SignalingServerEvents,
  SignalingServerStats,
  SignalingListenOptions,
  SignalingMember,
  SignalingRefusal,
  SignalingRoomInfo,
  SignalingJoinRequest,
  SignalingAuthorizeHook,
} from './signaling-server.js';
export { PrometheusMetrics } from './prometheus-metrics.js';
export type { PrometheusMetricsOptions } from './prometheus-metrics.js';

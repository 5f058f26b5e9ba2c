import { ErrorCodes, VidaiError } from '@vidai/core';
import { cameraError, insecureContextError } from './camera-error.js';

/** Options of {@link CameraSource.open}. Sizes are preferences unless `exact` is set. */
export interface CameraOptions {
  /** `'user'` (front) or `'environment'` (back) camera. Default: the browser's choice. */
  facingMode?: 'user' | 'environment' | 'left' | 'right';
  /** A specific camera from `navigator.mediaDevices.enumerateDevices()`. Default: none. */
  deviceId?: string;
  /** Preferred width in pixels. Default: the camera's default. */
  width?: number;
  /** Preferred height in pixels. Default: the camera's default. */
  height?: number;
  /** Preferred frame rate in frames per second. Default: the camera's default. */
  frameRate?: number;
  /**
   * Make `width`, `height`, `frameRate`, `facingMode` and `deviceId` hard requirements
   * (`exact`); failing ones give `camera-overconstrained`. Default `false` (`ideal`).
   */
  exact?: boolean;
  /** Also capture the microphone (for a WebRTC call). Default `false`. */
  audio?: boolean | MediaTrackConstraints;
  /** The `MediaDevices` to use (tests, iframes). Default: `navigator.mediaDevices`. */
  mediaDevices?: MediaDevices;
}

/** Builds the `getUserMedia` constraints for {@link CameraOptions}. */
export function cameraConstraints(options: CameraOptions = {}): MediaStreamConstraints {
  const want = <T>(v: T | undefined): ConstrainULong | ConstrainDOMString | undefined =>
    v === undefined ? undefined : options.exact ? { exact: v as never } : { ideal: v as never };
  const video: MediaTrackConstraints = {};
  for (const key of ['width', 'height', 'frameRate'] as const) {
    const v = options[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0)) {
      throw new TypeError(`CameraSource: ${key} must be a positive number, got ${String(v)}.`);
    }
    const c = want(v);
    if (c !== undefined) (video as Record<string, unknown>)[key] = c;
  }
  if (options.facingMode !== undefined) video.facingMode = want(options.facingMode) as ConstrainDOMString;
  if (options.deviceId !== undefined) video.deviceId = want(options.deviceId) as ConstrainDOMString;
  return { video: Object.keys(video).length > 0 ? video : true, audio: options.audio ?? false };
}

/**
 * A camera opened with `getUserMedia`. It holds the `MediaStream` so it can be shown
 * in a `<video>` ({@link CameraSource.attach}), detected locally (wrap the video in a
 * `VideoElementSource`) or sent to a server over WebRTC (`stream` / `videoTrack`).
 * Failures are {@link VidaiError}s: `camera-denied`, `camera-not-found`,
 * `camera-overconstrained`, `camera-unavailable`, `insecure-context`, with the
 * DOMException name in `details.name`.
 *
 * @example
 * ```ts
 * const camera = await CameraSource.open({ facingMode: 'user', width: 1280, height: 720 });
 * await camera.attach(videoElement);
 * // ... later
 * await camera.close();
 * ```
 */
export class CameraSource {
  private closed = false;

  private constructor(
    /** The captured stream (video, plus audio when asked). */
    readonly stream: MediaStream,
    /** The options it was opened with. */
    readonly options: CameraOptions,
  ) {}

  /** Asks for the camera and resolves once the stream is live. */
  static async open(options: CameraOptions = {}): Promise<CameraSource> {
    const constraints = cameraConstraints(options);
    const devices = options.mediaDevices ?? (typeof navigator === 'undefined' ? undefined : navigator.mediaDevices);
    if (!devices?.getUserMedia) {
      if (typeof isSecureContext !== 'undefined' && !isSecureContext) throw insecureContextError('The camera (getUserMedia)');
      throw new VidaiError(ErrorCodes.CAMERA_UNAVAILABLE, 'This browser has no navigator.mediaDevices.getUserMedia; use a current browser.', {
        details: { name: 'NotSupportedError' },
      });
    }
    let stream: MediaStream;
    try {
      stream = await devices.getUserMedia(constraints);
    } catch (err) {
      throw cameraError(err);
    }
    return new CameraSource(stream, options);
  }

  /** The video track. */
  get videoTrack(): MediaStreamTrack {
    const track = this.stream.getVideoTracks()[0];
    if (!track) throw new VidaiError(ErrorCodes.CAMERA_UNAVAILABLE, 'The camera stream has no video track.');
    return track;
  }

  /** The settings the camera actually uses (size, frame rate, facing mode, device). */
  get settings(): MediaTrackSettings {
    return this.videoTrack.getSettings();
  }

  /**
   * True for a front camera, which users expect to see mirrored (pass it to the
   * overlay's `mirror` and mirror the `<video>` with CSS).
   */
  get isFrontFacing(): boolean {
    const mode = this.settings.facingMode ?? this.options.facingMode;
    return mode === 'user';
  }

  /**
   * Shows the stream in a `<video>` (muted and inline, as autoplay requires) and
   * resolves when it plays and its size is known.
   */
  async attach(video: HTMLVideoElement): Promise<void> {
    if (this.closed) throw new VidaiError(ErrorCodes.CLOSED, 'CameraSource.attach() after close(); open the camera again.');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = this.stream;
    if (video.readyState < HTMLMediaElement.HAVE_METADATA) {
      await new Promise<void>((resolve) => video.addEventListener('loadedmetadata', () => resolve(), { once: true }));
    }
    await video.play();
  }

  /** Stops every track. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const track of this.stream.getTracks()) track.stop();
  }
}

/**
 * In-process video decoding with FFmpeg's libavcodec through `node-av` (prebuilt
 * bindings from the npm registry): encoded VP8 frames or H.264 access units in,
 * tightly packed pixels out. One decoder per peer, single-threaded so that no frame
 * is held back (frame threading delays output by one frame per thread).
 *
 * Chosen over an ffmpeg child process fed through a pipe, which adds a process per
 * peer and holds frames back: `bench/decode.bench.ts` (640x480 at 30 fps, 2 loaded
 * cores) measured in-process decoding plus BGR conversion at p50 1.6 ms / p95 6.7 ms
 * per frame for VP8 and 1.5 / 6.7 ms for H.264, against p50 104 ms / p95 191 ms from
 * writing a VP8 frame into ffmpeg's stdin to reading its pixels back.
 */
import { Codec, CodecContext, Frame as AvFrame, Log, Packet, SoftwareScaleContext } from 'node-av/lib';
import {
  AV_CODEC_ID_H264,
  AV_CODEC_ID_VP8,
  AV_LOG_QUIET,
  AV_PIX_FMT_BGR24,
  AV_PIX_FMT_GBRP,
  AV_PIX_FMT_RGB24,
  AV_PIX_FMT_RGBA,
  AV_PIX_FMT_YUV420P,
  AVERROR_EAGAIN,
  SWS_ACCURATE_RND,
  SWS_AREA,
  SWS_BILINEAR,
  SWS_FULL_CHR_H_INT,
  type AVPixelFormat,
  type SwsFlags,
} from 'node-av/constants';
import { VidaiError, ErrorCodes, letterboxTransform, type Frame, type LetterboxOptions } from '@vidai/core';
import type { EncodedVideoFrame, VideoCodecName } from './rtp-frame-assembler.js';

/** Pixel formats the decoder can output. */
export type DecodedPixelFormat = 'bgr' | 'rgb' | 'rgba' | 'i420';

/** Options of {@link VideoFrameDecoder}. */
export interface VideoFrameDecoderOptions {
  /** Pixel format of the frames produced. Default: `'bgr'` (what YOLOX models take). */
  format?: DecodedPixelFormat;
  /**
   * A detector's letterbox options (`{ size: detector.inputSize, ...detector.preprocess }`):
   * the colour conversion also scales each picture to the size the letterbox would
   * resize it to, with swscale's `area` filter as `FfmpegSource`'s `fitWithin` does, and
   * frames come out planar (`'gbrp'`, `format` is then ignored) with the decoded size as
   * `displayWidth`/`displayHeight`. The detector then only pads and converts. Default:
   * none (full-size frames in `format`).
   */
  fitWithin?: LetterboxOptions;
}

/** A decoded picture with the facts of the encoded frame it came from. */
export interface DecodedVideoFrame {
  /** The pixels, tightly packed; `timestamp` and `seq` are for the caller to set. */
  frame: Omit<Frame, 'timestamp' | 'seq'>;
  /** RTP timestamp of the encoded frame. */
  rtpTimestamp: number;
  /** Time spent decoding and converting, in ms. */
  decodeMs: number;
}

const codecIds = { vp8: AV_CODEC_ID_VP8, h264: AV_CODEC_ID_H264 } as const;
const pixelFormats: Record<Exclude<DecodedPixelFormat, 'i420'>, { av: AVPixelFormat; bytes: number }> = {
  bgr: { av: AV_PIX_FMT_BGR24, bytes: 3 },
  rgb: { av: AV_PIX_FMT_RGB24, bytes: 3 },
  rgba: { av: AV_PIX_FMT_RGBA, bytes: 4 },
};

let logSilenced = false;

/**
 * Decodes one video stream in-process. Feed frames in order with {@link decode};
 * after a decoding error, feed a key frame next (the frame assembler does this).
 * Calls are synchronous (see {@link VideoFrameDecoder.decode}).
 *
 * @example
 * ```ts
 * const decoder = new VideoFrameDecoder('vp8');
 * const out = decoder.decode(encodedFrame); // DecodedVideoFrame | undefined
 * decoder.close();
 * ```
 */
export class VideoFrameDecoder {
  private ctx: CodecContext | undefined;
  private readonly packet = new Packet();
  private readonly picture = new AvFrame();
  private scaler: SoftwareScaleContext | undefined;
  private scalerKey = '';
  /** The size {@link scaler} scales to, computed when it was made. */
  private scaledWidth = 0;
  private scaledHeight = 0;
  private readonly format: DecodedPixelFormat;
  private readonly fitWithin: LetterboxOptions | undefined;
  /** Frames decoded so far. */
  decoded = 0;
  /** Frames the decoder rejected. */
  errors = 0;

  /**
   * @param codec - The codec of the encoded frames: `'vp8'` or `'h264'`.
   * @param options - Output pixel format; see {@link VideoFrameDecoderOptions}.
   */
  constructor(
    /** The codec of the encoded frames. */
    readonly codec: VideoCodecName,
    options: VideoFrameDecoderOptions = {},
  ) {
    if (!(codec in codecIds)) throw new TypeError(`codec must be 'vp8' or 'h264', got ${String(codec)}`);
    this.format = options.format ?? 'bgr';
    if (this.format !== 'i420' && !(this.format in pixelFormats)) {
      throw new TypeError(`format must be one of bgr, rgb, rgba, i420; got ${String(options.format)}`);
    }
    this.fitWithin = options.fitWithin;
    // Fails early (TypeError) on letterbox options that cannot fit anything.
    if (this.fitWithin) letterboxTransform(16, 16, this.fitWithin);
    if (!logSilenced) {
      // Corrupt input is reported through our own errors; libav's stderr chatter is noise.
      Log.setLevel(AV_LOG_QUIET);
      logSilenced = true;
    }
    const avCodec = Codec.findDecoder(codecIds[codec]);
    if (!avCodec) {
      throw new VidaiError(ErrorCodes.UNSUPPORTED_FORMAT, `The bundled FFmpeg has no ${codec} decoder; reinstall node-av.`);
    }
    const ctx = new CodecContext();
    ctx.allocContext3(avCodec);
    ctx.threadCount = 1;
    const ret = ctx.open2Sync(avCodec, null);
    if (ret < 0) {
      ctx.freeContext();
      throw new VidaiError(ErrorCodes.UNSUPPORTED_FORMAT, `Could not open the ${codec} decoder (error ${ret}).`);
    }
    this.ctx = ctx;
    this.packet.alloc();
    this.picture.alloc();
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.ctx === undefined;
  }

  /**
   * Decodes one encoded frame, synchronously: about 2-4 ms for 640x480 including the
   * colour conversion, cheaper on the event loop than a round trip through libuv's
   * thread pool, which the ONNX runtime's async runs also use. Returns the picture, or
   * `undefined` when the decoder produced none (it rejected the data: counted in
   * {@link errors}; send a key frame next).
   *
   * @throws VidaiError `closed` after {@link close}.
   */
  decode(encoded: EncodedVideoFrame): DecodedVideoFrame | undefined {
    const ctx = this.ctx;
    if (!ctx) throw new VidaiError(ErrorCodes.CLOSED, 'The decoder is closed.');
    const t0 = performance.now();
    this.packet.data = Buffer.from(encoded.data.buffer, encoded.data.byteOffset, encoded.data.byteLength);
    this.packet.pts = BigInt(encoded.rtpTimestamp);
    this.packet.dts = BigInt(encoded.rtpTimestamp);
    let ret = ctx.sendPacketSync(this.packet);
    this.packet.unref();
    if (ret < 0 && ret !== AVERROR_EAGAIN) {
      this.errors++;
      return undefined;
    }
    ret = ctx.receiveFrameSync(this.picture);
    if (ret < 0) {
      if (ret !== AVERROR_EAGAIN) this.errors++;
      return undefined;
    }
    try {
      const frame = this.convert();
      this.decoded++;
      return { frame, rtpTimestamp: encoded.rtpTimestamp, decodeMs: performance.now() - t0 };
    } finally {
      this.picture.unref();
    }
  }

  private convert(): Omit<Frame, 'timestamp' | 'seq'> {
    const pic = this.picture;
    const width = pic.width;
    const height = pic.height;
    const planes = pic.data;
    if (!planes) throw new VidaiError(ErrorCodes.INVALID_FRAME, 'The decoder returned a frame without pixels.');
    if (this.fitWithin) return this.convertFitted(width, height, planes);
    if (this.format === 'i420' && pic.format === AV_PIX_FMT_YUV420P) {
      return { data: copyI420(planes, pic.linesize, width, height), width, height, format: 'i420' };
    }
    const target = this.format === 'i420' ? { av: AV_PIX_FMT_YUV420P, bytes: 0 } : pixelFormats[this.format];
    const scaler = this.ensureScaler(`${width}x${height}:${pic.format}`, width, height, () => ({ width, height }), target.av, SWS_BILINEAR);
    if (this.format === 'i420') {
      const cw = (width + 1) >> 1;
      const ch = (height + 1) >> 1;
      const out = Buffer.alloc(width * height + 2 * cw * ch);
      const y = out.subarray(0, width * height);
      const u = out.subarray(width * height, width * height + cw * ch);
      const v = out.subarray(width * height + cw * ch);
      scaler.scaleSync(planes, pic.linesize, 0, height, [y, u, v], [width, cw, cw]);
      return { data: new Uint8Array(out.buffer, out.byteOffset, out.length), width, height, format: 'i420' };
    }
    const out = Buffer.alloc(width * height * target.bytes);
    scaler.scaleSync(planes, pic.linesize, 0, height, [out], [width * target.bytes]);
    return { data: new Uint8Array(out.buffer, out.byteOffset, out.length), width, height, format: this.format };
  }

  /** The picture scaled to the letterbox's resized size, planar gbrp, with its decoded size as display size. */
  private convertFitted(width: number, height: number, planes: NonNullable<AvFrame['data']>): Omit<Frame, 'timestamp' | 'seq'> {
    const pic = this.picture;
    const scaler = this.ensureScaler(
      `${width}x${height}:${pic.format}:fit`,
      width,
      height,
      () => {
        const { contentWidth, contentHeight } = letterboxTransform(width, height, this.fitWithin!);
        return { width: contentWidth, height: contentHeight };
      },
      AV_PIX_FMT_GBRP,
      (SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT) as SwsFlags,
    );
    const w = this.scaledWidth;
    const h = this.scaledHeight;
    const n = w * h;
    const out = Buffer.alloc(3 * n);
    // gbrp planes: green, blue, red.
    scaler.scaleSync(planes, pic.linesize, 0, height, [out.subarray(0, n), out.subarray(n, 2 * n), out.subarray(2 * n)], [w, w, w]);
    return { data: new Uint8Array(out.buffer, out.byteOffset, out.length), width: w, height: h, displayWidth: width, displayHeight: height, format: 'gbrp' };
  }

  /**
   * The scaler from the picture (`width`x`height` in its decoded format) to `outFormat` at
   * the size `scaledSize` gives, made anew only when `key` changed: the key names the
   * source size and format, all that the output size depends on, so `scaledSize` runs only
   * then and its result is kept in {@link scaledWidth}/{@link scaledHeight}.
   */
  private ensureScaler(
    key: string,
    width: number,
    height: number,
    scaledSize: () => { width: number; height: number },
    outFormat: AVPixelFormat,
    flags: SwsFlags,
  ): SoftwareScaleContext {
    if (!this.scaler || this.scalerKey !== key) {
      const size = scaledSize();
      this.scaler?.freeContext();
      this.scaler = new SoftwareScaleContext();
      this.scaler.getContext(width, height, this.picture.format as AVPixelFormat, size.width, size.height, outFormat, flags);
      this.scalerKey = key;
      this.scaledWidth = size.width;
      this.scaledHeight = size.height;
    }
    return this.scaler;
  }

  /** Releases the codec context and buffers. Safe to call twice. */
  close(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    this.ctx = undefined;
    ctx.freeContext();
    this.scaler?.freeContext();
    this.scaler = undefined;
    this.packet.free();
    this.picture.free();
  }
}

function copyI420(planes: Buffer[], linesize: number[], width: number, height: number): Uint8Array {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const out = new Uint8Array(width * height + 2 * cw * ch);
  let o = 0;
  const copy = (plane: Buffer, stride: number, w: number, h: number) => {
    for (let r = 0; r < h; r++) {
      out.set(plane.subarray(r * stride, r * stride + w), o);
      o += w;
    }
  };
  copy(planes[0]!, linesize[0]!, width, height);
  copy(planes[1]!, linesize[1]!, cw, ch);
  copy(planes[2]!, linesize[2]!, cw, ch);
  return out;
}

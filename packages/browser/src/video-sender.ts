/**
 * Settings of an outgoing video track shared by the browser's WebRTC clients: the
 * codec preferred in the offer and the highest bitrate of the encoder.
 */
import { ErrorCodes, VidaiError } from '@vidai/core';

/** A video codec a client may prefer. */
export type PreferredVideoCodec = 'vp8' | 'vp9' | 'h264' | 'av1';

/**
 * Offers only `codec` on the transceiver (H.264: the constrained-baseline,
 * packetization-mode=1 profile first, which every decoder takes), so the peer must use
 * it. Does nothing when `codec` is undefined or the browser cannot set codec preferences.
 *
 * @throws VidaiError `unsupported-format` when the browser cannot send `codec`.
 */
export function preferVideoCodec(transceiver: RTCRtpTransceiver, codec: PreferredVideoCodec | undefined): void {
  if (!codec || typeof RTCRtpSender === 'undefined' || typeof RTCRtpSender.getCapabilities !== 'function' || !transceiver.setCodecPreferences) return;
  const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
  const mime = `video/${codec}`;
  const preferred = codecs.filter((c) => c.mimeType.toLowerCase() === mime);
  if (preferred.length === 0) {
    throw new VidaiError(ErrorCodes.UNSUPPORTED_FORMAT, `This browser cannot send ${codec}; leave codec unset or pick another.`);
  }
  const score = (c: { sdpFmtpLine?: string }): number => {
    const f = c.sdpFmtpLine ?? '';
    return (f.includes('packetization-mode=1') ? 2 : 0) + (/profile-level-id=42e0/i.test(f) ? 1 : 0);
  };
  preferred.sort((a, b) => score(b) - score(a));
  transceiver.setCodecPreferences(preferred);
}

/** Encoder settings of {@link configureSender}. */
export interface SenderSettings {
  /** Highest bitrate, bit/s. Default: the browser's. */
  maxBitrate?: number;
  /**
   * What the encoder gives up first when bandwidth or CPU run short. Detection needs
   * pixels more than frames (a detector runs at a few to a dozen frames per second),
   * so `'maintain-resolution'` suits it. Default: the browser's (`'balanced'`).
   */
  degradationPreference?: RTCDegradationPreference;
}

/**
 * Applies encoder settings once the sender has encodings (after negotiation);
 * failures are ignored (a browser that lacks a setting keeps its own).
 */
export async function configureSender(sender: RTCRtpSender, settings: SenderSettings): Promise<void> {
  if (!settings.maxBitrate && !settings.degradationPreference) return;
  const params = sender.getParameters();
  if (settings.maxBitrate) {
    if (!params.encodings?.[0]) return;
    params.encodings[0].maxBitrate = settings.maxBitrate;
  }
  if (settings.degradationPreference) params.degradationPreference = settings.degradationPreference;
  await sender.setParameters(params).catch(() => {});
}

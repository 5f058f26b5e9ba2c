/**
 * Adds Chrome's bitrate hints (`x-google-min-bitrate`, `x-google-start-bitrate`,
 * `x-google-max-bitrate`, in kbit/s) to the video codecs of an answer. werift sends no
 * receiver bandwidth estimate (REMB or transport-cc feedback), so without a hint Chrome
 * stays near 300 kbit/s and scales the camera down to 480x360 or less; with a start and
 * minimum rate it keeps 640x480 (measured with a 640x480 30 fps fake camera over 8 s:
 * 319-347 kbit/s and 480x360 without the hint, 1387-1739 kbit/s at 640x480 with it).
 */

/** Bitrate hints for the sender, in kbit/s. */
export interface BitrateHint {
  /** Lowest rate the sender's estimate may fall to, kbit/s. Default: 600. */
  minKbps?: number;
  /** Rate the sender starts at, kbit/s. Default: 1500. */
  startKbps?: number;
  /** Highest rate, kbit/s. Default: 4000. */
  maxKbps?: number;
}

const VIDEO_CODECS = /^(vp8|vp9|h264|av1)$/i;

/**
 * Returns `sdp` with the hint added to every video codec's `a=fmtp` line (creating the
 * line when the codec has none). Other lines are unchanged.
 */
export function addBitrateHint(sdp: string, hint: BitrateHint = {}): string {
  const min = hint.minKbps ?? 600;
  const start = hint.startKbps ?? 1500;
  const max = hint.maxKbps ?? 4000;
  for (const [name, v] of Object.entries({ minKbps: min, startKbps: start, maxKbps: max })) {
    if (!Number.isInteger(v) || v <= 0) throw new TypeError(`bitrate hint ${name} must be a positive integer (kbit/s), got ${v}`);
  }
  if (!(min <= start && start <= max)) throw new TypeError(`bitrate hint must satisfy min <= start <= max, got ${min}, ${start}, ${max}`);
  const params = `x-google-min-bitrate=${min};x-google-start-bitrate=${start};x-google-max-bitrate=${max}`;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  let section: string[] = [];
  const flush = () => {
    if (section.length === 0) return;
    if (section[0]!.startsWith('m=video')) {
      const videoPts = new Set<string>();
      for (const line of section) {
        const m = /^a=rtpmap:(\d+) ([^/]+)\//.exec(line);
        if (m && VIDEO_CODECS.test(m[2]!)) videoPts.add(m[1]!);
      }
      const withFmtp = new Set<string>();
      section = section.map((line) => {
        const m = /^a=fmtp:(\d+) (.*)$/.exec(line);
        if (!m || !videoPts.has(m[1]!) || m[2]!.includes('x-google-')) return line;
        withFmtp.add(m[1]!);
        return `${line};${params}`;
      });
      const extra: string[] = [];
      for (const pt of videoPts) if (!withFmtp.has(pt) && !section.some((l) => l.startsWith(`a=fmtp:${pt} `))) extra.push(`a=fmtp:${pt} ${params}`);
      // Insert after the codec's rtpmap line.
      for (const line of extra) {
        const pt = line.slice(7, line.indexOf(' '));
        const at = section.findIndex((l) => l.startsWith(`a=rtpmap:${pt} `));
        section.splice(at + 1, 0, line);
      }
    }
    out.push(...section);
    section = [];
  };
  for (const line of lines) {
    if (line.startsWith('m=')) flush();
    section.push(line);
  }
  flush();
  return out.join(eol);
}

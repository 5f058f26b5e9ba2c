/** The frames of an IVF stream (VP8 as ffmpeg writes it with `-f ivf`): a file header, then a 12-byte header per frame. */
export function ivfFrames(ivf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = ivf.readUInt16LE(6); at + 12 <= ivf.length; ) {
    const size = ivf.readUInt32LE(at);
    out.push(ivf.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return out;
}

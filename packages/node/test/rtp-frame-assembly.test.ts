import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { RtpReorderBuffer, seqDiff } from '../src/rtp-reorder-buffer.js';
import { RtpFrameAssembler, type KeyFrameReason } from '../src/rtp-frame-assembler.js';

/** A VP8 RTP packet: descriptor byte (S bit for a frame's first packet), then payload. */
function vp8(seq: number, timestamp: number, opts: { first?: boolean; last?: boolean; key?: boolean; body?: number[] } = {}): RtpPacket {
  const descriptor = opts.first ? 0x10 : 0x00;
  // VP8 payload header: bit 0 of the first byte is P (0 = key frame); only on the first packet.
  const header = opts.first ? [opts.key ? 0x00 : 0x01, 0, 0] : [];
  const payload = Buffer.from([descriptor, ...header, ...(opts.body ?? [seq & 0xff])]);
  return new RtpPacket(new RtpHeader({ sequenceNumber: seq & 0xffff, timestamp, marker: !!opts.last, payloadType: 96, ssrc: 1 }), payload);
}

/** A frame of `n` packets starting at `seq`. */
function frame(seq: number, timestamp: number, n: number, key: boolean): RtpPacket[] {
  return Array.from({ length: n }, (_, i) => vp8(seq + i, timestamp, { first: i === 0, last: i === n - 1, key }));
}

describe('RtpReorderBuffer', () => {
  it('puts reordered packets back in order, across the 16-bit wrap', () => {
    const buffer = new RtpReorderBuffer({ now: () => 0 });
    const seqs = [65534, 0, 65535, 2, 1];
    const out = seqs.flatMap((s) => buffer.push(vp8(s, 0)));
    expect(out.map((o) => o.packet?.header.sequenceNumber)).toEqual([65534, 65535, 0, 1, 2]);
    expect(buffer.stats).toMatchObject({ received: 5, reordered: 2, lost: 0 });
    expect(seqDiff(0, 65535)).toBe(1);
  });

  it('declares a gap lost after maxDelayMs and drops duplicates and late packets', () => {
    let t = 0;
    const buffer = new RtpReorderBuffer({ maxDelayMs: 40, now: () => t });
    expect(buffer.push(vp8(10, 0))).toHaveLength(1);
    expect(buffer.push(vp8(13, 0))).toEqual([]); // 11, 12 missing
    t = 50;
    const out = buffer.push(vp8(14, 0));
    expect(out.map((o) => (o.packet ? o.packet.header.sequenceNumber : `lost ${o.lost}`))).toEqual(['lost 2', 13, 14]);
    expect(buffer.push(vp8(11, 0))).toEqual([]); // too late
    expect(buffer.push(vp8(14, 0))).toEqual([]); // duplicate
    expect(buffer.stats).toMatchObject({ lost: 2, late: 2 });
  });
});

describe('RtpFrameAssembler', () => {
  function setup() {
    const reasons: KeyFrameReason[] = [];
    const assembler = new RtpFrameAssembler('vp8', { onNeedKeyFrame: (r) => reasons.push(r), now: () => 0 });
    const feed = (packets: RtpPacket[]) => packets.map((p) => assembler.push(p)).filter((f) => f !== undefined);
    return { assembler, reasons, feed };
  }

  it('waits for a key frame at start, asking for one, then passes whole frames', () => {
    const { assembler, reasons, feed } = setup();
    expect(feed(frame(0, 0, 2, false))).toEqual([]); // a delta frame before any key frame
    expect(reasons).toEqual(['start', 'waiting']);
    const [key] = feed(frame(2, 3000, 3, true));
    expect(key).toMatchObject({ codec: 'vp8', keyFrame: true, rtpTimestamp: 3000 });
    const [delta] = feed(frame(5, 6000, 2, false));
    expect(delta).toMatchObject({ keyFrame: false, rtpTimestamp: 6000 });
    expect(assembler.stats).toMatchObject({ frames: 2, keyFrames: 1, dropped: 1 });
  });

  it('after a loss drops every frame until the next key frame and requests one', () => {
    const { assembler, reasons, feed } = setup();
    feed(frame(0, 0, 2, true));
    const reorder = new RtpReorderBuffer<RtpPacket>({ maxDelayMs: 0, now: () => 0 });
    const passed: number[] = [];
    // frame at 3000 loses its second packet (seq 3); frames 6000 and 9000 are deltas; 12000 is a key frame
    const packets = [...frame(2, 3000, 3, false).filter((p) => p.header.sequenceNumber !== 3), ...frame(5, 6000, 2, false), ...frame(7, 9000, 2, false), ...frame(9, 12000, 2, true), ...frame(11, 15000, 2, false)];
    for (const p of packets) {
      for (const out of reorder.push(p)) {
        const f = out.packet ? assembler.push(out.packet) : assembler.markLoss();
        if (f) passed.push(f.rtpTimestamp);
      }
    }
    expect(passed).toEqual([12000, 15000]);
    expect(reasons).toContain('loss');
    // the request is repeated for every frame dropped while waiting (the first key frame may be lost too)
    expect(reasons.filter((r) => r === 'waiting').length).toBe(3); // the tail of 3000, then 6000 and 9000
    expect(assembler.awaitingKeyFrame).toBe(false);
  });

  it('treats a frame whose marker never came as incomplete', () => {
    const { feed, reasons } = setup();
    feed(frame(0, 0, 2, true));
    // first packet of 3000 arrives, then 6000 begins: 3000 lost its end
    expect(feed([vp8(2, 3000, { first: true }), ...frame(3, 6000, 2, false)])).toEqual([]);
    expect(reasons).toContain('loss');
  });

  it('rejects garbage payloads without throwing and asks for a key frame', () => {
    const reasons: KeyFrameReason[] = [];
    const assembler = new RtpFrameAssembler('h264', { onNeedKeyFrame: (r) => reasons.push(r) });
    const garbage = new RtpPacket(new RtpHeader({ sequenceNumber: 1, timestamp: 1, marker: true, payloadType: 96, ssrc: 1 }), Buffer.alloc(0));
    expect(assembler.push(garbage)).toBeUndefined();
    expect(reasons).toContain('corrupt');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import { fixDtlsRecordSequence } from '../src/dtls-record-sequence-fix.js';

/** DTLS records (epoch, sequence number) found in one datagram (RFC 6347 4.1 header). */
function records(datagram: Buffer): Array<{ type: number; epoch: number; seq: number }> {
  const out: Array<{ type: number; epoch: number; seq: number }> = [];
  let o = 0;
  while (o + 13 <= datagram.length) {
    const type = datagram[o]!;
    if (type < 20 || type > 25) break;
    out.push({ type, epoch: datagram.readUInt16BE(o + 3), seq: datagram.readUIntBE(o + 5, 6) });
    o += 13 + datagram.readUInt16BE(o + 11);
  }
  return out;
}

/** Records every DTLS record a peer sends on its ICE connections. */
function captureRecords(pc: RTCPeerConnection): Array<{ type: number; epoch: number; seq: number }> {
  const seen: Array<{ type: number; epoch: number; seq: number }> = [];
  for (const t of pc.dtlsTransports) {
    const conn = t.iceTransport.connection as unknown as { send(data: Buffer): Promise<void> };
    const send = conn.send.bind(conn);
    conn.send = (data: Buffer) => {
      seen.push(...records(data));
      return send(data);
    };
  }
  return seen;
}

const open: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pc) => pc.close()));
});

/** Connects two werift peers with a DataChannel and exchanges a few messages. */
async function exchange(applyFix: boolean) {
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  open.push(a, b);
  const channel = a.createDataChannel('probe');
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  if (applyFix) expect(fixDtlsRecordSequence(b)).toBe(1);
  const sentByB = captureRecords(b);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  if (applyFix) fixDtlsRecordSequence(a);
  const sentByA = captureRecords(a);
  const remote = await new Promise<RTCDataChannel>((resolve) => b.onDataChannel.subscribe(resolve));
  await new Promise<void>((resolve) => (channel.readyState === 'open' ? resolve() : channel.stateChanged.subscribe((s) => s === 'open' && resolve())));
  const received: string[] = [];
  const all = new Promise<void>((resolve) =>
    channel.onMessage.subscribe((m) => {
      received.push(m.toString());
      if (received.length === 12) resolve();
    }),
  );
  for (let i = 0; i < 12; i++) remote.send(`m${i}`);
  await all;
  return { sentByA, sentByB };
}

function duplicates(list: Array<{ epoch: number; seq: number }>): string[] {
  const keys = list.map((r) => `${r.epoch}:${r.seq}`);
  return keys.filter((k, i) => keys.indexOf(k) !== i);
}

describe('fixDtlsRecordSequence', () => {
  it('numbers Finished as record 0 of epoch 1, so no DTLS record number is reused', async () => {
    const { sentByA, sentByB } = await exchange(true);
    for (const sent of [sentByA, sentByB]) {
      const epoch1 = sent.filter((r) => r.epoch === 1);
      expect(epoch1.length).toBeGreaterThan(8);
      // the first epoch-1 record is the Finished handshake record, numbered 0
      expect(epoch1[0]).toMatchObject({ type: 22, seq: 0 });
      expect(duplicates(sent.filter((r) => r.type !== 22))).toEqual([]);
      expect(duplicates(epoch1)).toEqual([]);
    }
  });

  it('is needed: unpatched werift reuses the Finished record number for application data', async () => {
    // When this fails, werift numbers records correctly and the workaround can go.
    const { sentByA, sentByB } = await exchange(false);
    const reused = [sentByA, sentByB].map((sent) => duplicates(sent.filter((r) => r.epoch === 1)));
    expect(reused.some((d) => d.length > 0)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { isVidaiError } from './errors.js';
import { parseSignalingClientMessage, parseSignalingServerMessage } from './signaling-message.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isVidaiError(e) ? e.code : `not a VidaiError: ${String(e)}`;
  }
  return undefined;
};

describe('parseSignalingClientMessage', () => {
  it('returns fresh messages with only the known fields', () => {
    expect(parseSignalingClientMessage('{"type":"join","v":1,"room":"r-1","role":"viewer","peerId":"p_1","token":"t","x":1}')).toEqual({
      type: 'join',
      v: 1,
      room: 'r-1',
      role: 'viewer',
      peerId: 'p_1',
      token: 't',
    });
    expect(parseSignalingClientMessage('{"type":"candidate","to":"a","candidate":{"candidate":"c","sdpMid":null,"sdpMLineIndex":1,"x":2}}')).toEqual({
      type: 'candidate',
      to: 'a',
      candidate: { candidate: 'c', sdpMid: null, sdpMLineIndex: 1 },
    });
    expect(parseSignalingClientMessage('{"type":"offer","to":"a","sdp":"v=0","from":"forged"}')).toEqual({ type: 'offer', to: 'a', sdp: 'v=0' });
  });

  it('refuses what is not a message of the protocol with signaling-invalid', () => {
    for (const bad of [
      undefined,
      'x',
      '1',
      '[]',
      '{"type":"join","v":2,"room":"r","role":"viewer","peerId":"p"}',
      '{"type":"join","v":1,"room":"r r","role":"viewer","peerId":"p"}',
      '{"type":"join","v":1,"room":"r","role":"admin","peerId":"p"}',
      `{"type":"join","v":1,"room":"${'r'.repeat(65)}","role":"viewer","peerId":"p"}`,
      '{"type":"offer","to":"a","sdp":""}',
      '{"type":"candidate","to":"a","candidate":{"candidate":1}}',
      '{"type":"candidate","to":"a","candidate":{"candidate":"c","__proto__":{}}}',
      '{"type":"ping","constructor":1}',
    ]) {
      expect(code(() => parseSignalingClientMessage(bad)), String(bad)).toBe('signaling-invalid');
    }
  });

  it('checks the size before parsing (payload-too-large)', () => {
    const sdp = 'é'.repeat(40_000); // 80 000 UTF-8 bytes in 40 000 characters
    expect(code(() => parseSignalingClientMessage(JSON.stringify({ type: 'offer', to: 'a', sdp })))).toBe('payload-too-large');
    expect(parseSignalingClientMessage(JSON.stringify({ type: 'offer', to: 'a', sdp }), { maxBytes: 100_000 }).type).toBe('offer');
  });
});

describe('parseSignalingServerMessage', () => {
  it('parses what the relay sends', () => {
    expect(
      parseSignalingServerMessage('{"type":"joined","room":"r","peerId":"p","role":"sender","peers":[{"peerId":"v","role":"viewer"}],"iceServers":[{"urls":"stun:s"}]}'),
    ).toEqual({ type: 'joined', room: 'r', peerId: 'p', role: 'sender', peers: [{ peerId: 'v', role: 'viewer' }], iceServers: [{ urls: 'stun:s' }] });
    expect(parseSignalingServerMessage('{"type":"peer-left","peer":{"peerId":"v","role":"viewer"},"reason":"lost"}')).toMatchObject({ reason: 'lost' });
    expect(parseSignalingServerMessage('{"type":"error","code":"room-full","message":"full"}')).toEqual({ type: 'error', code: 'room-full', message: 'full' });
    expect(code(() => parseSignalingServerMessage('{"type":"peer-left","peer":{"peerId":"v","role":"viewer"},"reason":"why"}'))).toBe('signaling-invalid');
  });
});

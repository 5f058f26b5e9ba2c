import { describe, expect, it } from 'vitest';
import { addBitrateHint } from '../src/sdp-bitrate-hint.js';
import { RateLimiter } from '../src/rate-limiter.js';
import { createTurnCredentials } from '../src/turn-credentials.js';

describe('createTurnCredentials', () => {
  it('follows the TURN REST scheme (vector computed with openssl dgst -sha1 -hmac)', () => {
    const c = createTurnCredentials({ urls: 'turn:turn.example.com:3478', secret: 'north', user: 'alice', ttlSeconds: 3600, now: 1_700_000_000_000 });
    expect(c).toEqual({ urls: ['turn:turn.example.com:3478'], username: '1700003600:alice', credential: 'wjwSXO2ch1B6VaLTLMy2Avn5O9o=' });
  });

  it('rejects what a TURN server would refuse', () => {
    expect(() => createTurnCredentials({ urls: 'stun:x', secret: 's' })).toThrow(TypeError);
    expect(() => createTurnCredentials({ urls: 'turn:x', secret: '' })).toThrow(TypeError);
    expect(() => createTurnCredentials({ urls: 'turn:x', secret: 's', user: 'a:b' })).toThrow(TypeError);
    expect(() => createTurnCredentials({ urls: 'turn:x', secret: 's', ttlSeconds: 0 })).toThrow(TypeError);
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then one request per interval, per key', () => {
    let t = 0;
    const limiter = new RateLimiter({ perMinute: 6, burst: 2, now: () => t });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(limiter.take('b').allowed).toBe(true); // other clients are not affected
    t = 10_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('forgets the oldest keys beyond maxKeys', () => {
    const limiter = new RateLimiter({ perMinute: 1, burst: 1, maxKeys: 2, now: () => 0 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('c'); // evicts a
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('c').allowed).toBe(false);
  });
});

describe('addBitrateHint', () => {
  const sdp = [
    'v=0',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
    'a=rtpmap:96 VP8/90000',
    'a=rtpmap:97 H264/90000',
    'a=fmtp:97 profile-level-id=42e01f;packetization-mode=1',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'a=sctp-port:5000',
    '',
  ].join('\r\n');

  it('adds the hint to every video codec, creating an fmtp line where there is none', () => {
    const out = addBitrateHint(sdp, { minKbps: 500, startKbps: 1000, maxKbps: 3000 });
    const hint = 'x-google-min-bitrate=500;x-google-start-bitrate=1000;x-google-max-bitrate=3000';
    expect(out.split('\r\n')).toEqual([
      'v=0',
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
      'a=rtpmap:96 VP8/90000',
      `a=fmtp:96 ${hint}`,
      'a=rtpmap:97 H264/90000',
      `a=fmtp:97 profile-level-id=42e01f;packetization-mode=1;${hint}`,
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'a=sctp-port:5000',
      '',
    ]);
    expect(addBitrateHint(out)).toBe(out); // a second call adds nothing
  });

  it('checks the rates', () => {
    expect(() => addBitrateHint(sdp, { minKbps: 2000, startKbps: 1000 })).toThrow(TypeError);
    expect(() => addBitrateHint(sdp, { maxKbps: 0 })).toThrow(TypeError);
  });
});

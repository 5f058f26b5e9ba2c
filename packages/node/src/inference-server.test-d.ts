import { describe, expectTypeOf, it } from 'vitest';
import type { DetectionResult, Detector, VidaiError } from '@vidai/core';
import { InferenceServer } from './inference-server.js';
import type { PeerCloseReason, PeerStats } from './webrtc-peer.js';
import type { InferencePeer } from './webrtc-peer.js';
import { createTurnCredentials } from './turn-credentials.js';

declare const detector: Detector;

describe('InferenceServer types', () => {
  it('takes a detector and typed limits', () => {
    new InferenceServer({ detector, auth: 'token', allowedOrigins: ['https://a.example'], maxPeers: 2, rateLimit: { perMinute: 5 } });
    new InferenceServer({ detector, auth: (_req, token) => token === 'x', iceServers: [createTurnCredentials({ urls: 'turn:t', secret: 's' })] });
    // @ts-expect-error a detector is required
    new InferenceServer({ auth: 'token' });
    // @ts-expect-error only vp8 and h264 are decoded
    new InferenceServer({ detector, codecs: ['av1'] });
    // @ts-expect-error allowedOrigins is a list or '*'
    new InferenceServer({ detector, allowedOrigins: 'https://a.example' });
  });

  it('has typed events and stats', () => {
    const server = new InferenceServer({ detector });
    server.on('peer', (peer) => {
      expectTypeOf(peer).toEqualTypeOf<InferencePeer>();
      peer.on('result', (r) => expectTypeOf(r).toEqualTypeOf<DetectionResult>());
      peer.on('error', (e) => expectTypeOf(e).toEqualTypeOf<VidaiError>());
    });
    server.on('peer-closed', (_peer, reason) => expectTypeOf(reason).toEqualTypeOf<PeerCloseReason>());
    expectTypeOf(server.stats()).toEqualTypeOf<PeerStats[]>();
    expectTypeOf(server.listen).returns.resolves.toEqualTypeOf<{ port: number; host: string; url: string }>();
    // @ts-expect-error no such event
    server.on('connection', () => {});
  });
});

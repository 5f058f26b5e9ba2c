import { describe, expectTypeOf, it } from 'vitest';
import type { DetectionMessage, DetectionResult, VidaiError } from '@vidai/core';
import { PeerLink, type PeerLinkPeer, type PeerLinkState } from './peer-link.js';

declare const stream: MediaStream;
declare const result: DetectionResult;
declare const message: DetectionMessage;

describe('PeerLink types', () => {
  it('takes explicit roles and typed options', () => {
    new PeerLink({ url: '/signal', room: 'r', token: 't', role: 'sender', stream, codec: 'h264', maxBitrate: 2_000_000, degradationPreference: 'balanced' });
    new PeerLink({ url: new URL('wss://x/signal'), room: 'r', role: 'viewer', iceServers: [{ urls: 'stun:s' }], reconnect: { initialDelayMs: 100 } });
    // @ts-expect-error a role is required
    new PeerLink({ url: '/signal', room: 'r' });
    // @ts-expect-error roles are sender and viewer
    new PeerLink({ url: '/signal', room: 'r', role: 'both' });
    // @ts-expect-error the url is required
    new PeerLink({ room: 'r', role: 'viewer' });
  });

  it('has typed events and methods', () => {
    const link = new PeerLink({ url: '/signal', room: 'r', role: 'viewer' });
    link.on('state', (s) => expectTypeOf(s).toEqualTypeOf<PeerLinkState>());
    link.on('track', ({ peerId, stream, track }) => {
      expectTypeOf(peerId).toEqualTypeOf<string>();
      expectTypeOf(stream).toEqualTypeOf<MediaStream>();
      expectTypeOf(track).toEqualTypeOf<MediaStreamTrack>();
    });
    link.on('detections', (d) => {
      expectTypeOf(d.message).toEqualTypeOf<DetectionMessage>();
      expectTypeOf(d.transportMs).toEqualTypeOf<number | undefined>();
    });
    link.on('peer', (p) => expectTypeOf(p).toEqualTypeOf<PeerLinkPeer>());
    link.on('error', (e) => expectTypeOf(e).toEqualTypeOf<VidaiError>());
    expectTypeOf(link.sendDetections(result)).toEqualTypeOf<number>();
    // @ts-expect-error a wire message is not a detection result (no timings)
    link.sendDetections(message);
    expectTypeOf(link.joined()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(link.peers()).toEqualTypeOf<PeerLinkPeer[]>();
    // @ts-expect-error no such event
    link.on('offer', () => {});
  });
});

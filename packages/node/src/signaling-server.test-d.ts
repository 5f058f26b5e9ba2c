import { describe, expectTypeOf, it } from 'vitest';
import type { PeerLeaveReason, PeerRole, VidaiError } from '@vidai/core';
import { SignalingServer, type SignalingMember, type SignalingRefusal, type SignalingRoomInfo } from './signaling-server.js';
import { createTurnCredentials } from './turn-credentials.js';

describe('SignalingServer types', () => {
  it('takes typed limits, an authorize hook and ICE servers', () => {
    new SignalingServer();
    new SignalingServer({ secret: 'x'.repeat(32), maxViewers: 2, maxRooms: 10, messageRate: { perMinute: 600, burst: 30 }, heartbeatMs: 5000 });
    new SignalingServer({
      authorize: ({ room, role, token, request }) => {
        expectTypeOf(role).toEqualTypeOf<PeerRole>();
        return room.startsWith('team-') && token === request.headers.cookie;
      },
      iceServers: () => [createTurnCredentials({ urls: 'turn:t', secret: 's' })],
    });
    new SignalingServer({ authorize: async () => true, messageRate: false, connectionRate: false });
    // @ts-expect-error allowedOrigins is a list or '*'
    new SignalingServer({ allowedOrigins: 'https://a.example' });
    // @ts-expect-error maxViewers is a number
    new SignalingServer({ maxViewers: 'four' });
    // @ts-expect-error authorize is a hook or false
    new SignalingServer({ authorize: true });
  });

  it('has typed events, tokens and stats', () => {
    const server = new SignalingServer();
    server.on('joined', (m) => expectTypeOf(m).toEqualTypeOf<SignalingMember>());
    server.on('left', (m, reason) => {
      expectTypeOf(m.role).toEqualTypeOf<PeerRole>();
      expectTypeOf(reason).toEqualTypeOf<PeerLeaveReason>();
    });
    server.on('rejected', (e, info) => {
      expectTypeOf(e).toEqualTypeOf<VidaiError>();
      expectTypeOf(info).toEqualTypeOf<SignalingRefusal>();
    });
    expectTypeOf(server.roomToken('r')).toEqualTypeOf<string>();
    server.roomToken('r', 'viewer');
    // @ts-expect-error roles are sender and viewer
    server.roomToken('r', 'admin');
    expectTypeOf(server.newRoom()).toEqualTypeOf<{ room: string; token: string }>();
    expectTypeOf(server.room('r')).toEqualTypeOf<SignalingRoomInfo | undefined>();
    expectTypeOf(server.close()).toEqualTypeOf<Promise<void>>();
    // @ts-expect-error no such event
    server.on('message', () => {});
  });
});

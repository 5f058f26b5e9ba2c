/**
 * Workaround for a DTLS bug in werift 0.25.2: the handshake's Finished message is the
 * first record of epoch 1, but werift numbers it with the epoch-0 record counter
 * (`++recordSequenceNumber`, e.g. 4) and then resets the counter to 0, so the fourth
 * application-data record of epoch 1 reuses the Finished record's sequence number.
 * Chrome's replay protection drops that record silently: the SCTP packet inside is
 * lost and the first DataChannel messages arrive late (tens of ms, over a second when
 * messages are sparse).
 *
 * The fix makes Finished record 0 of epoch 1, as RFC 6347 section 4.1 requires: when
 * werift switches its DTLS context to epoch 1, the record counter is set so that its
 * next pre-increment yields 0. werift resets the counter to 0 after Finished itself,
 * so application data continues with 1, 2, ... and no number repeats.
 *
 * It is applied per peer connection, without touching werift's prototypes: the DTLS
 * socket is created inside `RTCDtlsTransport.start()`, after the remote description
 * is set, so hooking the transports right after `setRemoteDescription` catches it.
 */
import type { RTCPeerConnection } from 'werift';

const patched = new WeakSet<object>();

interface DtlsContextLike {
  epoch: number;
  recordSequenceNumber: number;
}

/** Redefines `epoch` on one werift DTLS context so that Finished gets record number 0. */
function fixContext(ctx: DtlsContextLike): void {
  if (patched.has(ctx)) return;
  patched.add(ctx);
  let epoch = ctx.epoch;
  Object.defineProperty(ctx, 'epoch', {
    configurable: true,
    enumerable: true,
    get: () => epoch,
    set: (value: number) => {
      if (epoch === 0 && value === 1) ctx.recordSequenceNumber = -1;
      epoch = value;
    },
  });
}

/** Hooks `obj[key]` so that every value assigned to it is passed to `onValue` first. */
function interceptProperty(obj: object, key: string, onValue: (value: unknown) => void): void {
  if (patched.has(obj)) return;
  patched.add(obj);
  let current = (obj as Record<string, unknown>)[key];
  if (current !== undefined && current !== null) onValue(current);
  Object.defineProperty(obj, key, {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (value: unknown) => {
      if (value !== undefined && value !== null) onValue(value);
      current = value;
    },
  });
}

/**
 * Applies the DTLS record-numbering fix to every DTLS transport `pc` has now. Call it
 * after `setRemoteDescription` (that is where werift creates the transports) and before
 * the handshake starts; calling it again is harmless.
 *
 * @returns the number of transports hooked by this call.
 */
export function fixDtlsRecordSequence(pc: RTCPeerConnection): number {
  let hooked = 0;
  for (const transport of pc.dtlsTransports) {
    if (patched.has(transport)) continue;
    // RTCDtlsTransport.dtls is the DtlsClient/DtlsServer socket, assigned in start();
    // the socket's own `dtls` is its DtlsContext, replaced on renegotiation.
    interceptProperty(transport, 'dtls', (socket) => {
      interceptProperty(socket as object, 'dtls', (ctx) => fixContext(ctx as DtlsContextLike));
    });
    hooked++;
  }
  return hooked;
}

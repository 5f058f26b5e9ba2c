/**
 * Clock-offset estimation over a DataChannel with the core ping/pong messages: a few
 * quick probes, then one every interval; the estimate with the shortest round trip is
 * kept (its error bound is half that round trip). Also answers the peer's pings.
 */
import { TimerSet, encodeWireMessage, estimateClockOffset, type ClockOffsetEstimate, type PingMessage, type PongMessage } from '@vidai/core';

/** Options of {@link ClockSync}. */
export interface ClockSyncOptions {
  /** Interval of the pings after the first quick ones, ms; 0 sends none. Default: 2000. */
  intervalMs?: number;
  /** Local clock, ms. Default: `performance.timeOrigin + performance.now()` (ms since the epoch). */
  now?: () => number;
}

/** Samples kept for the minimum-round-trip choice. */
const SAMPLES = 16;

/**
 * Pings a peer and keeps the best estimate of its clock offset.
 *
 * @example
 * ```ts
 * const clock = new ClockSync((text) => channel.send(text));
 * channel.onopen = () => clock.start();
 * // on a pong: clock.onPong(message, clock.now());
 * const peerTime = localTime + (clock.estimate?.offset ?? 0);
 * ```
 */
export class ClockSync {
  /** Best estimate so far: add `offset` to a local time to get the peer's. */
  estimate: ClockOffsetEstimate | undefined;
  /** The local clock in use, ms. */
  readonly now: () => number;
  private readonly intervalMs: number;
  private readonly samples: ClockOffsetEstimate[] = [];
  private readonly timers = new TimerSet();
  private interval: ReturnType<typeof setInterval> | undefined;
  private nextId = 0;

  constructor(private readonly send: (text: string) => void, options: ClockSyncOptions = {}) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
  }

  /** Starts probing: five pings 150 ms apart, then one every `intervalMs`. Restarts when called again. */
  start(): void {
    this.stop();
    if (this.intervalMs <= 0) return;
    for (let i = 0; i < 5; i++) this.timers.set(() => this.ping(), i * 150);
    this.interval = setInterval(() => this.ping(), this.intervalMs);
  }

  /** Sends one ping now (a failed send is ignored: the channel may be closing). */
  ping(): void {
    try {
      this.send(encodeWireMessage({ v: 1, type: 'ping', id: this.nextId++, t0: this.now() }));
    } catch {
      // not open: the next ping will try again
    }
  }

  /** Takes a pong that arrived at local time `receivedAt`. */
  onPong(pong: PongMessage, receivedAt: number): void {
    this.samples.push(estimateClockOffset(pong, receivedAt));
    if (this.samples.length > SAMPLES) this.samples.shift();
    this.estimate = this.samples.reduce((best, e) => (e.rtt < best.rtt ? e : best));
  }

  /** The pong answering `ping`, which arrived at local time `receivedAt`. */
  answer(ping: PingMessage, receivedAt: number): string {
    return encodeWireMessage({ v: 1, type: 'pong', id: ping.id, t0: ping.t0, t1: receivedAt, t2: this.now() });
  }

  /**
   * Time a message took from the peer to here, ms: `receivedAt` (local clock) plus the
   * estimated offset minus `sentAt` (the peer's clock when it sent it). Undefined
   * without an estimate or without `sentAt`.
   */
  transitMs(sentAt: number | undefined, receivedAt: number): number | undefined {
    const offset = this.estimate?.offset;
    return offset === undefined || sentAt === undefined ? undefined : receivedAt + offset - sentAt;
  }

  /** Stops probing (estimates are kept). */
  stop(): void {
    this.timers.clear();
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
  }
}

/**
 * FfmpegSource against a real RTSP server (GStreamer's gst-rtsp-server on
 * 127.0.0.1, see helpers/rtsp-server.ts): the server is killed mid-stream and
 * restarted, and the source reconnects on its own.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FfmpegSource, type Frame, type ReconnectInfo } from '@vidai/node';
import { ffmpegChildren, processExists } from './helpers/child-processes.js';
import { killAllRtspServers, startRtspServer, type RtspTestServer } from './helpers/rtsp-server.js';
import { sharedDir } from '../../../test/helpers/shared-data.js';

const shared = sharedDir;
const video = join(shared, 'videos/intel-car-detection.mp4');
afterAll(killAllRtspServers);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('FfmpegSource over RTSP (real server)', () => {
  test('the server is killed mid-stream and restarted: reconnecting events, frames resume, seq continues, no child left', async () => {
    const servers: RtspTestServer[] = [await startRtspServer(video)];
    const { port, url } = servers[0]!;
    // No size given: the first connection probes the stream with ffprobe.
    const source = new FfmpegSource({ input: url, backoffMs: [200, 400], watchdogMs: 5000 });
    const reconnecting: ReconnectInfo[] = [];
    const pids: number[] = [];
    let connections = 0;
    let restart: Promise<void> | undefined;
    source.on('start', ({ pid }) => pids.push(pid));
    source.on('connected', () => connections++);
    source.on('reconnecting', (info) => {
      reconnecting.push(info);
      // Leave the port closed for a while (at least one refused attempt), then bring the server back.
      if (info.attempt === 2) restart ??= startRtspServer(video, { port }).then((server) => void servers.push(server));
    });
    const frames: Frame[] = [];
    let framesAfterRestart = 0;
    try {
      for await (const frame of source) {
        frames.push(frame);
        if (frames.length === 10) await servers[0]!.kill();
        if (connections >= 2 && ++framesAfterRestart === 10) break;
      }
    } finally {
      await source.close();
      await restart?.catch(() => undefined);
      for (const server of servers) await server.kill();
    }

    expect(source.live).toBe(true);
    expect(servers).toHaveLength(2);
    expect(connections).toBeGreaterThanOrEqual(2);
    expect(framesAfterRestart).toBe(10);
    // Attempts are reported in order, each with its wait and why the last one ended.
    expect(reconnecting.length).toBeGreaterThanOrEqual(2);
    expect(reconnecting.map((r) => r.attempt)).toEqual(reconnecting.map((_, i) => i + 1));
    expect(reconnecting.map((r) => r.delayMs)).toEqual(reconnecting.map((_, i) => (i === 0 ? 200 : 400)));
    expect(reconnecting.some((r) => /Connection refused/.test(r.reason))).toBe(true);
    // seq runs on across the reconnection; live timestamps are the wall clock.
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    for (const frame of frames) {
      expect([frame.width, frame.height, frame.format, frame.data.byteLength]).toEqual([768, 432, 'rgb', 768 * 432 * 3]);
    }
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.timestamp).toBeGreaterThanOrEqual(frames[i - 1]!.timestamp);
    expect(Math.abs(frames[0]!.timestamp - Date.now())).toBeLessThan(120_000);
    // One ffmpeg per attempt, every one of them gone.
    expect(pids.length).toBe(reconnecting.length + 1);
    for (const pid of pids) expect(processExists(pid)).toBe(false);
    expect(ffmpegChildren()).toEqual([]);
    for (const server of servers) expect(processExists(server.pid)).toBe(false);
  });

  test('a source started before its server keeps probing and connects once the server is up', async () => {
    const port = await freePort();
    const source = new FfmpegSource({ input: `rtsp://127.0.0.1:${port}/stream`, width: 160, backoffMs: [100, 300] });
    const reasons: string[] = [];
    let server: Promise<RtspTestServer> | undefined;
    source.on('reconnecting', ({ attempt, reason }) => {
      reasons.push(reason);
      if (attempt === 2) server ??= startRtspServer(video, { port });
    });
    const frames: Frame[] = [];
    try {
      for await (const frame of source) if (frames.push(frame) === 3) break;
    } finally {
      await source.close();
      await (await server?.catch(() => undefined))?.kill();
    }
    // Probing (no height given) failed while nobody listened; the loop retried it.
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    expect(reasons[0]).toMatch(/Connection refused/);
    expect(frames.map((f) => [f.seq, f.width, f.height])).toEqual([
      [0, 160, 90],
      [1, 160, 90],
      [2, 160, 90],
    ]);
    expect(ffmpegChildren()).toEqual([]);
  });

  test('a server that stops answering (SIGSTOP) trips the stall watchdog; frames resume after SIGCONT', async () => {
    const server = await startRtspServer(video);
    const source = new FfmpegSource({ input: server.url, width: 160, height: 90, watchdogMs: 1500, backoffMs: [100] });
    const stalls: number[] = [];
    const reasons: string[] = [];
    let connections = 0;
    let stopped = false;
    source.on('connected', () => connections++);
    source.on('stalled', ({ idleMs }) => {
      stalls.push(idleMs);
      if (stopped && stalls.length === 1) {
        stopped = false;
        process.kill(server.pid, 'SIGCONT');
      }
    });
    source.on('reconnecting', ({ reason }) => reasons.push(reason));
    const seqs: number[] = [];
    try {
      for await (const frame of source) {
        seqs.push(frame.seq);
        if (seqs.length === 3) {
          process.kill(server.pid, 'SIGSTOP'); // the connection stays open, nothing arrives
          stopped = true;
        }
        if (connections >= 2) break;
      }
    } finally {
      await source.close();
      if (stopped) process.kill(server.pid, 'SIGCONT');
      await server.kill();
    }
    expect(stalls[0]).toBe(1500);
    expect(reasons[0]).toBe('no frame for 1500 ms');
    expect(connections).toBe(2);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(ffmpegChildren()).toEqual([]);
  });
});

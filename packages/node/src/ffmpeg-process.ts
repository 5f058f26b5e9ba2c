/**
 * Starting and stopping ffmpeg/ffprobe children: spawn with the not-found error
 * mapped, run to completion with a bounded stderr tail, and terminate with a
 * SIGTERM then SIGKILL that waits until the child has really exited.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ErrorCodes, VidaiError } from '@vidai/core';
import { binaryNotFoundError, isBinaryMissing, type FfmpegTool } from './ffmpeg-binary.js';
import { StderrTail } from './stderr-tail.js';

/** A child with stdout and stderr piped and no stdin. */
export type ToolProcess = ChildProcessByStdio<null, Readable, Readable>;

/** Default time in ms a child gets to exit after SIGTERM before it is sent SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 2000;

/** Starts `path args` with stdin ignored and stdout/stderr piped. Spawn errors arrive as the child's `error` event. */
export function spawnTool(path: string, args: readonly string[]): ToolProcess {
  return spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
}

/** True once the child has exited (or never started). */
export function hasExited(child: ToolProcess): boolean {
  return child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
}

/**
 * Stops a child and resolves once it has exited: closes its stdout (a writer
 * blocked on a full pipe then fails at once), sends SIGTERM, and SIGKILL after
 * `graceMs`. Resolves at once for a child that already exited.
 */
export function terminate(child: ToolProcess, graceMs: number = DEFAULT_KILL_GRACE_MS): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => {
      if (!hasExited(child)) child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.stdout.destroy();
    child.kill('SIGTERM');
  });
}

/** Options of {@link runTool}. */
export interface RunToolOptions {
  /** Aborting kills the child and rejects with a VidaiError `aborted`. */
  signal?: AbortSignal;
  /** Kill the child after this many ms and report `timedOut`. Default: no limit. */
  timeoutMs?: number;
}

/** What a finished child left. */
export interface RunToolResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  /** Whole stdout. */
  stdout: Buffer;
  /** The last lines of stderr. */
  stderr: StderrTail;
  /** True when the child was killed because `timeoutMs` passed. */
  timedOut: boolean;
}

/**
 * Runs a tool to completion and collects its stdout. Rejects with
 * `ffmpeg-not-found` when the binary cannot be started and with `aborted` when
 * `signal` aborts; any exit code resolves (the caller judges it).
 */
export function runTool(tool: FfmpegTool, path: string, args: readonly string[], options: RunToolOptions = {}): Promise<RunToolResult> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) return Promise.reject(abortedError(tool));
  return new Promise((resolve, reject) => {
    const child = spawnTool(path, args);
    const stderr = new StderrTail();
    const chunks: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const timer =
      timeoutMs !== undefined && Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            timedOut = true;
            void terminate(child);
          }, timeoutMs)
        : undefined;
    const onAbort = () => void terminate(child);
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => {
      if (isBinaryMissing(error) && child.pid === undefined) finish(() => reject(binaryNotFoundError(tool, path, error)));
      else if (child.pid === undefined) finish(() => reject(error));
      // errors of a running child (a failed kill) are followed by 'close'
    });
    child.once('close', (code) => {
      finish(() => {
        if (signal?.aborted) reject(abortedError(tool));
        else resolve({ code, stdout: Buffer.concat(chunks), stderr, timedOut });
      });
    });
  });
}

function abortedError(tool: FfmpegTool): VidaiError {
  return new VidaiError(ErrorCodes.ABORTED, `${tool} was aborted through the AbortSignal`);
}

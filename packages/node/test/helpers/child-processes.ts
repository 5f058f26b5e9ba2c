/**
 * Test helper: the ffmpeg/ffprobe children of this process, from `ps`, zombies
 * included, so a test can prove that nothing was left behind.
 */
import { execFileSync } from 'node:child_process';

/** A child process as `ps` lists it. */
export interface ChildInfo {
  pid: number;
  state: string;
  command: string;
}

/** Children of `ppid` (default: this process), as listed by `ps --ppid`. */
export function childProcesses(ppid: number = process.pid): ChildInfo[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(ppid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there is no match
  }
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 3)
    .map(([pid, state, command]) => ({ pid: Number(pid), state: state as string, command: command as string }));
}

/** ffmpeg and ffprobe children of this process (running or zombie). */
export function ffmpegChildren(): ChildInfo[] {
  return childProcesses().filter((child) => /^ff(mpeg|probe)$/.test(child.command));
}

/** True when a process with this pid exists (zombies included). */
export function processExists(pid: number): boolean {
  try {
    execFileSync('ps', ['-p', String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

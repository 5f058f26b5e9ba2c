import { describe, expect, it } from 'vitest';
import { createCountProgressBar, createDownloadProgressBar, type ProgressBarStream } from './progress-bar.js';

function terminal(isTTY: boolean): ProgressBarStream & { output: string[] } {
  const output: string[] = [];
  return { isTTY, columns: 100, output, write: (text: string) => output.push(text) };
}

const MB = 1024 * 1024;

describe('createDownloadProgressBar', () => {
  it('draws nothing (returns undefined) when the stream is not a terminal', () => {
    expect(createDownloadProgressBar('m.onnx', { stream: terminal(false) })).toBeUndefined();
  });

  it('redraws one line in place, at most once per interval, and ends it with a newline', () => {
    const stream = terminal(true);
    let now = 0;
    const bar = createDownloadProgressBar('m.onnx', { stream, intervalMs: 100, now: () => now })!;
    const url = 'https://example.test/m.onnx';
    bar({ url, receivedBytes: 1 * MB, totalBytes: 4 * MB, done: false });
    now = 50;
    bar({ url, receivedBytes: 2 * MB, totalBytes: 4 * MB, done: false }); // within the interval: skipped
    now = 1000;
    bar({ url, receivedBytes: 2 * MB, totalBytes: 4 * MB, done: false });
    now = 2000;
    bar({ url, receivedBytes: 4 * MB, totalBytes: 4 * MB, done: true });
    expect(stream.output).toHaveLength(3);
    expect(stream.output.every((line) => line.startsWith('\r') && line.includes('\x1b[K'))).toBe(true);
    expect(stream.output[0]).toMatch(/m\.onnx \[#+\.+\]  25%  1\.0\/4\.0 MB/);
    expect(stream.output[1]).toMatch(/ 50%  2\.0\/4\.0 MB  2\.0 MB\/s/);
    expect(stream.output[2]).toMatch(/\[#+\] 100%  4\.0\/4\.0 MB  2\.0 MB\/s\x1b\[K\n$/);
  });

  it('shows the bytes received when the size is unknown', () => {
    const stream = terminal(true);
    const bar = createDownloadProgressBar('m.onnx', { stream, now: () => 1000 })!;
    bar({ url: 'u', receivedBytes: 3 * MB, totalBytes: undefined, done: false });
    expect(stream.output[0]).toMatch(/^\rm\.onnx  3\.0 MB  /);
  });
});

describe('createCountProgressBar', () => {
  it('draws nothing off a terminal', () => {
    expect(createCountProgressBar('frames', 10, { stream: terminal(false) })).toBeUndefined();
  });

  it('shows count, total, percentage and rate; without a total, no bar', () => {
    const stream = terminal(true);
    let now = 0;
    const bar = createCountProgressBar('frames', 10, { stream, now: () => now })!;
    now = 1000;
    bar(5, false);
    now = 2000;
    bar(10, true);
    expect(stream.output[0]).toMatch(/^\rframes \[#+\.+\]  50%  5\/10 frames  5\.0\/s/);
    expect(stream.output[1]).toMatch(/100%  10\/10 frames  5\.0\/s\x1b\[K\n$/);
    const open = terminal(true);
    createCountProgressBar('frames', undefined, { stream: open, now: () => 1000 })!(3, true);
    expect(open.output[0]).toMatch(/^\rframes  3 frames/);
    expect(open.output[0]).not.toMatch(/\[[#.]/);
  });
});

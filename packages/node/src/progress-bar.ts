import type { DownloadProgress } from './download.js';

/** A stream the bar can draw on (`process.stderr` or a test double). */
export interface ProgressBarStream {
  /** True when the stream is a terminal; the bar draws nothing otherwise. */
  isTTY?: boolean;
  /** Terminal width in characters. Default when missing: 80. */
  columns?: number;
  /** Writes text. */
  write(text: string): unknown;
}

/** Options of {@link createDownloadProgressBar} (and of the CLI's frame-count bar). */
export interface ProgressBarOptions {
  /** Where to draw. Default: `process.stderr`. */
  stream?: ProgressBarStream;
  /** Least time between two redraws, in ms. Default 100. */
  intervalMs?: number;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

const MB = 1024 * 1024;

/** What one redraw shows: the bar's fill (when the total is known) and the text after it. */
interface ProgressView {
  fraction: number | undefined;
  tail: string;
}

/**
 * The redraw loop shared by the bars: `undefined` off a terminal; otherwise a function
 * that redraws in place at most every `intervalMs` (always on `done`), ending the line on
 * `done`. `view` gets the seconds since the start.
 */
function createBar<T>(
  name: string,
  options: ProgressBarOptions,
  view: (value: T, elapsedSeconds: number) => ProgressView,
): ((value: T, done: boolean) => void) | undefined {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return undefined;
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 100;
  const start = now();
  let last = Number.NEGATIVE_INFINITY;
  return (value, done) => {
    const t = now();
    if (!done && t - last < interval) return;
    last = t;
    const { fraction, tail } = view(value, Math.max((t - start) / 1000, 1e-3));
    // \r returns to the line start, \x1b[K clears what a longer previous line left.
    stream.write(`\r${progressLine(name, fraction, tail, stream.columns)}\x1b[K${done ? '\n' : ''}`);
  };
}

/** One progress line: `name [#####.....]  42%  tail`, or `name  tail` when the total is unknown. */
function progressLine(name: string, fraction: number | undefined, tail: string, columns = 80): string {
  if (fraction === undefined) return `${name}  ${tail}`;
  const clamped = Math.min(Math.max(fraction, 0), 1);
  const width = Math.max(10, Math.min(30, columns - name.length - tail.length - 12));
  const filled = Math.round(clamped * width);
  return `${name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${`${Math.floor(clamped * 100)}%`.padStart(4)}  ${tail}`;
}

/**
 * A download progress callback that draws a one-line bar on a terminal, e.g.
 * `yolox_nano.onnx [##########..........]  50%  1.8/3.5 MB  2.1 MB/s`, redrawn in place
 * at most every `intervalMs` and finished with a newline. Returns `undefined` when
 * the stream is not a terminal (CI logs, pipes), so nothing is printed there.
 *
 * @example
 * ```ts
 * await resolveModel('yolox-nano', { onProgress: createDownloadProgressBar('yolox_nano.onnx') });
 * ```
 */
export function createDownloadProgressBar(
  name: string,
  options: ProgressBarOptions = {},
): ((progress: DownloadProgress) => void) | undefined {
  const bar = createBar<DownloadProgress>(name, options, ({ receivedBytes, totalBytes }, seconds) => {
    const size =
      totalBytes === undefined ? `${(receivedBytes / MB).toFixed(1)} MB` : `${(receivedBytes / MB).toFixed(1)}/${(totalBytes / MB).toFixed(1)} MB`;
    return {
      fraction: totalBytes !== undefined && totalBytes > 0 ? receivedBytes / totalBytes : undefined,
      tail: `${size}  ${(receivedBytes / MB / seconds).toFixed(1)} MB/s`,
    };
  });
  return bar && ((progress) => bar(progress, progress.done));
}

/**
 * A progress bar for counted work (frames of a file) on a terminal, or `undefined`
 * when the stream is not a terminal. Call it with the count so far; `done` ends the line.
 *
 * @param name what is counted, shown before the bar
 * @param total the expected count, when known (a bar is drawn only then)
 */
export function createCountProgressBar(
  name: string,
  total: number | undefined,
  options: ProgressBarOptions = {},
): ((count: number, done: boolean) => void) | undefined {
  return createBar<number>(name, options, (count, seconds) => ({
    fraction: total ? count / total : undefined,
    tail: `${count}${total === undefined ? '' : `/${total}`} ${name}  ${(count / seconds).toFixed(1)}/s`,
  }));
}

/**
 * A bounded record of the last lines a child process wrote to stderr, so error
 * messages can quote ffmpeg without keeping its whole log in memory.
 */

/** Options of {@link StderrTail}. */
export interface StderrTailOptions {
  /** Lines kept. Default: 20. */
  maxLines?: number;
  /** Characters kept of one line; longer lines are cut. Default: 500. */
  maxLineLength?: number;
}

/**
 * Keeps the last `maxLines` lines written to a stream. Feed it chunks as they come
 * (`stderr.on('data', (c) => tail.push(c))`); partial lines are joined across chunks.
 */
export class StderrTail {
  private readonly maxLines: number;
  private readonly maxLineLength: number;
  private readonly kept: string[] = [];
  private partial = '';
  private readonly decoder = new TextDecoder();

  constructor(options: StderrTailOptions = {}) {
    this.maxLines = options.maxLines ?? 20;
    this.maxLineLength = options.maxLineLength ?? 500;
  }

  /** Adds a chunk of output. */
  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const parts = (this.partial + text).split(/\r\n|\r|\n/);
    this.partial = (parts.pop() ?? '').slice(-this.maxLineLength * 2);
    for (const line of parts) this.add(line);
  }

  /** The last `maxLines` lines, oldest first, including an unterminated last line. */
  get lines(): string[] {
    const pending = this.partial.trim();
    if (!pending) return [...this.kept];
    return [...this.kept, pending.slice(0, this.maxLineLength)].slice(-this.maxLines);
  }

  /** The last non-empty line, or `''`. */
  get lastLine(): string {
    const all = this.lines;
    return all[all.length - 1] ?? '';
  }

  /** The kept lines joined with newlines. */
  get text(): string {
    return this.lines.join('\n');
  }

  private add(line: string): void {
    const trimmed = line.trim();
    if (!trimmed) return;
    this.kept.push(trimmed.length > this.maxLineLength ? `${trimmed.slice(0, this.maxLineLength)}…` : trimmed);
    if (this.kept.length > this.maxLines) this.kept.shift();
  }
}

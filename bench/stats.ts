/** Timing helpers shared by the benchmarks: run, collect milliseconds, summarize. */

/** Median and p95 (nearest rank) of a set of timings in ms. */
export interface TimingSummary {
  label: string;
  median: number;
  p95: number;
  count: number;
}

/** Nearest-rank percentile of ascending `sorted` values, `p` in 0..100. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Nearest-rank quantile of values in any order, `q` in 0..1; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  return percentile([...values].sort((x, y) => x - y), q * 100);
}

/** Milliseconds right-aligned with one decimal, `-` for a missing figure. */
export function formatMs(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1).padStart(7) : '      -';
}

/** Summarizes timings in ms. */
export function summarize(label: string, times: readonly number[]): TimingSummary {
  const sorted = [...times].sort((a, b) => a - b);
  return { label, median: percentile(sorted, 50), p95: percentile(sorted, 95), count: sorted.length };
}

/** One aligned line: label, median, p95. */
export function formatRow(row: TimingSummary): string {
  const ms = (v: number) => (v < 1 ? v.toFixed(3) : v.toFixed(2)).padStart(10);
  return `${row.label.padEnd(36)}${ms(row.median)}  ${ms(row.p95)}`;
}

/** Runs `fn` `iterations` times after a tenth as many warm-up runs; returns each run's ms. */
export function timeSync(iterations: number, fn: () => void): number[] {
  for (let i = 0; i < Math.max(1, iterations / 10); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times;
}

/** {@link timeSync} for async work. */
export async function timeAsync(iterations: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < Math.max(1, iterations / 10); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

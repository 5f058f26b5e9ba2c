import type { DetectionResult, LatencyStats, PipelineStats } from '@vidai/core';

/** How often one class was seen during a run. */
export interface ClassSummary {
  /** Class label. */
  label: string;
  /** Frames in which the class was detected at least once. */
  frames: number;
  /** Largest number of detections of the class in one frame. */
  maxPerFrame: number;
  /** Highest score of the class over the run, 0..1. */
  bestScore: number;
}

/** A readable account of a detection run (what the CLI prints at the end). */
export interface RunSummary {
  /** Frames read from the source. */
  received: number;
  /** Frames detected. */
  processed: number;
  /** Frames the sampler rejected. */
  skipped: number;
  /** Frames replaced by a newer one while the detector was busy. */
  dropped: number;
  /** Wall-clock time of the run in ms. */
  elapsedMs: number;
  /** Detections per second of wall-clock time. */
  fps: number;
  /** Per-stage latency statistics of the pipeline. */
  latency: LatencyStats;
  /** Classes seen, most frequent first. */
  classes: ClassSummary[];
}

/** Summarizes the results of a run with the pipeline's counters. */
export function summarizeResults(results: readonly DetectionResult[], stats: PipelineStats, elapsedMs: number): RunSummary {
  const byLabel = new Map<string, ClassSummary>();
  for (const result of results) {
    const perFrame = new Map<string, number>();
    for (const d of result.detections) {
      perFrame.set(d.label, (perFrame.get(d.label) ?? 0) + 1);
      const entry = byLabel.get(d.label) ?? { label: d.label, frames: 0, maxPerFrame: 0, bestScore: 0 };
      entry.bestScore = Math.max(entry.bestScore, d.score);
      byLabel.set(d.label, entry);
    }
    for (const [label, count] of perFrame) {
      const entry = byLabel.get(label)!;
      entry.frames++;
      entry.maxPerFrame = Math.max(entry.maxPerFrame, count);
    }
  }
  return {
    received: stats.received,
    processed: stats.processed,
    skipped: stats.skipped,
    dropped: stats.dropped,
    elapsedMs,
    fps: elapsedMs > 0 ? (stats.processed * 1000) / elapsedMs : 0,
    latency: stats.latency,
    classes: [...byLabel.values()].sort((a, b) => b.frames - a.frames || a.label.localeCompare(b.label)),
  };
}

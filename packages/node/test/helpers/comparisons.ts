/** References tests and benches compare results with: another run's detections, ffmpeg's own frames. */
import { execFileSync } from 'node:child_process';
import { boxIou, type Detection } from '@vidai/core';

/** How two runs' detections over the same frames agree ({@link compareDetections}). */
export interface DetectionAgreement {
  /** Detections of both runs that found a partner (each pair counts 2). */
  paired: number;
  /** Detections of both runs. */
  total: number;
  /** Frames where both runs found as many detections. */
  countFrames: number;
  /** Frames compared. */
  frames: number;
  /** |score difference| of each pair. */
  scoreDiffs: number[];
  /** |coordinate difference| of each pair's four box coordinates, in pixels. */
  coordDiffs: number[];
  /** Highest score of a detection left unpaired. */
  unpairedMaxScore: number;
}

/**
 * Pairs the detections of two runs frame by frame, greedily by IoU (>= 0.5) within a
 * class, highest IoU first, and collects the differences of the pairs.
 */
export function compareDetections(reference: readonly Detection[][], candidate: readonly Detection[][]): DetectionAgreement {
  const a: DetectionAgreement = { paired: 0, total: 0, countFrames: 0, frames: reference.length, scoreDiffs: [], coordDiffs: [], unpairedMaxScore: 0 };
  reference.forEach((ref, i) => {
    const got = candidate[i] ?? [];
    a.total += ref.length + got.length;
    if (ref.length === got.length) a.countFrames++;
    const pairs: Array<[number, number, number]> = [];
    ref.forEach((r, ri) =>
      got.forEach((g, gi) => {
        const iou = r.classId === g.classId ? boxIou(r.box, g.box) : 0;
        if (iou >= 0.5) pairs.push([iou, ri, gi]);
      }),
    );
    pairs.sort((x, y) => y[0] - x[0]);
    const usedR = new Set<number>();
    const usedG = new Set<number>();
    for (const [, ri, gi] of pairs) {
      if (usedR.has(ri) || usedG.has(gi)) continue;
      usedR.add(ri);
      usedG.add(gi);
      a.paired += 2;
      a.scoreDiffs.push(Math.abs(ref[ri]!.score - got[gi]!.score));
      for (let k = 0; k < 4; k++) a.coordDiffs.push(Math.abs(ref[ri]!.box[k]! - got[gi]!.box[k]!));
    }
    ref.forEach((r, ri) => usedR.has(ri) || (a.unpairedMaxScore = Math.max(a.unpairedMaxScore, r.score)));
    got.forEach((g, gi) => usedG.has(gi) || (a.unpairedMaxScore = Math.max(a.unpairedMaxScore, g.score)));
  });
  return a;
}

/** Per-frame MD5s of ffmpeg's own rawvideo output of `path` through the filter `vf` in `pixFmt`. */
export function ffmpegFrameMd5s(path: string, vf: string, pixFmt: string): string[] {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-map', '0:v:0', '-vf', vf, '-pix_fmt', pixFmt, '-f', 'framemd5', '-'], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  return out
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',').pop()!.trim());
}

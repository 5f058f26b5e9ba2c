import { describe, expect, it } from 'vitest';
import { DetectionCandidates } from './candidates.js';
import { boxIou, nonMaxSuppression } from './nms.js';

type Row = [x1: number, y1: number, x2: number, y2: number, score: number, classId: number];

function candidates(rows: Row[]): DetectionCandidates {
  const set = new DetectionCandidates(2);
  for (const r of rows) set.push(...r);
  return set;
}

/** The textbook O(n^2) greedy NMS, as a reference. */
function referenceNms(rows: Row[], iou: number, agnostic: boolean): number[] {
  const order = rows.map((_, i) => i).sort((a, b) => rows[b]![4] - rows[a]![4] || a - b);
  const removed = new Set<number>();
  const kept: number[] = [];
  for (const i of order) {
    if (removed.has(i)) continue;
    kept.push(i);
    for (const j of order) {
      if (j === i || removed.has(j) || kept.includes(j)) continue;
      if (!agnostic && rows[j]![5] !== rows[i]![5]) continue;
      if (boxIou(rows[i]!, rows[j]!) > iou) removed.add(j);
    }
  }
  return kept;
}

describe('nonMaxSuppression', () => {
  // IoU of A and B: intersection 90x100 = 9000, union 2 * 10000 - 9000 = 11000 -> 0.818.
  const A: Row = [0, 0, 100, 100, 0.9, 0];
  const B: Row = [10, 0, 110, 100, 0.8, 0];
  const far: Row = [300, 300, 400, 400, 0.7, 0];

  it('suppresses a lower-scoring overlapping box of the same class and keeps a distant one', () => {
    expect([...nonMaxSuppression(candidates([B, far, A]))]).toEqual([2, 1]);
  });

  it('is class-aware by default: overlapping boxes of different classes both stay', () => {
    const Bcar: Row = [10, 0, 110, 100, 0.8, 2];
    expect([...nonMaxSuppression(candidates([A, Bcar]))]).toEqual([0, 1]);
  });

  it('class-agnostic NMS suppresses overlapping boxes whatever their class', () => {
    const Bcar: Row = [10, 0, 110, 100, 0.8, 2];
    expect([...nonMaxSuppression(candidates([A, Bcar]), { agnostic: true })]).toEqual([0]);
  });

  it('suppresses only when IoU is above the threshold', () => {
    // Intersection 50x100 = 5000, union 15000: IoU exactly 1/3.
    const half: Row = [50, 0, 150, 100, 0.8, 0];
    expect(boxIou(A, half)).toBeCloseTo(1 / 3, 10);
    expect([...nonMaxSuppression(candidates([A, half]), { iouThreshold: 0.34 })]).toEqual([0, 1]);
    expect([...nonMaxSuppression(candidates([A, half]), { iouThreshold: 0.33 })]).toEqual([0]);
  });

  it('is greedy: a box suppressed by a kept one cannot suppress others', () => {
    // IoU(A, B1) = IoU(B1, C1) = 70/130 = 0.54; IoU(A, C1) = 40/160 = 0.25.
    // B1 is suppressed by A, so C1 is compared with A only and survives.
    const B1: Row = [30, 0, 130, 100, 0.8, 0];
    const C1: Row = [60, 0, 160, 100, 0.7, 0];
    expect([...nonMaxSuppression(candidates([A, B1, C1]))]).toEqual([0, 2]);
    // Without A, B1 is kept and suppresses C1.
    expect([...nonMaxSuppression(candidates([B1, C1]))]).toEqual([0]);
  });

  it('returns indices ordered by score, ties by index', () => {
    const rows: Row[] = [
      [0, 0, 10, 10, 0.3, 0],
      [20, 0, 30, 10, 0.9, 0],
      [40, 0, 50, 10, 0.3, 0],
      [60, 0, 70, 10, 0.6, 0],
    ];
    expect([...nonMaxSuppression(candidates(rows))]).toEqual([1, 3, 0, 2]);
  });

  it('applies scoreThreshold, topK and maxDetections', () => {
    const rows: Row[] = [0.9, 0.8, 0.7, 0.6, 0.5].map((s, i) => [i * 20, 0, i * 20 + 10, 10, s, 0]);
    expect([...nonMaxSuppression(candidates(rows), { scoreThreshold: 0.65 })]).toEqual([0, 1, 2]);
    expect([...nonMaxSuppression(candidates(rows), { topK: 2 })]).toEqual([0, 1]);
    expect([...nonMaxSuppression(candidates(rows), { maxDetections: 3 })]).toEqual([0, 1, 2]);
  });

  it('drops candidates beyond topK before suppression, so they cannot be kept', () => {
    // The two best boxes overlap: with topK 2 only one of them survives, and the third
    // (distant) box never takes part.
    expect([...nonMaxSuppression(candidates([A, B, far]), { topK: 2 })]).toEqual([0]);
  });

  it('handles an empty set and empty boxes', () => {
    expect(nonMaxSuppression(new DetectionCandidates()).length).toBe(0);
    const empty: Row = [5, 5, 5, 5, 0.9, 0];
    expect([...nonMaxSuppression(candidates([empty, empty]))]).toEqual([0, 1]);
  });

  it('matches the textbook O(n^2) NMS on random boxes', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const agnostic of [false, true]) {
      const rows: Row[] = Array.from({ length: 300 }, () => {
        const x = Math.fround(random() * 200);
        const y = Math.fround(random() * 200);
        const x2 = Math.fround(x + 10 + random() * 60);
        const y2 = Math.fround(y + 10 + random() * 60);
        return [x, y, x2, y2, Math.fround(random()), Math.floor(random() * 3)];
      });
      const got = [...nonMaxSuppression(candidates(rows), { agnostic, maxDetections: 1000 })];
      expect(got).toEqual(referenceNms(rows, 0.45, agnostic));
    }
  });

  it('rejects invalid options with TypeError', () => {
    expect(() => nonMaxSuppression(candidates([A]), { iouThreshold: 2 })).toThrow(TypeError);
    expect(() => nonMaxSuppression(candidates([A]), { topK: -1 })).toThrow(TypeError);
    expect(() => nonMaxSuppression(candidates([A]), { maxDetections: 1.5 })).toThrow(TypeError);
  });
});

describe('DetectionCandidates', () => {
  it('grows past its capacity and keeps what was pushed', () => {
    const set = new DetectionCandidates(1);
    for (let i = 0; i < 5; i++) set.push(i, i + 1, i + 2, i + 3, i / 10, i);
    expect(set.count).toBe(5);
    expect(set.capacity).toBeGreaterThanOrEqual(5);
    expect([...set.boxes.subarray(16, 20)]).toEqual([4, 5, 6, 7]);
    expect([...set.classIds.subarray(0, 5)]).toEqual([0, 1, 2, 3, 4]);
    set.clear();
    expect(set.count).toBe(0);
  });
});

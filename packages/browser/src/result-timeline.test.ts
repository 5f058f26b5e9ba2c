import type { DetectionResult } from '@vidai/core';
import { describe, expect, it } from 'vitest';
import { ResultTimeline } from './result-timeline.js';

const r = (timestamp: number, seq = timestamp): DetectionResult => ({
  seq,
  timestamp,
  width: 640,
  height: 480,
  detections: [],
  timings: { preprocess: 0, inference: 0, postprocess: 0 },
});

describe('ResultTimeline', () => {
  it('holds a result that arrived early until its frame is shown', () => {
    const t = new ResultTimeline();
    t.push(r(100));
    expect(t.at(66)).toBeUndefined();
    expect(t.at(100)?.result.timestamp).toBe(100);
    expect(t.at(100)?.age).toBe(0);
  });

  it('draws a late result on the next frame with its age, newest applicable first', () => {
    const t = new ResultTimeline({ maxAge: 500, fade: 250 });
    t.push(r(0));
    t.push(r(33));
    t.push(r(200)); // not yet shown
    const pick = t.at(120)!;
    expect(pick.result.timestamp).toBe(33);
    expect(pick.age).toBe(87);
    expect(pick.alpha).toBe(1);
    expect(t.pendingCount).toBe(1);
    expect(t.at(200)!.result.timestamp).toBe(200);
  });

  it('accepts results out of order', () => {
    const t = new ResultTimeline();
    t.push(r(50));
    t.push(r(10));
    expect(t.at(60)!.result.timestamp).toBe(50);
    expect(t.pendingCount).toBe(0);
  });

  it('fades a stale result out between maxAge and maxAge + fade', () => {
    const t = new ResultTimeline({ maxAge: 100, fade: 100 });
    t.push(r(0));
    expect(t.at(100)!.alpha).toBe(1);
    expect(t.at(150)!.alpha).toBeCloseTo(0.5);
    expect(t.at(200)).toBeUndefined();
    expect(t.at(300)).toBeUndefined();
  });

  it('starts over when time jumps backwards (a loop or a seek)', () => {
    const t = new ResultTimeline({ maxAge: 100, fade: 100 });
    t.push(r(5000));
    expect(t.at(5000)).toBeDefined();
    expect(t.at(10)).toBeUndefined();
    t.push(r(20));
    expect(t.at(20)!.result.timestamp).toBe(20);
  });

  it('keeps at most capacity pending results, dropping the oldest', () => {
    const t = new ResultTimeline({ capacity: 2 });
    t.push(r(1));
    t.push(r(2));
    t.push(r(3));
    expect(t.pendingCount).toBe(2);
    t.clear();
    expect(t.pendingCount).toBe(0);
    expect(t.at(10)).toBeUndefined();
  });
});

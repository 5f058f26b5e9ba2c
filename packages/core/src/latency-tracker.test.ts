import { describe, expect, it } from 'vitest';
import { LatencyTracker } from './latency-tracker.js';

describe('LatencyTracker', () => {
  it('summarizes one stage with nearest-rank percentiles', () => {
    const tracker = new LatencyTracker();
    // 1..100 in a shuffled order: percentiles must not depend on arrival order.
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    for (const v of values) tracker.record('inference', v);
    expect(tracker.stats()).toEqual({
      inference: { count: 100, mean: 50.5, p50: 50, p95: 95, max: 100, last: values[99] },
    });
  });

  it('keeps only the last windowSize samples per stage', () => {
    const tracker = new LatencyTracker({ windowSize: 4 });
    for (const v of [1000, 2000, 1, 2, 3, 4]) tracker.record('total', v);
    const total = tracker.stats().total!;
    expect(total).toEqual({ count: 4, mean: 2.5, p50: 2, p95: 4, max: 4, last: 4 });
    // The ring keeps wrapping correctly over many laps.
    for (let i = 0; i < 1003; i++) tracker.record('total', i);
    expect(tracker.stats().total).toMatchObject({ count: 4, max: 1002, p50: 1000, last: 1002 });
  });

  it('handles a single sample and negative values', () => {
    const tracker = new LatencyTracker();
    tracker.record('total', -3);
    expect(tracker.stats().total).toEqual({ count: 1, mean: -3, p50: -3, p95: -3, max: -3, last: -3 });
  });

  it('records every finite stage of a timings object and skips the rest', () => {
    const tracker = new LatencyTracker();
    tracker.recordTimings({ preprocess: 2, inference: 30, postprocess: 1, broken: Number.NaN, inf: Infinity });
    tracker.recordTimings({ preprocess: 4, inference: 50, postprocess: 3 });
    const stats = tracker.stats();
    expect(Object.keys(stats)).toEqual(['preprocess', 'inference', 'postprocess']);
    expect(stats.inference).toEqual({ count: 2, mean: 40, p50: 30, p95: 50, max: 50, last: 50 });
  });

  it('bounds the number of stages and keeps odd stage names as plain data', () => {
    const tracker = new LatencyTracker({ maxStages: 2 });
    tracker.record('__proto__', 1);
    tracker.record('a', 2);
    tracker.record('b', 3); // third stage: ignored
    const stats = tracker.stats();
    expect(Object.keys(stats)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(stats)).toBe(Object.prototype);
    expect(stats['__proto__']).toMatchObject({ count: 1, last: 1 });
  });

  it('rejects bad arguments with TypeError and resets', () => {
    expect(() => new LatencyTracker({ windowSize: 0 })).toThrow(TypeError);
    expect(() => new LatencyTracker({ windowSize: 1.5 })).toThrow(TypeError);
    expect(() => new LatencyTracker({ maxStages: -1 })).toThrow(TypeError);
    const tracker = new LatencyTracker();
    expect(() => tracker.record('x', Number.NaN)).toThrow(TypeError);
    expect(() => tracker.record(1 as unknown as string, 1)).toThrow(TypeError);
    tracker.record('x', 1);
    tracker.reset();
    expect(tracker.stats()).toEqual({});
  });
});

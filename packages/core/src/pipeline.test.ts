import { describe, expect, it } from 'vitest';
import type { DetectionResult } from './detection.js';
import type { DetectOptions, Detector } from './detector.js';
import { ErrorCodes, VidaiError } from './errors.js';
import { fromFrames, type Frame, type FrameSource } from './frame.js';
import { createPipeline, type PipelineErrorInfo, type PipelineStats } from './pipeline.js';
import type { Sampler } from './sampler.js';

// ---------------------------------------------------------------------------
// Fakes: a source the test pushes frames into, and a detector the test answers.

function frame(seq: number, timestamp = seq * 100): Frame {
  return { data: new Uint8Array(4), width: 2, height: 2, format: 'gray', timestamp, seq };
}

/** Lets every pending promise reaction run (setImmediate runs after all microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

class PushSource implements FrameSource {
  pulls = 0;
  closeCalls = 0;
  private queue: Frame[] = [];
  private reader: { resolve: (r: IteratorResult<Frame>) => void; reject: (e: unknown) => void } | undefined;
  private finished = false;
  private failure: unknown;

  push(...frames: Frame[]): void {
    for (const f of frames) {
      if (this.reader) {
        const reader = this.reader;
        this.reader = undefined;
        reader.resolve({ value: f, done: false });
      } else this.queue.push(f);
    }
  }

  end(): void {
    this.finished = true;
    this.reader?.resolve({ value: undefined, done: true });
    this.reader = undefined;
  }

  fail(error: unknown): void {
    this.failure = error;
    this.reader?.reject(error);
    this.reader = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return {
      next: () => {
        this.pulls++;
        if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
        if (this.failure) return Promise.reject(this.failure);
        if (this.finished) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (this.reader = { resolve, reject }));
      },
      return: () => {
        this.finished = true;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  async close(): Promise<void> {
    this.closeCalls++;
    this.end();
  }
}

function resultFor(f: Frame): DetectionResult {
  return {
    seq: f.seq,
    timestamp: f.timestamp,
    width: f.width,
    height: f.height,
    detections: [{ box: [0, 0, 1, 1], score: 0.9, classId: 0, label: 'person' }],
    timings: { preprocess: 1, inference: 10, postprocess: 2 },
  };
}

interface Call {
  frame: Frame;
  options: DetectOptions | undefined;
  resolve: (result?: DetectionResult) => void;
  reject: (error: unknown) => void;
}

/** A detector whose calls stay pending until the test settles them. */
class ManualDetector implements Detector {
  calls: Call[] = [];
  closeCalls = 0;
  private answered = 0;

  detect(f: Frame, options?: DetectOptions): Promise<DetectionResult> {
    return new Promise((resolve, reject) => {
      this.calls.push({ frame: f, options, resolve: (r) => resolve(r ?? resultFor(f)), reject });
    });
  }

  /** Settles the oldest unanswered call. */
  answer(error?: unknown): void {
    const call = this.calls[this.answered++];
    if (!call) throw new Error('no pending detect call');
    if (error === undefined) call.resolve();
    else call.reject(error);
  }

  get seqs(): number[] {
    return this.calls.map((c) => c.frame.seq);
  }

  async close(): Promise<void> {
    this.closeCalls++;
  }
}

/** A detector that answers at once (on the next microtask). */
class InstantDetector implements Detector {
  seqs: number[] = [];
  async detect(f: Frame): Promise<DetectionResult> {
    this.seqs.push(f.seq);
    return resultFor(f);
  }
  async close(): Promise<void> {}
}

function expectBalanced(stats: PipelineStats): void {
  expect(stats.received).toBe(stats.sampled + stats.skipped);
  expect(stats.sampled).toBe(stats.processed + stats.errors + stats.dropped);
}

// ---------------------------------------------------------------------------

describe('Pipeline, live mode (latest-frame-wins)', () => {
  it('replaces the waiting frame with the newest while the detector is busy', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const results: number[] = [];
    const pipeline = createPipeline({ source, detector, onResult: (r) => results.push(r.seq) });
    const done = pipeline.run();

    source.push(frame(0));
    await settle();
    expect(detector.seqs).toEqual([0]); // detection starts at once
    source.push(frame(1), frame(2), frame(3));
    await settle();
    expect(detector.seqs).toEqual([0]); // still busy: 1 and 2 were replaced, 3 waits
    expect(pipeline.stats()).toMatchObject({ received: 4, sampled: 4, dropped: 2, processed: 0, busy: true });

    detector.answer();
    await settle();
    expect(detector.seqs).toEqual([0, 3]); // the newest frame, not the oldest
    source.push(frame(4));
    source.end();
    await settle();
    detector.answer(); // 3 done; 4 was waiting and is detected before the end
    await settle();
    expect(detector.seqs).toEqual([0, 3, 4]);
    detector.answer();

    const stats = await done;
    expect(results).toEqual([0, 3, 4]);
    expect(stats).toMatchObject({ received: 5, sampled: 5, skipped: 0, dropped: 2, processed: 3, errors: 0, busy: false });
    expectBalanced(stats);
    expect(source.closeCalls).toBe(1);
    expect(detector.closeCalls).toBe(0); // the detector is not the pipeline's to close
  });

  it('counts sampler rejections as skipped, apart from dropped frames, and feeds observe()', async () => {
    const observed: number[] = [];
    const sampler: Sampler = {
      name: 'even',
      accept: (f) => f.seq % 2 === 0,
      observe: (r) => observed.push(r.seq),
    };
    const source = new PushSource();
    const detector = new ManualDetector();
    const done = createPipeline({ source, detector, sampler }).run();
    source.push(frame(0), frame(1), frame(2), frame(3), frame(4), frame(5), frame(6));
    source.end();
    await settle();
    detector.answer(); // 0
    await settle();
    detector.answer(); // 6 (2 and 4 were replaced)
    const stats = await done;
    expect(detector.seqs).toEqual([0, 6]);
    expect(observed).toEqual([0, 6]);
    expect(stats).toMatchObject({ received: 7, sampled: 4, skipped: 3, dropped: 2, processed: 2 });
    expectBalanced(stats);
  });

  it('passes detectOptions and the signal to the detector', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const controller = new AbortController();
    const done = createPipeline({ source, detector, detectOptions: { scoreThreshold: 0.6 }, signal: controller.signal }).run();
    source.push(frame(0));
    source.end();
    await settle();
    expect(detector.calls[0]!.options).toEqual({ scoreThreshold: 0.6, signal: controller.signal });
    detector.answer();
    await done;
  });
});

describe('Pipeline, all mode', () => {
  it('detects every sampled frame in order, reading the source only when the slot is free', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const results: number[] = [];
    const done = createPipeline({ source, detector, mode: 'all', onResult: (r) => results.push(r.seq) }).run();
    source.push(...Array.from({ length: 6 }, (_, i) => frame(i)));
    source.end();
    await settle();
    // Frame 0 is being detected and frame 1 waits: the source was not read further.
    expect(detector.seqs).toEqual([0]);
    expect(source.pulls).toBe(2);
    for (let i = 0; i < 6; i++) {
      detector.answer();
      await settle();
      expect(source.pulls).toBeLessThanOrEqual(i + 3);
    }
    const stats = await done;
    expect(detector.seqs).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(stats).toMatchObject({ received: 6, sampled: 6, dropped: 0, processed: 6 });
  });

  it('gives one result per frame of a synchronous source (the CLI on a file)', async () => {
    const detector = new InstantDetector();
    const frames = Array.from({ length: 50 }, (_, i) => frame(i));
    const seqs: number[] = [];
    for await (const r of createPipeline({ source: fromFrames(frames), detector, mode: 'all' })) seqs.push(r.seq);
    expect(seqs).toEqual(frames.map((f) => f.seq));
  });

  it('live mode on the same synchronous source drops frames instead', async () => {
    const detector = new ManualDetector();
    const pipeline = createPipeline({ source: fromFrames(Array.from({ length: 50 }, (_, i) => frame(i))), detector });
    const done = pipeline.run();
    await settle();
    detector.answer();
    await settle();
    detector.answer();
    const stats = await done;
    expect(detector.seqs).toEqual([0, 49]);
    expect(stats).toMatchObject({ received: 50, processed: 2, dropped: 48 });
  });
});

describe('Pipeline errors', () => {
  it('reports a detector error on one frame and goes on', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const errors: Array<[VidaiError, PipelineErrorInfo]> = [];
    const results: number[] = [];
    const pipeline = createPipeline({ source, detector, onResult: (r) => results.push(r.seq) });
    pipeline.on('error', (e, info) => errors.push([e, info]));
    const done = pipeline.run();
    source.push(frame(0));
    await settle();
    detector.answer(new VidaiError(ErrorCodes.INVALID_FRAME, 'bad frame'));
    source.push(frame(1));
    await settle();
    detector.answer(new Error('runtime exploded'));
    source.push(frame(2));
    source.end();
    await settle();
    detector.answer();
    const stats = await done;

    expect(results).toEqual([2]);
    expect(stats).toMatchObject({ processed: 1, errors: 2, dropped: 0 });
    expectBalanced(stats);
    expect(errors.map(([e, info]) => [e.code, info.stage, info.fatal, info.frame?.seq])).toEqual([
      ['invalid-frame', 'detector', false, 0],
      ['inference-failed', 'detector', false, 1],
    ]);
    expect(errors[1]![0].cause).toBeInstanceOf(Error);
    expect(errors[1]![0].message).toContain('runtime exploded');
  });

  it('ends on a fatal detector error (closed) and rejects run()', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const pipeline = createPipeline({ source, detector });
    const fatal: boolean[] = [];
    pipeline.on('error', (_e, info) => fatal.push(info.fatal));
    const done = pipeline.run();
    source.push(frame(0));
    await settle();
    source.push(frame(1));
    await settle();
    detector.answer(new VidaiError(ErrorCodes.CLOSED, 'detector closed'));
    await expect(done).rejects.toMatchObject({ code: 'closed' });
    expect(fatal).toEqual([true]);
    expect(detector.seqs).toEqual([0]); // the waiting frame is not detected
    expect(pipeline.stats()).toMatchObject({ errors: 1, dropped: 1 });
    expectBalanced(pipeline.stats());
    expect(source.closeCalls).toBe(1);
  });

  it('lets isFatal decide', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const done = createPipeline({ source, detector, isFatal: (e) => e.code === 'invalid-frame' }).run();
    source.push(frame(0));
    await settle();
    detector.answer(new VidaiError(ErrorCodes.INVALID_FRAME, 'bad frame'));
    await expect(done).rejects.toMatchObject({ code: 'invalid-frame' });
  });

  it('ends with source-failed when the source throws a plain error, and passes VidaiErrors through', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const pipeline = createPipeline({ source, detector });
    const events: string[] = [];
    pipeline.on('error', (e, info) => events.push(`${e.code}:${info.stage}:${info.fatal}`));
    const done = pipeline.run();
    await settle();
    const cause = new Error('pipe broke');
    source.fail(cause);
    await expect(done).rejects.toMatchObject({ code: 'source-failed', cause });
    expect(events).toEqual(['source-failed:source:true']);

    const second = new PushSource();
    const run2 = createPipeline({ source: second, detector }).run();
    second.fail(new VidaiError(ErrorCodes.STREAM_UNAVAILABLE, 'camera gone'));
    await expect(run2).rejects.toMatchObject({ code: 'stream-unavailable' });
  });

  it('rethrows what a sampler throws as it is', async () => {
    const source = new PushSource();
    const bug = new TypeError('sampler bug');
    const sampler: Sampler = {
      name: 'broken',
      accept: () => {
        throw bug;
      },
    };
    const done = createPipeline({ source, detector: new ManualDetector(), sampler }).run();
    source.push(frame(0));
    await expect(done).rejects.toBe(bug);
  });
});

describe('Pipeline lifecycle', () => {
  it('aborts through the signal: run() and iterators reject with aborted, the in-flight result is discarded', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const controller = new AbortController();
    const pipeline = createPipeline({ source, detector, signal: controller.signal });
    const iterator = pipeline[Symbol.asyncIterator]();
    const done = pipeline.run();
    source.push(frame(0));
    await settle();
    source.push(frame(1));
    await settle();
    const read = iterator.next();
    controller.abort();
    detector.answer(); // completes after the abort: discarded
    await expect(done).rejects.toMatchObject({ code: 'aborted' });
    await expect(read).rejects.toMatchObject({ code: 'aborted' });
    expect(pipeline.stats()).toMatchObject({ processed: 0, dropped: 2 });
    expectBalanced(pipeline.stats());
    expect(source.closeCalls).toBe(1);
  });

  it('rejects at once with an already aborted signal', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    await expect(createPipeline({ source, detector, signal: AbortSignal.abort() }).run()).rejects.toMatchObject({ code: 'aborted' });
    expect(detector.calls).toHaveLength(0);
  });

  it('close() is idempotent, ends iterators normally and does not hang on a silent source', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const pipeline = createPipeline({ source, detector, closeDetector: true });
    const ends: PipelineStats[] = [];
    pipeline.on('end', (s) => ends.push(s));
    const iterator = pipeline[Symbol.asyncIterator]();
    await settle();
    const read = iterator.next(); // nothing arrives: the source's next() stays pending
    await Promise.all([pipeline.close(), pipeline.close()]);
    await pipeline.close();
    await expect(read).resolves.toEqual({ value: undefined, done: true });
    await expect(pipeline.run()).resolves.toMatchObject({ received: 0 });
    expect(source.closeCalls).toBe(1);
    expect(detector.closeCalls).toBe(1);
    expect(ends).toHaveLength(1);
  });

  it('close() waits for the detection in flight before closing the detector', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const pipeline = createPipeline({ source, detector, closeDetector: true, closeSource: false });
    void pipeline.run();
    source.push(frame(0));
    await settle();
    let closed = false;
    const closing = pipeline.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    expect(detector.closeCalls).toBe(0);
    detector.answer();
    await closing;
    expect(detector.closeCalls).toBe(1);
    expect(source.closeCalls).toBe(0);
    expect(pipeline.stats()).toMatchObject({ processed: 0, dropped: 1 });
  });

  it('close() before run() closes the source without reading it', async () => {
    const source = new PushSource();
    const pipeline = createPipeline({ source, detector: new ManualDetector() });
    await pipeline.close();
    expect(source.pulls).toBe(0);
    expect(source.closeCalls).toBe(1);
    const results: DetectionResult[] = [];
    for await (const r of pipeline) results.push(r);
    expect(results).toEqual([]);
  });

  it('rejects bad options with TypeError', () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    expect(() => createPipeline({ source: {} as FrameSource, detector })).toThrow(TypeError);
    expect(() => createPipeline({ source, detector: {} as Detector })).toThrow(TypeError);
    expect(() => createPipeline({ source, detector, mode: 'fast' as 'all' })).toThrow(TypeError);
  });
});

describe('Pipeline async iteration', () => {
  it('live: a slow consumer gets the newest result, older unread ones are counted', async () => {
    const source = new PushSource();
    const detector = new ManualDetector();
    const pipeline = createPipeline({ source, detector });
    const iterator = pipeline[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) {
      source.push(frame(i));
      await settle();
      detector.answer();
      await settle();
    }
    // Three results arrived while nobody read: only the last is kept.
    expect((await iterator.next()).value?.seq).toBe(2);
    expect(pipeline.stats().resultsDropped).toBe(2);
    source.end();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('all: the pipeline waits for the consumer (at most one unread result)', async () => {
    const source = new PushSource();
    const detector = new InstantDetector();
    const pipeline = createPipeline({ source, detector, mode: 'all' });
    const iterator = pipeline[Symbol.asyncIterator]();
    source.push(...Array.from({ length: 10 }, (_, i) => frame(i)));
    source.end();
    await settle();
    // Nobody has read: result 0 is unread, frame 1 waits, and nothing else was read or detected.
    expect(detector.seqs).toEqual([0]);
    expect(pipeline.stats()).toMatchObject({ received: 2, processed: 1 });
    const seqs: number[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      seqs.push(r.value.seq);
      await settle();
      expect(detector.seqs.length).toBeLessThanOrEqual(seqs.length + 1);
    }
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pipeline.stats().resultsDropped).toBe(0);
  });

  it('leaving the loop early closes the pipeline and the source', async () => {
    const source = new PushSource();
    const pipeline = createPipeline({ source, detector: new InstantDetector() });
    source.push(frame(0));
    for await (const r of pipeline) {
      expect(r.seq).toBe(0);
      break;
    }
    await pipeline.run();
    expect(source.closeCalls).toBe(1);
  });

  it('iterators and result events see the same results', async () => {
    const source = new PushSource();
    const pipeline = createPipeline({ source, detector: new InstantDetector(), mode: 'all' });
    const viaEvents: number[] = [];
    pipeline.on('result', (r) => viaEvents.push(r.seq));
    source.push(frame(0), frame(1), frame(2));
    source.end();
    const viaIterator: number[] = [];
    for await (const r of pipeline) viaIterator.push(r.seq);
    expect(viaIterator).toEqual([0, 1, 2]);
    expect(viaEvents).toEqual([0, 1, 2]);
  });
});

describe('Pipeline latency and stats', () => {
  it('adds queue and total (wall-clock timestamps) to timings, from the injected clock', async () => {
    let clock = 10_000;
    const source = new PushSource();
    const detector = new ManualDetector();
    const results: DetectionResult[] = [];
    const pipeline = createPipeline({ source, detector, now: () => clock, onResult: (r) => results.push(r) });
    const done = pipeline.run();
    source.push(frame(0, 9_990)); // captured 10 ms before it reached the pipeline
    await settle();
    source.push(frame(1, 9_995));
    await settle();
    clock = 10_040;
    detector.answer(); // frame 0: queue 0, total 10040 - 9990
    await settle();
    clock = 10_100;
    detector.answer(); // frame 1 accepted at 10000, started at 10040
    source.end();
    await done;

    expect(results.map((r) => r.timings)).toEqual([
      { preprocess: 1, inference: 10, postprocess: 2, queue: 0, total: 50 },
      { preprocess: 1, inference: 10, postprocess: 2, queue: 40, total: 105 },
    ]);
    const latency = pipeline.stats().latency;
    expect(latency.total).toMatchObject({ count: 2, max: 105, last: 105, mean: 77.5 });
    expect(latency.queue).toMatchObject({ count: 2, max: 40 });
    expect(latency.inference).toMatchObject({ count: 2, mean: 10 });
  });

  it('computes no total for media timestamps', async () => {
    const results: DetectionResult[] = [];
    const source = fromFrames([frame(0, 0), frame(1, 40)]);
    // Date.now() is decades away from a file's presentation time: auto says media.
    await createPipeline({ source, detector: new InstantDetector(), mode: 'all', onResult: (r) => results.push(r) }).run();
    expect(results.map((r) => 'total' in r.timings)).toEqual([false, false]);
    const forced: DetectionResult[] = [];
    await createPipeline({
      source: fromFrames([frame(0, 1)]),
      detector: new InstantDetector(),
      now: () => 5,
      timestamps: 'media',
      onResult: (r) => forced.push(r),
    }).run();
    expect(forced[0]!.timings.total).toBeUndefined();
  });

  it('emits stats at most once per statsIntervalMs of the injected clock, and at the end', async () => {
    let clock = 0;
    const source = new PushSource();
    const pipeline = createPipeline({ source, detector: new InstantDetector(), mode: 'all', now: () => clock, statsIntervalMs: 1000 });
    const seen: number[] = [];
    pipeline.on('stats', (s) => seen.push(s.processed));
    const done = pipeline.run();
    for (let i = 0; i < 5; i++) {
      clock = i * 600;
      source.push(frame(i, clock));
      await settle();
    }
    source.end();
    await done;
    // Frames at t=0,600,1200,1800,2400: the interval elapses when frames 2 and 4 arrive
    // (before they are detected), then the final stats at the end.
    expect(seen).toEqual([2, 4, 5]);
  });
});

import { ErrorCodes, VidaiError } from '@vidai/core';
import { describe, expect, it } from 'vitest';
import type { BrowserDetectionResult, BrowserDetectOptions } from './browser-detector.js';
import { FrameGate, type CaptureSource, type CapturedFrame } from './capture-source.js';
import { DetectionLoop, type LoopDetector } from './detection-loop.js';

/** Lets pending promise callbacks run. */
const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

/** A source the test drives: `present()` shows a new frame; images are made only when taken. */
function manualSource(numbering: (presented: number) => number = (presented) => presented - 1) {
  const gate = new FrameGate();
  const taken: number[] = [];
  const closedImages: number[] = [];
  const source = {
    taken,
    closedImages,
    present: () => gate.frame(),
    end: () => gate.end(),
    get presentedFrames() {
      return gate.presented;
    },
    async next(signal?: AbortSignal): Promise<CapturedFrame | undefined> {
      if (!(await gate.wait(signal))) return undefined;
      const seq = numbering(gate.presented);
      taken.push(seq);
      const image = { close: () => closedImages.push(seq) } as unknown as ImageBitmap;
      return { image, width: 4, height: 4, timestamp: seq * 33, seq, capturedAt: performance.now(), close: () => image.close() };
    },
    async close() {
      gate.end();
    },
  } satisfies CaptureSource & Record<string, unknown>;
  return source;
}

/** A detector whose calls stay pending until the test settles them. */
function manualDetector(concurrency?: number) {
  const calls: { seq: number; threshold: number | undefined; resolve: () => void; reject: (e: Error) => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const detector = {
    calls,
    maxActive: () => maxActive,
    ...(concurrency ? { concurrency } : {}),
    detect(_input: unknown, o?: BrowserDetectOptions): Promise<BrowserDetectionResult> {
      active++;
      maxActive = Math.max(maxActive, active);
      return new Promise<BrowserDetectionResult>((resolve, reject) => {
        const seq = o!.seq!;
        const result = {
          seq,
          timestamp: o!.timestamp!,
          width: 4,
          height: 4,
          detections: [],
          timings: { preprocess: 1, inference: 20, postprocess: 1 },
        } as unknown as BrowserDetectionResult;
        calls.push({
          seq,
          threshold: o?.scoreThreshold,
          resolve: () => {
            active--;
            resolve(result);
          },
          reject: (e) => {
            active--;
            reject(e);
          },
        });
      });
    },
  } satisfies LoopDetector & Record<string, unknown>;
  return detector;
}

describe('DetectionLoop', () => {
  it('takes the newest frame when the detector frees up; frames shown meanwhile are skipped, never queued or copied', async () => {
    const source = manualSource();
    const detector = manualDetector();
    const seen: number[] = [];
    const loop = DetectionLoop.start({ source, detector, onResult: (r) => seen.push(r.seq) });
    source.present(); // frame 0
    await flush();
    expect(detector.calls.map((c) => c.seq)).toEqual([0]);
    for (let i = 0; i < 4; i++) source.present(); // frames 1..4 while busy
    await flush();
    expect(detector.calls).toHaveLength(1);
    detector.calls[0]!.resolve();
    await flush();
    expect(detector.calls.map((c) => c.seq)).toEqual([0, 4]);
    expect(source.taken).toEqual([0, 4]); // 1..3 were never grabbed
    detector.calls[1]!.resolve();
    await flush();
    const stats = await loop.stop();
    expect(seen).toEqual([0, 4]);
    expect(stats).toMatchObject({ detected: 2, dropped: 3, errors: 0 });
    expect(detector.maxActive()).toBe(1);
    expect(stats.timings.inference?.p50).toBe(20);
    expect(stats.timings.latency?.count).toBe(2);
  });

  it('keeps `concurrency` frames in flight and drops a result that comes after a newer one', async () => {
    const source = manualSource();
    const detector = manualDetector(2);
    const seen: number[] = [];
    const loop = DetectionLoop.start({ source, detector, onResult: (r) => seen.push(r.seq) });
    source.present();
    await flush();
    source.present();
    await flush();
    expect(detector.calls.map((c) => c.seq)).toEqual([0, 1]);
    expect(detector.maxActive()).toBe(2);
    source.present();
    await flush();
    expect(detector.calls).toHaveLength(2); // both slots busy
    detector.calls[1]!.resolve(); // the newer frame finishes first
    await flush();
    detector.calls[0]!.resolve(); // stale now
    await flush();
    expect(seen).toEqual([1]);
    // Frame 2 (shown while both were busy) went out as a slot freed; stop() waits for it.
    expect(detector.calls.map((c) => c.seq)).toEqual([0, 1, 2]);
    const stopped = loop.stop();
    detector.calls[2]!.resolve();
    const stats = await stopped;
    expect(seen).toEqual([1, 2]);
    expect(stats.dropped).toBe(1);
  });

  it('orders results by when their detection started, so a source whose numbering starts over still gets results', async () => {
    // A numbering that starts over after three frames, as a <video> given new media may.
    const source = manualSource((presented) => (presented - 1) % 3);
    const detector = manualDetector();
    const seen: number[] = [];
    const loop = DetectionLoop.start({ source, detector, onResult: (r) => seen.push(r.seq) });
    for (let i = 0; i < 5; i++) {
      source.present();
      await flush();
      detector.calls[i]!.resolve();
      await flush();
    }
    const stats = await loop.stop();
    expect(seen).toEqual([0, 1, 2, 0, 1]);
    expect(stats).toMatchObject({ detected: 5, dropped: 0 });
  });

  it('reports a failed detection, closes its frame and goes on; a closed detector ends the loop', async () => {
    const source = manualSource();
    const detector = manualDetector();
    const errors: string[] = [];
    const loop = DetectionLoop.start({ source, detector, onError: (e) => errors.push(e.code) });
    source.present();
    await flush();
    detector.calls[0]!.reject(new VidaiError(ErrorCodes.INFERENCE_FAILED, 'boom'));
    source.present();
    await flush();
    expect(source.closedImages).toEqual([0]);
    detector.calls[1]!.reject(new VidaiError(ErrorCodes.CLOSED, 'closed'));
    const stats = await loop.done;
    expect(errors).toEqual([ErrorCodes.INFERENCE_FAILED, ErrorCodes.CLOSED]);
    expect(stats).toMatchObject({ detected: 0, errors: 2 });
    expect(await loop.stop()).toBe(stats);
  });

  it('ends with the source and passes a threshold changed while running', async () => {
    const source = manualSource();
    const detector = manualDetector();
    const loop = DetectionLoop.start({ source, detector, scoreThreshold: 0.5 });
    source.present();
    await flush();
    loop.scoreThreshold = 0.7;
    detector.calls[0]!.resolve();
    source.present();
    await flush();
    detector.calls[1]!.resolve();
    await flush();
    source.end();
    const stats = await loop.done;
    expect(detector.calls.map((c) => c.threshold)).toEqual([0.5, 0.7]);
    expect(stats.detected).toBe(2);
  });

  it('rejects bad arguments with TypeError', () => {
    const source = manualSource();
    expect(() => DetectionLoop.start({ source, detector: {} as LoopDetector })).toThrow(TypeError);
    expect(() => DetectionLoop.start({ source, detector: manualDetector(), concurrency: 0 })).toThrow(TypeError);
  });
});

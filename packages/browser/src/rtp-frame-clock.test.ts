import { describe, expect, it } from 'vitest';
import { RtpFrameClock } from './rtp-frame-clock.js';

/** A sender: capture times with jitter, RTP = 90 * whole capture ms + a random offset (wrapping), encoded 4-30 ms later. */
function simulate(count: number, rtpOffset: number, seed = 1) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const frames: Array<{ capture: number; rtp: number; encodedAt: number }> = [];
  let t = 1234.5;
  for (let i = 0; i < count; i++) {
    t += 33.3 + (random() - 0.5) * 8;
    const capture = Math.round(t * 10) / 10; // captureTime has 0.1 ms steps
    frames.push({ capture, rtp: (rtpOffset + 90 * Math.floor(capture)) % 2 ** 32, encodedAt: capture + 4 + random() * 26 });
  }
  return frames;
}

describe('RtpFrameClock', () => {
  it('maps each RTP timestamp to the capture time of its own frame, across the 32-bit wrap', () => {
    const clock = new RtpFrameClock();
    // The offset puts the wrap of the RTP clock in the middle of the run.
    const frames = simulate(200, 2 ** 32 - 90 * 4000);
    let exact = 0;
    let mapped = 0;
    for (const [i, f] of frames.entries()) {
      clock.encoded(f.rtp, f.encodedAt);
      if (i % 7 !== 3) clock.presented(f.capture); // the preview skips some frames
      if (i < 10) continue;
      const c = clock.captureTime(f.rtp);
      if (c === undefined) continue;
      mapped++;
      // Frames the preview showed get its capture time exactly, the others within a ms.
      if (i % 7 !== 3) {
        expect(c).toBe(f.capture);
        exact++;
      } else expect(Math.abs(c - f.capture)).toBeLessThanOrEqual(1);
    }
    expect(mapped).toBe(190);
    expect(exact).toBeGreaterThan(150);
    expect(frames.some((f, i) => i > 0 && f.rtp < frames[i - 1]!.rtp)).toBe(true);
  });

  it('is uncalibrated until it has seen both encoded and presented frames, and after reset', () => {
    const clock = new RtpFrameClock();
    const [f] = simulate(1, 77);
    expect(clock.captureTime(f!.rtp)).toBeUndefined();
    clock.encoded(f!.rtp, f!.encodedAt);
    expect(clock.calibrated).toBe(false);
    clock.presented(f!.capture);
    expect(clock.captureTime(f!.rtp)).toBe(f!.capture);
    clock.reset();
    expect(clock.captureTime(f!.rtp)).toBeUndefined();
  });

  it('frameTime records the preview frame and returns its capture time', () => {
    const clock = new RtpFrameClock();
    const frames = simulate(5, 5);
    for (const f of frames) {
      clock.encoded(f.rtp, f.encodedAt);
      expect(clock.frameTime({} as HTMLVideoElement, { captureTime: f.capture } as VideoFrameCallbackMetadata)).toBe(f.capture);
    }
    expect(clock.captureTime(frames[2]!.rtp)).toBe(frames[2]!.capture);
  });

  it('rejects bad options', () => {
    expect(() => new RtpFrameClock({ window: 1 })).toThrow(TypeError);
  });
});

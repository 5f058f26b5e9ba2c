import { ErrorCodes, VidaiError } from '@vidai/core';
import { describe, expect, it } from 'vitest';
import { cameraError } from './camera-error.js';
import { CameraSource, cameraConstraints } from './camera-source.js';

/** A MediaDevices stand-in whose getUserMedia fails with `err` or returns a stream of fake tracks. */
function devices(err?: unknown) {
  const stopped: string[] = [];
  const track = (kind: string) => ({ kind, stop: () => stopped.push(kind), getSettings: () => ({ facingMode: 'user', width: 640 }) });
  const calls: MediaStreamConstraints[] = [];
  const md = {
    async getUserMedia(c: MediaStreamConstraints) {
      calls.push(c);
      if (err) throw err;
      const tracks = [track('video'), ...(c.audio ? [track('audio')] : [])];
      return { getTracks: () => tracks, getVideoTracks: () => tracks.filter((t) => t.kind === 'video') };
    },
  } as unknown as MediaDevices;
  return { md, stopped, calls };
}

describe('cameraConstraints', () => {
  it('uses ideal values by default and exact ones on request', () => {
    expect(cameraConstraints({ width: 1280, height: 720, frameRate: 30, facingMode: 'user' })).toEqual({
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 }, facingMode: { ideal: 'user' } },
      audio: false,
    });
    expect(cameraConstraints({ width: 640, exact: true, deviceId: 'abc' }).video).toEqual({
      width: { exact: 640 },
      deviceId: { exact: 'abc' },
    });
    expect(cameraConstraints()).toEqual({ video: true, audio: false });
  });

  it('rejects a non-positive size with TypeError', () => {
    expect(() => cameraConstraints({ width: 0 })).toThrow(TypeError);
  });
});

describe('cameraError', () => {
  const cases: [string, string][] = [
    ['NotAllowedError', ErrorCodes.CAMERA_DENIED],
    ['SecurityError', ErrorCodes.CAMERA_DENIED],
    ['NotFoundError', ErrorCodes.CAMERA_NOT_FOUND],
    ['OverconstrainedError', ErrorCodes.CAMERA_OVERCONSTRAINED],
    ['NotReadableError', ErrorCodes.CAMERA_UNAVAILABLE],
    ['AbortError', ErrorCodes.CAMERA_UNAVAILABLE],
  ];
  it.each(cases)('maps %s to %s and keeps the DOMException name', (name, code) => {
    const dom = new DOMException('boom', name);
    const err = cameraError(dom) as VidaiError;
    expect(err).toBeInstanceOf(VidaiError);
    expect(err.code).toBe(code);
    expect(err.details?.name).toBe(name);
    expect(err.cause).toBe(dom);
  });

  it('keeps the failing constraint of an OverconstrainedError', () => {
    const err = cameraError(Object.assign(new Error('no'), { name: 'OverconstrainedError', constraint: 'width' })) as VidaiError;
    expect(err.details?.constraint).toBe('width');
    expect(err.message).toContain('"width"');
    expect(err.message).toContain('exact: false');
  });

  it('passes TypeError through', () => {
    const t = new TypeError('bad constraints');
    expect(cameraError(t)).toBe(t);
  });
});

describe('CameraSource', () => {
  it('opens, exposes the stream and stops every track once on close', async () => {
    const { md, stopped, calls } = devices();
    const cam = await CameraSource.open({ facingMode: 'user', audio: true, mediaDevices: md });
    expect(calls[0]!.audio).toBe(true);
    expect(cam.stream.getTracks()).toHaveLength(2);
    expect(cam.isFrontFacing).toBe(true);
    expect(cam.settings.width).toBe(640);
    await cam.close();
    await cam.close();
    expect(stopped.sort()).toEqual(['audio', 'video']);
  });

  it('rejects with the mapped VidaiError', async () => {
    const { md } = devices(new DOMException('denied', 'NotAllowedError'));
    await expect(CameraSource.open({ mediaDevices: md })).rejects.toMatchObject({
      code: ErrorCodes.CAMERA_DENIED,
      details: { name: 'NotAllowedError' },
    });
  });
});

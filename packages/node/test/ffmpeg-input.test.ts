import { describe, expect, test } from 'vitest';
import { resolve } from 'node:path';
import { classifyFailure, redactUrl, resolveInput } from '../src/ffmpeg-input.js';
import { resolveFfprobePath } from '../src/ffmpeg-binary.js';

describe('resolveInput', () => {
  test('classifies strings by form and says which are live', () => {
    expect(resolveInput('clip.mp4')).toMatchObject({ kind: 'file', live: false, target: resolve('clip.mp4'), demuxerArgs: [] });
    expect(resolveInput('rtsp://cam/1')).toMatchObject({ kind: 'rtsp', live: true, demuxerArgs: ['-rtsp_transport', 'tcp'] });
    expect(resolveInput('rtsp://cam/1', { rtspTransport: 'udp' }).demuxerArgs).toEqual(['-rtsp_transport', 'udp']);
    expect(resolveInput('https://host/live.m3u8')).toMatchObject({ kind: 'http', live: true, target: 'https://host/live.m3u8' });
    expect(resolveInput('/dev/video0')).toMatchObject({ kind: 'v4l2', live: true, demuxerArgs: ['-f', 'v4l2'], target: '/dev/video0' });
    expect(resolveInput('srt://host:9000')).toMatchObject({ kind: 'custom', live: true });
    expect(resolveInput('file:///tmp/a.mp4')).toMatchObject({ kind: 'file', path: '/tmp/a.mp4' });
  });

  test('object forms: v4l2 capture options and custom demuxers', () => {
    const camera = resolveInput({ kind: 'v4l2', device: '/dev/video2', size: { width: 1280, height: 720 }, frameRate: 30, inputFormat: 'mjpeg' });
    expect(camera.demuxerArgs).toEqual(['-f', 'v4l2', '-input_format', 'mjpeg', '-video_size', '1280x720', '-framerate', '30']);
    expect(resolveInput({ kind: 'custom', input: 'testsrc2=size=320x240', format: 'lavfi', live: false })).toMatchObject({
      demuxerArgs: ['-f', 'lavfi'],
      live: false,
    });
    expect(() => resolveInput({ kind: 'nope' } as never)).toThrow(TypeError);
    expect(() => resolveInput('')).toThrow(TypeError);
  });

  test('hides credentials in labels', () => {
    expect(resolveInput('rtsp://admin:secret@cam/1').label).toBe('rtsp://***@cam/1');
    expect(redactUrl('http://host/a@b')).toBe('http://host/a@b');
  });

  test('classifies ffmpeg failure lines', () => {
    expect(classifyFailure('/x.mp4: No such file or directory')).toBe('not-found');
    expect(classifyFailure('/x.mp4: Invalid data found when processing input')).toBe('unreadable');
    expect(classifyFailure('Conversion failed!')).toBe('other');
  });

  test('finds the ffprobe beside an ffmpeg given as a path', () => {
    const saved = process.env.VIDAI_FFPROBE;
    delete process.env.VIDAI_FFPROBE;
    try {
      expect(resolveFfprobePath(undefined, '/opt/ff/bin/ffmpeg')).toBe('/opt/ff/bin/ffprobe');
      expect(resolveFfprobePath(undefined, 'ffmpeg')).toBe('ffprobe');
      expect(resolveFfprobePath('/x/probe', '/opt/ff/bin/ffmpeg')).toBe('/x/probe');
    } finally {
      if (saved !== undefined) process.env.VIDAI_FFPROBE = saved;
    }
  });
});

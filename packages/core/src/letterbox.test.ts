import { describe, expect, it } from 'vitest';
import type { Box } from './detection.js';
import { isVidaiError } from './errors.js';
import { frameToRgb } from './color-convert.js';
import type { Frame, PixelFormat } from './frame.js';
import { letterbox, letterboxTransform, modelToSourceBox, type LetterboxOptions, type LetterboxTransform } from './letterbox.js';
import { resizeBilinear } from './resize.js';

type Rgb = readonly [number, number, number];

function frame(format: PixelFormat, width: number, height: number, data: Uint8Array): Frame {
  return { data, width, height, format, timestamp: 0, seq: 0 };
}

/** A solid-color frame in a packed format. */
function solid(format: 'rgb' | 'bgr' | 'rgba' | 'gray', width: number, height: number, [r, g, b]: Rgb): Frame {
  const n = width * height;
  const px = format === 'rgb' ? [r, g, b] : format === 'bgr' ? [b, g, r] : format === 'rgba' ? [r, g, b, 255] : [r];
  const data = new Uint8Array(n * px.length);
  for (let i = 0; i < data.length; i++) data[i] = px[i % px.length]!;
  return frame(format, width, height, data);
}

/** A YUV 4:2:0 frame where every Y sample is `y` and every chroma sample is `u`, `v`. */
function solidYuv(format: 'i420' | 'nv12', width: number, height: number, y: number, u: number, v: number): Frame {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const data = new Uint8Array(width * height + 2 * cw * ch).fill(y, 0, width * height);
  for (let i = 0; i < cw * ch; i++) {
    if (format === 'i420') {
      data[width * height + i] = u;
      data[width * height + cw * ch + i] = v;
    } else {
      data[width * height + 2 * i] = u;
      data[width * height + 2 * i + 1] = v;
    }
  }
  return frame(format, width, height, data);
}

/** The value of tensor channel `c` at model pixel (x, y). */
function at(tensor: Float32Array, size: number, c: number, x: number, y: number): number {
  return tensor[c * size * size + y * size + x]!;
}

/** Classifies every model pixel of a square tensor as content (value `inside`) or pad (`pad`); returns the content rectangle. */
function contentRect(tensor: Float32Array, size: number, inside: number, pad: number): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = size;
  let y0 = size;
  let x1 = -1;
  let y1 = -1;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = at(tensor, size, c, x, y);
        if (Math.abs(v - inside) < 1e-4) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        } else if (Math.abs(v - pad) > 1e-4) {
          throw new Error(`unexpected value ${v} at channel ${c} (${x}, ${y})`);
        }
      }
    }
  }
  return { x0, y0, x1, y1 };
}

describe('letterbox geometry', () => {
  it('computes the exact transform of a 720p frame for both alignments', () => {
    expect(letterboxTransform(1280, 720, { size: 416 })).toEqual({
      scale: 0.325,
      padX: 0,
      padY: 91,
      srcWidth: 1280,
      srcHeight: 720,
      dstWidth: 416,
      dstHeight: 416,
      contentWidth: 416,
      contentHeight: 234,
      scaleX: 0.325,
      scaleY: 0.325,
    });
    expect(letterboxTransform(1280, 720, { size: 416, align: 'top-left' })).toMatchObject({ padX: 0, padY: 0, contentHeight: 234 });
    expect(letterboxTransform(720, 1280, { size: 416 })).toMatchObject({ padX: 91, padY: 0, contentWidth: 234, contentHeight: 416 });
  });

  it('rounds the resized size as asked and puts the odd padding pixel at the bottom/right', () => {
    // 512 * 416 / 773 = 275.54
    const round = letterboxTransform(773, 512, { size: 416 });
    expect(round).toMatchObject({ contentWidth: 416, contentHeight: 276, padY: 70 });
    expect(round.scaleY).toBeCloseTo(276 / 512, 12);
    const floor = letterboxTransform(773, 512, { size: 416, rounding: 'floor' });
    expect(floor).toMatchObject({ contentWidth: 416, contentHeight: 275, padY: 70 });
    // The limiting side always fills the input exactly, whatever floating point does.
    for (const w of [333, 640, 773, 1352, 1919]) {
      expect(letterboxTransform(w, 100, { size: 416, rounding: 'floor' }).contentWidth).toBe(416);
    }
  });

  it('fits non-square inputs and respects allowUpscale', () => {
    expect(letterboxTransform(1280, 720, { size: { width: 640, height: 384 } })).toMatchObject({
      scale: 0.5,
      contentWidth: 640,
      contentHeight: 360,
      padX: 0,
      padY: 12,
      dstWidth: 640,
      dstHeight: 384,
    });
    expect(letterboxTransform(200, 100, { size: 416 })).toMatchObject({ scale: 2.08, contentWidth: 416, contentHeight: 208, padY: 104 });
    expect(letterboxTransform(200, 100, { size: 416, allowUpscale: false })).toMatchObject({
      scale: 1,
      contentWidth: 200,
      contentHeight: 100,
      padX: 108,
      padY: 158,
    });
  });

  it('writes the content and the pad exactly where the transform says, for both alignments', () => {
    const src = solid('rgb', 773, 512, [200, 200, 200]);
    for (const align of ['center', 'top-left'] as const) {
      for (const rounding of ['round', 'floor'] as const) {
        const { tensor, dims, transform: t } = letterbox(src, { size: 416, align, rounding, scale: 1 });
        expect(dims).toEqual([1, 3, 416, 416]);
        expect(tensor.length).toBe(3 * 416 * 416);
        const rect = contentRect(tensor, 416, 200, 114);
        expect(rect).toEqual({ x0: t.padX, y0: t.padY, x1: t.padX + t.contentWidth! - 1, y1: t.padY + t.contentHeight! - 1 });
        if (align === 'top-left') expect([t.padX, t.padY]).toEqual([0, 0]);
        else expect(rect.y0).toBe(Math.floor((416 - t.contentHeight!) / 2));
      }
    }
  });

  it('pads a small frame on all sides when upscaling is off', () => {
    const { tensor, transform: t } = letterbox(solid('gray', 200, 100, [50, 50, 50]), { size: 416, allowUpscale: false, padValue: 0, scale: 1 });
    expect(contentRect(tensor, 416, 50, 0)).toEqual({ x0: 108, y0: 158, x1: 307, y1: 257 });
    expect(t.scale).toBe(1);
  });
});

describe('modelToSourceBox', () => {
  const forward = (b: Box, t: LetterboxTransform): Box => [
    b[0] * t.scaleX! + t.padX,
    b[1] * t.scaleY! + t.padY,
    b[2] * t.scaleX! + t.padX,
    b[3] * t.scaleY! + t.padY,
  ];

  it('round-trips boxes through the letterbox for many geometries', () => {
    const boxes: Box[] = [
      [0, 0, 10, 10],
      [132.8, 206.6, 325.7, 543.1],
      [51.7, 137.2, 572.3, 423.6],
    ];
    for (const [w, h] of [[768, 576], [1280, 720], [720, 1280], [773, 512], [200, 100], [4000, 3000]] as const) {
      for (const align of ['center', 'top-left'] as const) {
        for (const rounding of ['round', 'floor'] as const) {
          const t = letterboxTransform(w, h, { size: { width: 640, height: 416 }, align, rounding });
          for (const box of boxes) {
            const clipped: Box = [Math.min(box[0], w), Math.min(box[1], h), Math.min(box[2], w), Math.min(box[3], h)];
            const back = modelToSourceBox(forward(clipped, t), t);
            back.forEach((v, i) => expect(v).toBeCloseTo(clipped[i]!, 9));
          }
        }
      }
    }
  });

  it('maps the content corners to the frame corners and clips boxes that reach into the padding', () => {
    const t = letterboxTransform(1280, 720, { size: 416 });
    expect(modelToSourceBox([0, 91, 416, 91 + 234], t)).toEqual([0, 0, 1280, 720]);
    expect(modelToSourceBox([-20, 0, 500, 416], t)).toEqual([0, 0, 1280, 720]);
    expect(modelToSourceBox([208, 208, 240, 230], t)).toEqual([640, (208 - 91) / 0.325, 240 / 0.325, (230 - 91) / 0.325]);
  });

  it('uses scale when a hand-made transform has no per-axis factors', () => {
    const t: LetterboxTransform = { scale: 0.5, padX: 10, padY: 20, srcWidth: 100, srcHeight: 80, dstWidth: 64, dstHeight: 64 };
    expect(modelToSourceBox([10, 20, 40, 50], t)).toEqual([0, 0, 60, 60]);
    expect(modelToSourceBox([0, 0, 64, 64], t)).toEqual([0, 0, 100, 80]);
  });
});

describe('letterbox pixels', () => {
  it('orders channels as asked', () => {
    const src = solid('rgb', 8, 8, [10, 20, 30]);
    const rgb = letterbox(src, { size: 8, scale: 1 }).tensor;
    const bgr = letterbox(src, { size: 8, scale: 1, channelOrder: 'bgr' }).tensor;
    expect([0, 1, 2].map((c) => at(rgb, 8, c, 3, 3))).toEqual([10, 20, 30]);
    expect([0, 1, 2].map((c) => at(bgr, 8, c, 3, 3))).toEqual([30, 20, 10]);
  });

  it('normalizes content and padding as (pixel * scale - mean) / std, per tensor channel', () => {
    const mean: [number, number, number] = [0.485, 0.456, 0.406];
    const std: [number, number, number] = [0.229, 0.224, 0.225];
    const src = solid('rgba', 10, 5, [255, 128, 0]);
    const { tensor } = letterbox(src, { size: 10, mean, std, padValue: 114 });
    const pixel = [255, 128, 0];
    for (let c = 0; c < 3; c++) {
      expect(at(tensor, 10, c, 5, 5)).toBeCloseTo((pixel[c]! / 255 - mean[c]!) / std[c]!, 5);
      expect(at(tensor, 10, c, 5, 0)).toBeCloseTo((114 / 255 - mean[c]!) / std[c]!, 5);
    }
    // Defaults: scale 1/255, no mean, unit std, pad 114.
    const plain = letterbox(src, { size: 10 }).tensor;
    expect(at(plain, 10, 0, 5, 5)).toBeCloseTo(1, 6);
    expect(at(plain, 10, 1, 5, 5)).toBeCloseTo(128 / 255, 6);
    expect(at(plain, 10, 2, 0, 0)).toBeCloseTo(114 / 255, 6);
    // With bgr, mean[0] applies to blue.
    const bgr = letterbox(src, { size: 10, channelOrder: 'bgr', scale: 1, mean: [1, 2, 3] }).tensor;
    expect([0, 1, 2].map((c) => at(bgr, 10, c, 5, 5))).toEqual([-1, 126, 252]);
  });

  const expected: Record<'rgb' | 'bgr' | 'rgba' | 'gray', Rgb> = {
    rgb: [200, 100, 50],
    bgr: [200, 100, 50],
    rgba: [200, 100, 50],
    gray: [90, 90, 90],
  };

  it.each(Object.keys(expected) as Array<keyof typeof expected>)('reads a solid %s frame into the expected tensor', (format) => {
    const color = expected[format];
    for (const [w, h] of [[33, 17], [640, 480], [5, 9]] as const) {
      const { tensor } = letterbox(solid(format, w, h, color), { size: 32, scale: 1, channelOrder: 'bgr' });
      const t = letterboxTransform(w, h, { size: 32 });
      for (let c = 0; c < 3; c++) {
        expect(at(tensor, 32, c, t.padX + 1, t.padY + 1)).toBeCloseTo(color[2 - c]!, 4);
        expect(at(tensor, 32, c, t.padX + t.contentWidth - 1, t.padY + t.contentHeight - 1)).toBeCloseTo(color[2 - c]!, 4);
      }
    }
  });

  // BT.601 limited range, with the textbook coefficients.
  const bt601 = (y: number, u: number, v: number): Rgb => {
    const clamp = (x: number) => Math.min(255, Math.max(0, x));
    const l = 1.164 * (y - 16);
    return [clamp(l + 1.596 * (v - 128)), clamp(l - 0.392 * (u - 128) - 0.813 * (v - 128)), clamp(l + 2.017 * (u - 128))];
  };

  it.each(['i420', 'nv12'] as const)('converts a solid %s frame with BT.601 limited range', (format) => {
    const colors: Array<[number, number, number]> = [
      [126, 100, 150], // a mid tone
      [81, 90, 240], // pure red: G and B clamp at 0
      [235, 128, 128], // white
      [16, 128, 128], // black
    ];
    for (const [y, u, v] of colors) {
      for (const [w, h] of [[7, 5], [64, 48], [1, 1]] as const) {
        const { tensor } = letterbox(solidYuv(format, w, h, y, u, v), { size: 16, scale: 1 });
        const rgb = bt601(y, u, v);
        const t = letterboxTransform(w, h, { size: 16 });
        for (let c = 0; c < 3; c++) expect(Math.abs(at(tensor, 16, c, t.padX, t.padY + t.contentHeight - 1) - rgb[c]!)).toBeLessThan(0.5);
      }
    }
    expect(bt601(81, 90, 240)[1]).toBe(0);
  });

  it.each(['i420', 'nv12'] as const)('resizes %s like converting to rgb first (chroma taps follow the luma taps)', (format) => {
    for (const [w, h, size] of [[97, 55, 64], [31, 17, 64], [640, 360, 100]] as const) {
      // A smooth picture whose colors never clamp, so both orders of operations agree.
      const cw = Math.ceil(w / 2);
      const ch = Math.ceil(h / 2);
      const data = new Uint8Array(w * h + 2 * cw * ch);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = 70 + ((x * 7 + y * 3) % 110);
      for (let y = 0; y < ch; y++) {
        for (let x = 0; x < cw; x++) {
          const u = 100 + ((x * 5) % 56);
          const v = 100 + ((y * 9 + x) % 56);
          if (format === 'i420') {
            data[w * h + y * cw + x] = u;
            data[w * h + cw * ch + y * cw + x] = v;
          } else {
            data[w * h + 2 * (y * cw + x)] = u;
            data[w * h + 2 * (y * cw + x) + 1] = v;
          }
        }
      }
      const yuv = frame(format, w, h, data);
      const viaRgb = letterbox(frame('rgb', w, h, frameToRgb(yuv)), { size, scale: 1 }).tensor;
      const direct = letterbox(yuv, { size, scale: 1 }).tensor;
      let max = 0;
      for (let i = 0; i < direct.length; i++) max = Math.max(max, Math.abs(direct[i]! - viaRgb[i]!));
      // The rgb path starts from values rounded to integers: at most half a level apart.
      expect(max).toBeLessThanOrEqual(0.5 + 1e-4);
    }
  });

  it.each([
    ['rgb', 3, 0],
    ['bgr', 3, 0],
    ['rgba', 4, 0],
    ['rgba', 4, 1], // data not 4-byte aligned in its buffer
    ['rgb', 3, 3],
  ] as const)('equals resizeBilinear of the same %s pixels inside the content area (byte offset %i)', (format, bpp, offset) => {
    for (const [w, h, size] of [[123, 77, 96], [1280, 720, 416], [3, 2, 16], [1, 1, 4]] as const) {
      const buffer = new Uint8Array(offset + w * h * bpp + 8).fill(255);
      const data = buffer.subarray(offset, offset + w * h * bpp);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 7)) % 256;
      const { tensor, transform: t } = letterbox(frame(format, w, h, data), { size, scale: 1 });
      const resized = resizeBilinear(data, w, h, bpp, t.contentWidth!, t.contentHeight!);
      let max = 0;
      for (let y = 0; y < t.contentHeight!; y++) {
        for (let x = 0; x < t.contentWidth!; x++) {
          for (let c = 0; c < 3; c++) {
            const byte = format === 'bgr' ? 2 - c : c;
            max = Math.max(max, Math.abs(at(tensor, size, c, x + t.padX, y + t.padY) - resized[(y * t.contentWidth! + x) * bpp + byte]!));
          }
        }
      }
      expect(max, `${w}x${h}`).toBeLessThanOrEqual(0.5 + 1e-4);
    }
  });
});

describe('letterbox output buffer', () => {
  const src = solid('rgb', 64, 32, [1, 2, 3]);
  const options: LetterboxOptions = { size: 16, scale: 1 };

  it('writes into out when it is exactly large enough, overwriting every value', () => {
    const out = new Float32Array(3 * 16 * 16).fill(Number.NaN);
    const { tensor } = letterbox(src, options, out);
    expect(tensor).toBe(out);
    expect(out.every((v) => !Number.isNaN(v))).toBe(true);
    expect(at(out, 16, 2, 8, 8)).toBe(3);
  });

  it('returns a view of the start of a larger out', () => {
    const out = new Float32Array(3 * 16 * 16 + 100).fill(-7);
    const { tensor } = letterbox(src, options, out);
    expect(tensor.buffer).toBe(out.buffer);
    expect(tensor.byteOffset).toBe(out.byteOffset);
    expect(tensor.length).toBe(3 * 16 * 16);
    expect(out[3 * 16 * 16]).toBe(-7);
  });

  it('allocates a new tensor when out is too small', () => {
    const out = new Float32Array(10);
    const { tensor } = letterbox(src, options, out);
    expect(tensor.buffer).not.toBe(out.buffer);
    expect(tensor.length).toBe(3 * 16 * 16);
  });

  it('gives the same tensor whether out is reused across calls of different frames or not', () => {
    const out = new Float32Array(3 * 16 * 16);
    letterbox(solid('rgba', 10, 40, [9, 9, 9]), options, out);
    const reused = letterbox(src, options, out).tensor;
    expect(reused).toEqual(letterbox(src, options).tensor);
  });
});

describe('letterbox validation', () => {
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (err) {
      return isVidaiError(err) ? err.code : (err as Error).name;
    }
    return undefined;
  };

  it('rejects frames whose data does not match their size and format', () => {
    expect(code(() => letterbox(frame('rgb', 4, 4, new Uint8Array(47)), { size: 8 }))).toBe('invalid-frame');
    expect(code(() => letterbox(frame('rgba', 4, 4, new Uint8Array(48)), { size: 8 }))).toBe('invalid-frame');
    expect(code(() => letterbox(frame('i420', 3, 3, new Uint8Array(9 + 2 * 2)), { size: 8 }))).toBe('invalid-frame');
    expect(code(() => letterbox(frame('i420', 3, 3, new Uint8Array(9 + 2 * 4)), { size: 8 }))).toBeUndefined();
    expect(code(() => letterbox(frame('rgb', 0, 4, new Uint8Array(0)), { size: 8 }))).toBe('invalid-frame');
    expect(code(() => letterbox(frame('rgb', 2.5, 2, new Uint8Array(15)), { size: 8 }))).toBe('invalid-frame');
    expect(code(() => letterbox({ ...frame('rgb', 1, 1, new Uint8Array(3)), data: [1, 2, 3] as unknown as Uint8Array }, { size: 8 }))).toBe(
      'invalid-frame',
    );
    expect(code(() => letterbox(frame('yuyv' as PixelFormat, 2, 2, new Uint8Array(8)), { size: 8 }))).toBe('unsupported-format');
  });

  it('rejects invalid options with TypeError', () => {
    const ok = frame('gray', 2, 2, new Uint8Array(4));
    expect(code(() => letterbox(ok, { size: 0 }))).toBe('TypeError');
    expect(code(() => letterbox(ok, { size: { width: 416, height: 41.5 } }))).toBe('TypeError');
    expect(code(() => letterbox(ok, { size: 8, std: [1, 0, 1] }))).toBe('TypeError');
    expect(code(() => letterbox(ok, { size: 8, mean: [1, 2] as unknown as [number, number, number] }))).toBe('TypeError');
    expect(code(() => letterbox(ok, { size: 8, align: 'middle' as 'center' }))).toBe('TypeError');
    expect(code(() => letterbox(ok, { size: 8, padValue: Number.NaN }))).toBe('TypeError');
    expect(code(() => letterbox(ok, { size: 8 }, [] as unknown as Float32Array))).toBe('TypeError');
  });
});

describe('letterbox of a frame already at the resized size', () => {
  /** Pixels that exercise every byte value and differ between neighbours. */
  function noise(length: number): Uint8Array {
    const data = new Uint8Array(length);
    for (let i = 0; i < length; i++) data[i] = (i * 151 + (i >> 5) * 7) % 256;
    return data;
  }

  /** The frame with every pixel repeated 2x2: bilinear halving blends equal taps only. */
  function doubled(f: Frame, bpp: number): Frame {
    const w = 2 * f.width;
    const data = new Uint8Array(w * 2 * f.height * bpp);
    for (let y = 0; y < 2 * f.height; y++) {
      for (let x = 0; x < w; x++) {
        const from = ((y >> 1) * f.width + (x >> 1)) * bpp;
        data.set(f.data.subarray(from, from + bpp), (y * w + x) * bpp);
      }
    }
    return frame(f.format, w, 2 * f.height, data);
  }

  const bytesPerPixel = { rgb: 3, bgr: 3, rgba: 4, gray: 1 } as const;

  it.each(Object.keys(bytesPerPixel) as Array<keyof typeof bytesPerPixel>)(
    'gives a %s frame bit for bit the tensor the bilinear kernel gives',
    (format) => {
      const bpp = bytesPerPixel[format];
      const options: LetterboxOptions[] = [
        { size: { width: 40, height: 40 }, align: 'top-left', channelOrder: 'bgr', scale: 1, rounding: 'floor' },
        { size: { width: 40, height: 40 }, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      ];
      for (const [w, h] of [[40, 23], [17, 40], [40, 40]] as const) {
        // With a byte offset, so the data is not 4-byte aligned in its buffer.
        const buffer = noise(w * h * bpp + 1);
        const small = frame(format, w, h, buffer.subarray(1));
        const large = doubled(small, bpp);
        for (const o of options) {
          const direct = letterbox(small, o);
          const halved = letterbox(large, o);
          expect(direct.transform).toMatchObject({ contentWidth: w, contentHeight: h, scale: 1 });
          expect(halved.transform).toMatchObject({ contentWidth: w, contentHeight: h, scale: 0.5 });
          // Same bits, padding included (compared as integers: -0 and NaN would show).
          expect(new Uint32Array(direct.tensor.buffer)).toEqual(new Uint32Array(halved.tensor.buffer));
        }
      }
    },
  );

  it('reads each pixel into its own tensor position, channels in the asked order', () => {
    const data = noise(8 * 5 * 4);
    const { tensor, transform: t } = letterbox(frame('rgba', 8, 5, data), { size: 8, scale: 1, channelOrder: 'bgr' });
    expect([t.contentWidth, t.contentHeight, t.padY]).toEqual([8, 5, 1]);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 8; x++) {
        for (let c = 0; c < 3; c++) expect(at(tensor, 8, c, x, y + 1)).toBe(data[(y * 8 + x) * 4 + 2 - c]);
      }
    }
  });
});

describe('letterbox of a frame with a display size', () => {
  const yolox: LetterboxOptions = { size: 416, align: 'top-left', channelOrder: 'bgr', scale: 1, rounding: 'floor' };
  const scaled = (width: number, height: number, displayWidth: number, displayHeight: number): Frame => ({
    ...solid('rgb', width, height, [10, 20, 30]),
    displayWidth,
    displayHeight,
  });

  it('gives the transform of the display picture, so boxes map to display pixels', () => {
    for (const [w, h, options] of [
      [1280, 720, yolox],
      [768, 432, yolox],
      [960, 540, yolox],
      [773, 512, { size: 416 }],
      [720, 1280, { size: { width: 640, height: 384 } }],
    ] as const) {
      const expected = letterboxTransform(w, h, options);
      const { transform } = letterbox(scaled(expected.contentWidth, expected.contentHeight, w, h), options);
      expect(transform, `${w}x${h}`).toEqual(expected);
      const content: Box = [expected.padX, expected.padY, expected.padX + expected.contentWidth, expected.padY + expected.contentHeight];
      modelToSourceBox(content, transform).forEach((v, i) => expect(v).toBeCloseTo([0, 0, w, h][i]!, 9));
    }
  });

  it('maps through the frame size when it differs from the letterbox of the display size', () => {
    // A 320x180 frame of a 1280x720 picture is resized to 416x234 like any 320x180 frame.
    const { transform: t } = letterbox(scaled(320, 180, 1280, 720), yolox);
    expect(t).toMatchObject({ srcWidth: 1280, srcHeight: 720, contentWidth: 416, contentHeight: 234, scale: 0.325 });
    expect(modelToSourceBox([104, 52, 208, 117], t)).toEqual([320, 160, 640, 360]);
  });

  it('writes the same tensor as the same frame without a display size', () => {
    const plain = solid('bgr', 416, 234, [1, 2, 3]);
    expect(letterbox({ ...plain, displayWidth: 1280, displayHeight: 720 }, yolox).tensor).toEqual(letterbox(plain, yolox).tensor);
  });
});

describe('frame display size validation', () => {
  const base = solid('gray', 4, 2, [0, 0, 0]);
  const codeOf = (f: Frame): string | undefined => {
    try {
      letterbox(f, { size: 8 });
    } catch (err) {
      return isVidaiError(err) ? err.code : (err as Error).name;
    }
    return undefined;
  };

  it('accepts both sides as positive integers, or neither', () => {
    expect(codeOf(base)).toBeUndefined();
    expect(codeOf({ ...base, displayWidth: 8, displayHeight: 4 })).toBeUndefined();
    // Display size smaller than the frame is odd but not unreadable.
    expect(codeOf({ ...base, displayWidth: 1, displayHeight: 1 })).toBeUndefined();
  });

  it.each([
    ['only the width', { displayWidth: 8 }],
    ['only the height', { displayHeight: 4 }],
    ['a zero width', { displayWidth: 0, displayHeight: 4 }],
    ['a negative height', { displayWidth: 8, displayHeight: -4 }],
    ['a fractional width', { displayWidth: 8.5, displayHeight: 4 }],
    ['NaN', { displayWidth: Number.NaN, displayHeight: 4 }],
    ['a string', { displayWidth: '8' as unknown as number, displayHeight: 4 }],
  ])('rejects %s with invalid-frame', (_, display) => {
    expect(codeOf({ ...base, ...display })).toBe('invalid-frame');
  });

  it('names both options in the message', () => {
    expect(() => letterbox({ ...base, displayWidth: 8 }, { size: 8 })).toThrow(/displayWidth and displayHeight/);
  });
});

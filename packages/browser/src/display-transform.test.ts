import { describe, expect, it } from 'vitest';
import { computeDisplayTransform, mapBoxToDisplay, mapPointToDisplay } from './display-transform.js';

const src = { sourceWidth: 640, sourceHeight: 480 };

describe('computeDisplayTransform', () => {
  it('contain letterboxes a 4:3 frame in a wide element (bars left and right)', () => {
    const t = computeDisplayTransform({ ...src, displayWidth: 800, displayHeight: 300, fit: 'contain' });
    expect(t.scaleX).toBeCloseTo(300 / 480);
    expect(t.scaleY).toBeCloseTo(300 / 480);
    expect(t.offsetX).toBeCloseTo((800 - 400) / 2);
    expect(t.offsetY).toBe(0);
    expect(mapBoxToDisplay([0, 0, 640, 480], t)).toEqual([200, 0, 600, 300]);
  });

  it('contain letterboxes in a tall element (bars top and bottom)', () => {
    const t = computeDisplayTransform({ ...src, displayWidth: 320, displayHeight: 480 });
    expect(t.scaleX).toBe(0.5);
    expect(mapBoxToDisplay([0, 0, 640, 480], t)).toEqual([0, 120, 320, 360]);
  });

  it('cover crops: the source overflows the element and is centered', () => {
    const t = computeDisplayTransform({ ...src, displayWidth: 300, displayHeight: 300, fit: 'cover' });
    expect(t.scaleX).toBeCloseTo(300 / 480);
    // 640 * 0.625 = 400 CSS px wide, 50 px cut off each side
    expect(t.offsetX).toBeCloseTo(-50);
    const [x1, y1, x2, y2] = mapBoxToDisplay([320, 240, 640, 480], t);
    expect(x1).toBeCloseTo(150);
    expect(y1).toBeCloseTo(150);
    expect(x2).toBeCloseTo(350); // past the right edge: cropped by cover
    expect(y2).toBeCloseTo(300);
  });

  it('honours object-position', () => {
    const t = computeDisplayTransform({ ...src, displayWidth: 300, displayHeight: 300, fit: 'cover', position: [0, 1] });
    expect(t.offsetX).toBeCloseTo(0);
    expect(t.offsetY).toBeCloseTo(0);
    const l = computeDisplayTransform({ ...src, displayWidth: 800, displayHeight: 300, position: [1, 0.5] });
    expect(l.offsetX).toBeCloseTo(400);
  });

  it('fill stretches each axis independently', () => {
    const t = computeDisplayTransform({ ...src, displayWidth: 320, displayHeight: 120, fit: 'fill' });
    expect([t.scaleX, t.scaleY, t.offsetX, t.offsetY]).toEqual([0.5, 0.25, 0, 0]);
  });

  it('none keeps natural size centered; scale-down never upscales', () => {
    const n = computeDisplayTransform({ ...src, displayWidth: 1000, displayHeight: 500, fit: 'none' });
    expect([n.scaleX, n.offsetX, n.offsetY]).toEqual([1, 180, 10]);
    const s = computeDisplayTransform({ ...src, displayWidth: 1000, displayHeight: 500, fit: 'scale-down' });
    expect(s.scaleX).toBe(1);
    const d = computeDisplayTransform({ ...src, displayWidth: 320, displayHeight: 480, fit: 'scale-down' });
    expect(d.scaleX).toBe(0.5);
  });

  it('mirror flips x around the element center and keeps x1 <= x2', () => {
    const t = computeDisplayTransform({ ...src, displayWidth: 640, displayHeight: 480, mirror: true });
    expect(mapPointToDisplay(0, 0, t)).toEqual([640, 0]);
    expect(mapBoxToDisplay([10, 20, 110, 220], t)).toEqual([530, 20, 630, 220]);
  });

  it('mirror combined with contain bars and cover crop', () => {
    const c = computeDisplayTransform({ ...src, displayWidth: 800, displayHeight: 300, mirror: true });
    // unmirrored [200, 0, 300, 150] -> mirrored around 400
    expect(mapBoxToDisplay([0, 0, 160, 240], c)).toEqual([500, 0, 600, 150]);
    const v = computeDisplayTransform({ ...src, displayWidth: 300, displayHeight: 300, fit: 'cover', mirror: true });
    const [x1, , x2] = mapBoxToDisplay([0, 0, 80, 80], v);
    expect(x1).toBeCloseTo(300 - (-50 + 50));
    expect(x2).toBeCloseTo(350);
  });

  it('rejects bad sizes and fits with TypeError', () => {
    expect(() => computeDisplayTransform({ sourceWidth: 0, sourceHeight: 1, displayWidth: 1, displayHeight: 1 })).toThrow(TypeError);
    expect(() =>
      computeDisplayTransform({ ...src, displayWidth: 1, displayHeight: 1, fit: 'stretch' as never }),
    ).toThrow(/unknown fit/);
  });
});

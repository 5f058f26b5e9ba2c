import type { Box } from '@vidai/core';

/**
 * How a video is fitted into its element, as CSS `object-fit` does it.
 * `'fill'` stretches, `'contain'` letterboxes, `'cover'` crops, `'none'` keeps the
 * natural size, `'scale-down'` is the smaller of `'none'` and `'contain'`.
 */
export type ObjectFit = 'contain' | 'cover' | 'fill' | 'none' | 'scale-down';

/** Inputs of {@link computeDisplayTransform}. */
export interface DisplayTransformOptions {
  /** Width of the source frame in pixels (the coordinate space of the boxes). */
  sourceWidth: number;
  /** Height of the source frame in pixels. */
  sourceHeight: number;
  /** Width of the element's content box in CSS pixels. */
  displayWidth: number;
  /** Height of the element's content box in CSS pixels. */
  displayHeight: number;
  /** The element's `object-fit`. Default `'contain'` (the `<video>` default). */
  fit?: ObjectFit;
  /**
   * The element's `object-position` as fractions 0..1 of the free space, `[x, y]`.
   * Default `[0.5, 0.5]` (centered, the CSS default).
   */
  position?: [number, number];
  /**
   * The displayed video is mirrored horizontally (a front camera shown as a mirror,
   * e.g. with `transform: scaleX(-1)` on the `<video>` only). Default `false`.
   */
  mirror?: boolean;
}

/**
 * Maps source-frame pixels to CSS pixels of the element:
 * `cssX = offsetX + x * scaleX` (then `displayWidth - cssX` when `mirror`),
 * `cssY = offsetY + y * scaleY`.
 */
export interface DisplayTransform {
  /** CSS pixels per source pixel, horizontally. */
  scaleX: number;
  /** CSS pixels per source pixel, vertically. */
  scaleY: number;
  /** CSS x of the source's left edge before mirroring (negative when `cover` crops). */
  offsetX: number;
  /** CSS y of the source's top edge (negative when `cover` crops). */
  offsetY: number;
  /** Width of the element in CSS pixels. */
  displayWidth: number;
  /** Height of the element in CSS pixels. */
  displayHeight: number;
  /** Whether x is mirrored around the element's vertical center line. */
  mirror: boolean;
}

function positive(name: string, v: number): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    throw new TypeError(`computeDisplayTransform: ${name} must be a positive number, got ${String(v)}.`);
  }
}

/**
 * Computes where a `sourceWidth` x `sourceHeight` frame appears inside an element of
 * `displayWidth` x `displayHeight` CSS pixels under `object-fit` / `object-position`,
 * optionally mirrored. Pure geometry: no DOM access.
 *
 * @example
 * ```ts
 * const t = computeDisplayTransform({ sourceWidth: 640, sourceHeight: 480, displayWidth: 320, displayHeight: 320, fit: 'cover' });
 * const cssBox = mapBoxToDisplay([10, 20, 110, 220], t);
 * ```
 */
export function computeDisplayTransform(options: DisplayTransformOptions): DisplayTransform {
  const { sourceWidth: sw, sourceHeight: sh, displayWidth: dw, displayHeight: dh } = options;
  positive('sourceWidth', sw);
  positive('sourceHeight', sh);
  if (!(dw >= 0 && dh >= 0)) throw new TypeError('computeDisplayTransform: displayWidth and displayHeight must be >= 0.');
  const fit = options.fit ?? 'contain';
  const [px, py] = options.position ?? [0.5, 0.5];
  let scaleX: number;
  let scaleY: number;
  switch (fit) {
    case 'fill':
      scaleX = dw / sw;
      scaleY = dh / sh;
      break;
    case 'contain':
      scaleX = scaleY = Math.min(dw / sw, dh / sh);
      break;
    case 'cover':
      scaleX = scaleY = Math.max(dw / sw, dh / sh);
      break;
    case 'none':
      scaleX = scaleY = 1;
      break;
    case 'scale-down':
      scaleX = scaleY = Math.min(1, dw / sw, dh / sh);
      break;
    default:
      throw new TypeError(`computeDisplayTransform: unknown fit "${String(fit)}"; use contain, cover, fill, none or scale-down.`);
  }
  return {
    scaleX,
    scaleY,
    offsetX: (dw - sw * scaleX) * px,
    offsetY: (dh - sh * scaleY) * py,
    displayWidth: dw,
    displayHeight: dh,
    mirror: options.mirror ?? false,
  };
}

/** Maps a point from source pixels to CSS pixels with a {@link DisplayTransform}. */
export function mapPointToDisplay(x: number, y: number, t: DisplayTransform): [number, number] {
  const cx = t.offsetX + x * t.scaleX;
  return [t.mirror ? t.displayWidth - cx : cx, t.offsetY + y * t.scaleY];
}

/**
 * Maps a box `[x1, y1, x2, y2]` from source pixels to CSS pixels of the element.
 * The result is again ordered `x1 <= x2` (mirroring swaps the horizontal edges); it
 * is not clipped, so boxes cropped away by `cover` fall partly outside the element.
 */
export function mapBoxToDisplay(box: Box, t: DisplayTransform): Box {
  const [ax, ay] = mapPointToDisplay(box[0], box[1], t);
  const [bx, by] = mapPointToDisplay(box[2], box[3], t);
  return [Math.min(ax, bx), ay, Math.max(ax, bx), by];
}

import { describe, expect, it } from 'vitest';
import { cocoStatsToArray, evaluateCoco, formatCocoStats, type CocoAnnotation, type CocoDetection, type CocoJson } from './coco-eval.js';

/** Ground truth with images 1..n and categories 1 (`a`) and 2 (`b`). */
function gtOf(annotations: Array<Omit<CocoAnnotation, 'id'> & { id?: number }>, images = 1): CocoJson {
  return {
    images: Array.from({ length: images }, (_, i) => ({ id: i + 1 })),
    categories: [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ],
    annotations: annotations.map((a, i) => ({ id: i + 1, iscrowd: 0, area: a.bbox[2]! * a.bbox[3]!, ...a })),
  };
}

/**
 * Rounds every number to 12 decimals. Precision is tp / (tp + fp + 2^-52) as in
 * pycocotools, so a perfect AP comes out as 1 - 1e-16, not exactly 1.
 */
const rounded = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e12) / 1e12 : v))) as T;

const det = (image_id: number, category_id: number, bbox: number[], score: number): CocoDetection => ({ image_id, category_id, bbox, score });

describe('evaluateCoco', () => {
  it('gives 1.0 for perfect detections, and -1 for area ranges without ground truth', () => {
    const gt = gtOf(
      [
        { image_id: 1, category_id: 1, bbox: [10, 10, 200, 150] }, // large
        { image_id: 1, category_id: 2, bbox: [300, 40, 50, 50] }, // medium
        { image_id: 2, category_id: 1, bbox: [5, 5, 20, 20] }, // small
      ],
      2,
    );
    const dets = gt.annotations.map((a) => det(a.image_id, a.category_id, a.bbox, 0.9));
    const { stats, statsArray, perCategory } = evaluateCoco(gt, dets);
    expect(rounded(stats)).toEqual({
      ap: 1,
      ap50: 1,
      ap75: 1,
      apSmall: 1,
      apMedium: 1,
      apLarge: 1,
      ar1: 1,
      ar10: 1,
      ar100: 1,
      arSmall: 1,
      arMedium: 1,
      arLarge: 1,
    });
    expect(statsArray).toEqual(cocoStatsToArray(stats));
    expect(statsArray[0]).toBe(stats.ap);
    expect(statsArray[11]).toBe(stats.arLarge);
    expect(rounded(perCategory)).toEqual([
      { categoryId: 1, name: 'a', gtCount: 2, ap: 1, ap50: 1 },
      { categoryId: 2, name: 'b', gtCount: 1, ap: 1, ap50: 1 },
    ]);
    // Only a large object: small and medium have no ground truth at all.
    const large = evaluateCoco(gtOf([gt.annotations[0]!]), [dets[0]!]).stats;
    expect([large.apSmall, large.apMedium, large.arSmall, large.arMedium]).toEqual([-1, -1, -1, -1]);
    expect(large.apLarge).toBeCloseTo(1, 12);
  });

  it('gives 0 when there are no detections', () => {
    const { stats } = evaluateCoco(gtOf([{ image_id: 1, category_id: 1, bbox: [0, 0, 50, 50] }]), []);
    expect(stats.ap).toBe(0);
    expect(stats.ar100).toBe(0);
  });

  it('halves AP when a false positive outranks the true positive', () => {
    const gt = gtOf([{ image_id: 1, category_id: 1, bbox: [10, 10, 100, 100] }]);
    const tp = det(1, 1, [10, 10, 100, 100], 0.8);
    const fp = det(1, 1, [300, 300, 50, 50], 0.9);
    // Ranked FP, TP: precision 0 then 1/2, made monotone to 1/2 at every recall.
    const below = evaluateCoco(gt, [fp, tp]).stats;
    expect(below.ap).toBeCloseTo(0.5, 12);
    expect(below.ap50).toBeCloseTo(0.5, 12);
    expect(below.ar100).toBeCloseTo(1, 12);
    expect(below.ar1).toBe(0); // the one detection kept per image is the FP
    // Ranked TP, FP: the FP comes after full recall and costs nothing.
    const above = evaluateCoco(gt, [{ ...tp, score: 0.95 }, fp]).stats;
    expect(above.ap).toBeCloseTo(1, 12);
    expect(above.ar1).toBeCloseTo(1, 12);
  });

  it('orders equal scores by input order (stable sort), like numpy mergesort', () => {
    const gt = gtOf([{ image_id: 1, category_id: 1, bbox: [10, 10, 100, 100] }]);
    const tp = det(1, 1, [10, 10, 100, 100], 0.5);
    const fp = det(1, 1, [300, 300, 50, 50], 0.5);
    expect(evaluateCoco(gt, [fp, tp]).stats.ap).toBeCloseTo(0.5, 12);
    expect(evaluateCoco(gt, [tp, fp]).stats.ap).toBeCloseTo(1, 12);
    // Across images, ties keep image-id order: image 1's FP ranks before image 2's TP.
    const two = gtOf([{ image_id: 2, category_id: 1, bbox: [10, 10, 100, 100] }], 2);
    expect(evaluateCoco(two, [{ ...tp, image_id: 2 }, fp]).stats.ap).toBeCloseTo(0.5, 12);
  });

  it('samples the precision envelope at 101 recall points (first index with recall >= threshold)', () => {
    // Three objects; ranked TP, FP, TP, FP, TP. Recall 1/3,1/3,2/3,2/3,1; precision
    // 1, 1/2, 2/3, 1/2, 3/5 -> envelope 1, 2/3, 2/3, 3/5, 3/5. Recall thresholds
    // 0.00..0.33 (34 points) read 1, 0.34..0.66 (33) read 2/3, 0.67..1.00 (34) read 3/5.
    const boxes = [
      [0, 0, 40, 40],
      [100, 0, 40, 40],
      [200, 0, 40, 40],
    ];
    const gt = gtOf(boxes.map((bbox) => ({ image_id: 1, category_id: 1, bbox })));
    const miss = [500, 500, 40, 40];
    const dets = [
      det(1, 1, boxes[0]!, 0.9),
      det(1, 1, miss, 0.8),
      det(1, 1, boxes[1]!, 0.7),
      det(1, 1, miss, 0.6),
      det(1, 1, boxes[2]!, 0.5),
    ];
    const expected = (34 * 1 + 33 * (2 / 3) + 34 * 0.6) / 101;
    const { stats } = evaluateCoco(gt, dets);
    expect(stats.ap).toBeCloseTo(expected, 10);
    expect(stats.ap50).toBeCloseTo(expected, 10);
    expect(stats.ar1).toBeCloseTo(1 / 3, 12);
  });

  it('matches at IoU >= threshold, over the ten thresholds 0.50:0.05:0.95', () => {
    // IoU exactly 0.6: a hit at 0.50, 0.55 and 0.60, a miss at the seven above.
    const gt = gtOf([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10] }]);
    const { stats } = evaluateCoco(gt, [det(1, 1, [0, 0, 6, 10], 0.9)]);
    expect(stats.ap).toBeCloseTo(0.3, 12);
    expect(stats.ap50).toBeCloseTo(1, 12);
    expect(stats.ap75).toBe(0);
    expect(stats.ar100).toBeCloseTo(0.3, 12);
  });

  it('lets each ground truth match one detection; a duplicate is a false positive', () => {
    const gt = gtOf([{ image_id: 1, category_id: 1, bbox: [0, 0, 100, 100] }]);
    const dets = [det(1, 1, [0, 0, 100, 100], 0.9), det(1, 1, [1, 1, 100, 100], 0.8)];
    const { stats } = evaluateCoco(gt, dets);
    expect(stats.ap50).toBeCloseTo(1, 12); // the duplicate ranks after full recall
    // A duplicate that outranks the better box takes the match at low IoU only.
    const swapped = evaluateCoco(gt, [det(1, 1, [0, 0, 100, 100], 0.8), det(1, 1, [10, 0, 100, 100], 0.9)]).stats;
    // IoU of the shifted box is 9000/11000 = 0.818: it matches at 0.50..0.80 (7 thresholds)
    // and the exact box is then a FP there (AP 1 at each); at 0.85..0.95 the shifted box
    // is a FP ranked first and the exact box a TP (AP 1/2).
    expect(swapped.ap).toBeCloseTo((7 * 1 + 3 * 0.5) / 10, 10);
  });

  it('ignores detections on crowd regions, with IoU = intersection / detection area, matched any number of times', () => {
    const gt = gtOf([
      { image_id: 1, category_id: 1, bbox: [0, 0, 50, 50] },
      { image_id: 1, category_id: 1, bbox: [100, 100, 400, 300], iscrowd: 1 },
    ]);
    const dets = [
      // Small boxes inside the crowd region: ordinary IoU ~0.001, crowd IoU 1.
      det(1, 1, [120, 120, 20, 40], 0.99),
      det(1, 1, [200, 150, 30, 30], 0.98),
      det(1, 1, [0, 0, 50, 50], 0.5),
    ];
    const { stats, perCategory } = evaluateCoco(gt, dets);
    expect(stats.ap).toBeCloseTo(1, 12);
    expect(stats.ar1).toBe(0); // the top detection is ignored, not a hit
    expect(stats.ar10).toBeCloseTo(1, 12);
    expect(perCategory[0]!.gtCount).toBe(1);
    // A detection that matches a regular object keeps it even when it lies inside a crowd
    // region too (IoU 0.6 with the object, 1 with the crowd): a hit at 0.50..0.60, ignored above.
    const overlapping = gtOf([
      { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10] },
      { image_id: 1, category_id: 1, bbox: [0, 0, 6, 20], iscrowd: 1 },
    ]);
    expect(evaluateCoco(overlapping, [det(1, 1, [0, 0, 6, 10], 0.9)]).stats.ap).toBeCloseTo(0.3, 12);
    // A box that covers the crowd region and much more is not inside it (IoU 0.33): a false positive.
    const outside = evaluateCoco(gt, [det(1, 1, [100, 100, 1200, 300], 0.99), det(1, 1, [0, 0, 50, 50], 0.5)]).stats;
    expect(outside.ap).toBeCloseTo(0.5, 12);
  });

  it('leaves categories without ground truth out of the mean', () => {
    const gt = gtOf([
      { image_id: 1, category_id: 1, bbox: [0, 0, 50, 50] },
      { image_id: 1, category_id: 2, bbox: [200, 0, 50, 50], iscrowd: 1 }, // crowd only: no countable GT
    ]);
    const dets = [det(1, 1, [0, 0, 50, 50], 0.9), det(1, 2, [500, 500, 50, 50], 0.99)];
    const { stats, perCategory } = evaluateCoco(gt, dets);
    expect(stats.ap).toBeCloseTo(1, 12);
    expect(rounded(perCategory[1])).toEqual({ categoryId: 2, name: 'b', gtCount: 0, ap: -1, ap50: -1 });
  });

  it('bins ground truth by its area field and ignores unmatched detections outside the range', () => {
    // A 20x20 box whose segmentation area is 2000 px^2 counts as medium, not small.
    const gt = gtOf([
      { image_id: 1, category_id: 1, bbox: [0, 0, 20, 20], area: 2000 },
      { image_id: 1, category_id: 1, bbox: [100, 100, 150, 150] },
    ]);
    const hits = gt.annotations.map((a) => det(1, 1, a.bbox, 0.5));
    const base = evaluateCoco(gt, hits).stats;
    expect(base.apSmall).toBe(-1);
    expect(base.apMedium).toBeCloseTo(1, 12);
    expect(base.apLarge).toBeCloseTo(1, 12);
    // An unmatched 200x200 detection ranked first: a FP for 'all' but ignored for 'medium'.
    const withFp = evaluateCoco(gt, [det(1, 1, [400, 400, 200, 200], 0.9), ...hits]).stats;
    expect(withFp.apMedium).toBeCloseTo(1, 12);
    expect(withFp.apLarge).toBeCloseTo(0.5, 12); // same size range as the FP: it counts there
    expect(withFp.ap).toBeCloseTo(2 / 3, 12);
    // A detection matched to an out-of-range (ignored) object is ignored too.
    const mediumOnly = evaluateCoco(gt, [det(1, 1, [100, 100, 150, 150], 0.9), hits[0]!]).stats;
    expect(mediumOnly.apMedium).toBeCloseTo(1, 12);
  });

  it('keeps only the top 1/10/100 detections per image and category', () => {
    const boxes = Array.from({ length: 12 }, (_, i) => [i * 60, 0, 50, 50]);
    const gt = gtOf(boxes.map((bbox) => ({ image_id: 1, category_id: 1, bbox })));
    const dets = boxes.map((bbox, i) => det(1, 1, bbox, 1 - i / 100));
    const { stats } = evaluateCoco(gt, dets);
    expect(stats.ar1).toBeCloseTo(1 / 12, 12);
    expect(stats.ar10).toBeCloseTo(10 / 12, 12);
    expect(stats.ar100).toBeCloseTo(1, 12);
  });

  it('restricts evaluation to the given image and category ids', () => {
    const gt = gtOf(
      [
        { image_id: 1, category_id: 1, bbox: [0, 0, 50, 50] },
        { image_id: 2, category_id: 1, bbox: [0, 0, 50, 50] },
      ],
      2,
    );
    const dets = [det(1, 1, [0, 0, 50, 50], 0.9)];
    expect(evaluateCoco(gt, dets).stats.ar100).toBe(0.5);
    expect(evaluateCoco(gt, dets, { imageIds: [1] }).stats.ar100).toBeCloseTo(1, 12);
    expect(evaluateCoco(gt, dets, { categoryIds: [2] }).stats.ap).toBe(-1);
  });

  it('rejects malformed input with TypeError', () => {
    const gt = gtOf([{ image_id: 1, category_id: 1, bbox: [0, 0, 50, 50] }]);
    expect(() => evaluateCoco(gt, [det(7, 1, [0, 0, 1, 1], 0.5)])).toThrow(/image 7/);
    expect(() => evaluateCoco(gt, [det(1, 1, [0, 0, 1], 0.5)])).toThrow(TypeError);
    expect(() => evaluateCoco(gt, [det(1, 1, [0, 0, 1, 1], Number.NaN)])).toThrow(TypeError);
    expect(() => evaluateCoco({} as CocoJson, [])).toThrow(TypeError);
  });

  it('formats the pycocotools summary', () => {
    const gt = gtOf([{ image_id: 1, category_id: 1, bbox: [0, 0, 50, 50] }]);
    const text = formatCocoStats(evaluateCoco(gt, [det(1, 1, [0, 0, 50, 50], 1)]).stats);
    const lines = text.split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000');
    expect(lines[3]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000');
    expect(lines[6]).toBe(' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 1.000');
  });
});

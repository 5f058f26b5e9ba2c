/**
 * COCO-style bounding-box evaluation, computing the same numbers as pycocotools'
 * `COCOeval` with `iouType='bbox'` and its default parameters: IoU thresholds
 * 0.50:0.05:0.95, 101 recall thresholds, area ranges all/small/medium/large and
 * 1/10/100 detections per image.
 *
 * Faithful details kept on purpose (they change the numbers):
 * - detections are ordered by score with a stable sort (ties keep their input
 *   order), per image and category and again across images;
 * - ground truth with `iscrowd` is ignored: a detection that matches it is neither a
 *   true nor a false positive, its IoU is intersection / detection area, and it
 *   may be matched by any number of detections;
 * - ground truth whose `area` field lies outside the area range is ignored, and so
 *   is an unmatched detection whose box area (w x h) lies outside it;
 * - precision is made monotonically decreasing before it is sampled at the recall
 *   thresholds (first index with recall >= threshold);
 * - categories without ground truth in a setting are left out of the means.
 */

/** An image entry of a COCO JSON file. Only `id` is used. */
export interface CocoImage {
  /** Image id, referenced by annotations and detections. */
  id: number;
  /** File name, when known. */
  file_name?: string;
  /** Width in pixels, when known. */
  width?: number;
  /** Height in pixels, when known. */
  height?: number;
}

/** A ground-truth object of a COCO JSON file. */
export interface CocoAnnotation {
  /** Annotation id (COCO ids are positive integers). */
  id: number;
  /** Id of the image the object is in. */
  image_id: number;
  /** COCO category id (not a 0-based class index). */
  category_id: number;
  /** `[x, y, width, height]` in image pixels, (x, y) the top-left corner. */
  bbox: number[];
  /**
   * Object area in square pixels used for the small/medium/large ranges. COCO's
   * files give the segmentation area here, not the box area. Default: bbox w x h.
   */
  area?: number;
  /** 1 for a crowd region (ignored ground truth), 0 otherwise. Default: 0. */
  iscrowd?: number;
}

/** A category entry of a COCO JSON file. */
export interface CocoCategory {
  /** Category id used by annotations and detections. */
  id: number;
  /** Category name, e.g. `person`. */
  name?: string;
  /** Parent category name, e.g. `vehicle`. */
  supercategory?: string;
}

/** The parts of a COCO instances JSON file that bbox evaluation reads. */
export interface CocoJson {
  /** All images of the set; they define which images are evaluated. */
  images: CocoImage[];
  /** Ground-truth objects. */
  annotations: CocoAnnotation[];
  /** All categories of the set. */
  categories: CocoCategory[];
}

/** One detection in the COCO results format. */
export interface CocoDetection {
  /** Id of an image of the ground truth. */
  image_id: number;
  /** COCO category id. */
  category_id: number;
  /** `[x, y, width, height]` in image pixels. */
  bbox: number[];
  /** Confidence; higher ranks first. */
  score: number;
}

/** Options of {@link evaluateCoco}. */
export interface CocoEvalOptions {
  /** Evaluate only these images (pycocotools `params.imgIds`). Default: every image of the ground truth. */
  imageIds?: readonly number[];
  /** Evaluate only these categories (pycocotools `params.catIds`). Default: every category of the ground truth. */
  categoryIds?: readonly number[];
}

/**
 * The 12 standard COCO bbox numbers, each in 0..1, or -1 where no category has
 * ground truth for that setting (as pycocotools reports it).
 */
export interface CocoStats {
  /** AP averaged over IoU 0.50:0.95, all areas, 100 detections per image (the "mAP"). */
  ap: number;
  /** AP at IoU 0.50. */
  ap50: number;
  /** AP at IoU 0.75. */
  ap75: number;
  /** AP for small objects (area < 32^2 px). */
  apSmall: number;
  /** AP for medium objects (32^2..96^2 px). */
  apMedium: number;
  /** AP for large objects (area > 96^2 px). */
  apLarge: number;
  /** AR with 1 detection per image. */
  ar1: number;
  /** AR with 10 detections per image. */
  ar10: number;
  /** AR with 100 detections per image. */
  ar100: number;
  /** AR for small objects. */
  arSmall: number;
  /** AR for medium objects. */
  arMedium: number;
  /** AR for large objects. */
  arLarge: number;
}

/** AP of one category (all areas, 100 detections per image). */
export interface CocoCategoryAp {
  /** COCO category id. */
  categoryId: number;
  /** Category name from the ground truth, when it has one. */
  name: string | undefined;
  /** Non-crowd ground-truth objects of the category in the evaluated images. */
  gtCount: number;
  /** AP over IoU 0.50:0.95 in 0..1, or -1 when the category has no ground truth. */
  ap: number;
  /** AP at IoU 0.50 in 0..1, or -1 when the category has no ground truth. */
  ap50: number;
}

/** Result of {@link evaluateCoco}. */
export interface CocoEvalResult {
  /** The 12 standard numbers by name. */
  stats: CocoStats;
  /** The same 12 numbers in pycocotools' `COCOeval.stats` order. */
  statsArray: number[];
  /** Per-category AP, in ascending category id order. */
  perCategory: CocoCategoryAp[];
}

/** numpy's `linspace(start, stop, num)`, value for value, so thresholds compare exactly as in pycocotools. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const values = Array.from({ length: num }, (_, i) => i * step + start);
  values[num - 1] = stop;
  return values;
}

const IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
const RECALL_THRESHOLDS = linspace(0, 1, 101);
const MAX_DETS = [1, 10, 100] as const;
const AREA_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0, 1e5 ** 2],
  [0, 32 ** 2],
  [32 ** 2, 96 ** 2],
  [96 ** 2, 1e5 ** 2],
];
const AREA_LABELS = ['all', 'small', 'medium', 'large'] as const;
/** numpy's `spacing(1)`, added to the precision denominator. */
const EPS = 2.220446049250313e-16;

interface GtBox {
  x: number;
  y: number;
  w: number;
  h: number;
  area: number;
  crowd: boolean;
}

interface DtBox {
  x: number;
  y: number;
  w: number;
  h: number;
  area: number;
  score: number;
}

/** Detections and ground truth of one (image, category), with their IoU matrix. */
interface Cell {
  gt: GtBox[];
  /** Sorted by score (stable), at most MAX_DETS[-1]. */
  dt: DtBox[];
  /** `ious[d * G + g]`. */
  ious: Float64Array;
}

/** Matching of one (image, category, area range). */
interface ImageEval {
  dtScores: number[];
  /** `dtMatched[t * D + d]`. */
  dtMatched: Uint8Array;
  /** `dtIgnore[t * D + d]`. */
  dtIgnore: Uint8Array;
  /** Number of ground truth that is not ignored. */
  gtNotIgnored: number;
}

function checkBox(bbox: unknown, what: string): asserts bbox is [number, number, number, number] {
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new TypeError(`${what}: bbox must be [x, y, width, height] with 4 finite numbers, got ${JSON.stringify(bbox)}`);
  }
}

/** pycocotools' `maskApi.c` `bbIou`: IoU of box pairs, intersection / detection area for crowd ground truth. */
function boxIou(d: DtBox, g: GtBox): number {
  const w = Math.min(d.x + d.w, g.x + g.w) - Math.max(d.x, g.x);
  if (w <= 0) return 0;
  const h = Math.min(d.y + d.h, g.y + g.h) - Math.max(d.y, g.y);
  if (h <= 0) return 0;
  const inter = w * h;
  const union = g.crowd ? d.w * d.h : d.w * d.h + g.w * g.h - inter;
  return inter / union;
}

/** Indices of `values` sorted by `key` ascending, ties in input order (numpy mergesort). */
function stableArgsort<T>(values: readonly T[], key: (v: T) => number): number[] {
  const keys = values.map(key);
  return keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
}

function evaluateImage(cell: Cell, range: readonly [number, number], maxDet: number): ImageEval {
  const [lo, hi] = range;
  const T = IOU_THRESHOLDS.length;
  const G0 = cell.gt.length;
  const gtIgnoreIn = cell.gt.map((g): number => (g.crowd || g.area < lo || g.area > hi ? 1 : 0));
  // Ground truth that is ignored goes last; IoU columns follow that order.
  const gtOrder = stableArgsort(gtIgnoreIn, (v) => v);
  const gtIgnore = gtOrder.map((i) => gtIgnoreIn[i]!);
  const crowd = gtOrder.map((i) => cell.gt[i]!.crowd);
  const dt = cell.dt.slice(0, maxDet);
  const D = dt.length;
  const G = G0;
  const gtMatched = new Uint8Array(T * G);
  const dtMatched = new Uint8Array(T * D);
  const dtIgnore = new Uint8Array(T * D);
  if (D > 0 && G > 0) {
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) {
        let best = Math.min(IOU_THRESHOLDS[t]!, 1 - 1e-10);
        let m = -1;
        for (let gi = 0; gi < G; gi++) {
          // A matched ground truth is taken, unless it is a crowd.
          if (gtMatched[t * G + gi] && !crowd[gi]) continue;
          // Matched to a regular ground truth and reached the ignored ones: stop.
          if (m > -1 && gtIgnore[m] === 0 && gtIgnore[gi] === 1) break;
          const iou = cell.ious[d * G0 + gtOrder[gi]!]!;
          if (iou < best) continue;
          best = iou;
          m = gi;
        }
        if (m === -1) continue;
        dtIgnore[t * D + d] = gtIgnore[m]!;
        dtMatched[t * D + d] = 1;
        gtMatched[t * G + m] = 1;
      }
    }
  }
  // Unmatched detections outside the area range are ignored.
  for (let d = 0; d < D; d++) {
    const area = dt[d]!.area;
    if (area < lo || area > hi) {
      for (let t = 0; t < T; t++) if (!dtMatched[t * D + d]) dtIgnore[t * D + d] = 1;
    }
  }
  return {
    dtScores: dt.map((d) => d.score),
    dtMatched,
    dtIgnore,
    gtNotIgnored: gtIgnore.filter((v) => v === 0).length,
  };
}

/** First index `i` with `sorted[i] >= value` (numpy `searchsorted(side='left')`). */
function searchLeft(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Evaluates bounding-box detections against COCO ground truth the way pycocotools'
 * `COCOeval(gt, dt, 'bbox')` followed by `evaluate()`, `accumulate()` and
 * `summarize()` does, and returns the 12 summary numbers plus per-category AP.
 *
 * Detections must use the ground truth's category ids (not 0-based model class
 * indices) and image ids that exist in `groundTruth.images`.
 *
 * @throws TypeError when a box is malformed, a score is not finite, or a detection
 * names an image that is not in the ground truth.
 *
 * @example
 * ```ts
 * const { stats } = evaluateCoco(gtJson, detections);
 * console.log(`mAP@0.5:0.95 ${stats.ap.toFixed(3)}  mAP@0.5 ${stats.ap50.toFixed(3)}`);
 * ```
 */
export function evaluateCoco(
  groundTruth: CocoJson,
  detections: readonly CocoDetection[],
  options: CocoEvalOptions = {},
): CocoEvalResult {
  if (!groundTruth || !Array.isArray(groundTruth.images) || !Array.isArray(groundTruth.annotations) || !Array.isArray(groundTruth.categories)) {
    throw new TypeError('evaluateCoco: groundTruth must have images, annotations and categories arrays');
  }
  if (!Array.isArray(detections)) throw new TypeError('evaluateCoco: detections must be an array');

  const allImageIds = new Set(groundTruth.images.map((im) => im.id));
  const imgIds = [...new Set(options.imageIds ?? allImageIds)].sort((a, b) => a - b);
  const catIds = [...new Set(options.categoryIds ?? groundTruth.categories.map((c) => c.id))].sort((a, b) => a - b);
  const imgIndex = new Map(imgIds.map((id, i) => [id, i]));
  const catIndex = new Map(catIds.map((id, i) => [id, i]));
  const I = imgIds.length;
  const K = catIds.length;

  const gts: GtBox[][] = Array.from({ length: K * I }, () => []);
  const gtCounts = new Array<number>(K).fill(0);
  for (const ann of groundTruth.annotations) {
    checkBox(ann.bbox, `annotation ${ann.id}`);
    const i = imgIndex.get(ann.image_id);
    const k = catIndex.get(ann.category_id);
    if (i === undefined || k === undefined) continue;
    const [x, y, w, h] = ann.bbox;
    const crowd = Boolean(ann.iscrowd);
    gts[k * I + i]!.push({ x, y, w, h, area: ann.area ?? w * h, crowd });
    if (!crowd) gtCounts[k]!++;
  }

  const dts: DtBox[][] = Array.from({ length: K * I }, () => []);
  for (const det of detections) {
    checkBox(det.bbox, `detection of image ${det.image_id}`);
    if (typeof det.score !== 'number' || !Number.isFinite(det.score)) {
      throw new TypeError(`evaluateCoco: detection score must be a finite number, got ${String(det.score)}`);
    }
    if (!allImageIds.has(det.image_id)) {
      throw new TypeError(`evaluateCoco: detection names image ${det.image_id}, which is not in the ground truth`);
    }
    const i = imgIndex.get(det.image_id);
    const k = catIndex.get(det.category_id);
    if (i === undefined || k === undefined) continue;
    const [x, y, w, h] = det.bbox;
    dts[k * I + i]!.push({ x, y, w, h, area: w * h, score: det.score });
  }

  const maxDetAll = MAX_DETS[MAX_DETS.length - 1]!;
  const cells: (Cell | undefined)[] = gts.map((gt, c) => {
    const raw = dts[c]!;
    if (gt.length === 0 && raw.length === 0) return undefined;
    const dt = stableArgsort(raw, (d) => -d.score)
      .slice(0, maxDetAll)
      .map((j) => raw[j]!);
    const ious = new Float64Array(dt.length * gt.length);
    for (let d = 0; d < dt.length; d++) for (let g = 0; g < gt.length; g++) ious[d * gt.length + g] = boxIou(dt[d]!, gt[g]!);
    return { gt, dt, ious };
  });

  const T = IOU_THRESHOLDS.length;
  const R = RECALL_THRESHOLDS.length;
  const A = AREA_RANGES.length;
  const M = MAX_DETS.length;
  // precision[((((t * R + r) * K + k) * A + a) * M + m)], recall[(((t * K + k) * A + a) * M + m)]
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);

  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const evals: ImageEval[] = [];
      for (let i = 0; i < I; i++) {
        const cell = cells[k * I + i];
        if (cell) evals.push(evaluateImage(cell, AREA_RANGES[a]!, maxDetAll));
      }
      if (evals.length === 0) continue;
      const npig = evals.reduce((n, e) => n + e.gtNotIgnored, 0);
      if (npig === 0) continue;
      for (let m = 0; m < M; m++) {
        const maxDet = MAX_DETS[m]!;
        // Gather the first maxDet detections of every image, then rank them all by score.
        const scores: number[] = [];
        const refs: Array<[ImageEval, number]> = [];
        for (const e of evals) {
          const n = Math.min(maxDet, e.dtScores.length);
          for (let d = 0; d < n; d++) {
            scores.push(e.dtScores[d]!);
            refs.push([e, d]);
          }
        }
        const order = stableArgsort(scores, (s) => -s);
        const nd = order.length;
        for (let t = 0; t < T; t++) {
          const rc = new Float64Array(nd);
          const pr = new Float64Array(nd);
          let tp = 0;
          let fp = 0;
          for (let j = 0; j < nd; j++) {
            const [e, d] = refs[order[j]!]!;
            const D = e.dtScores.length;
            if (!e.dtIgnore[t * D + d]) {
              if (e.dtMatched[t * D + d]) tp++;
              else fp++;
            }
            rc[j] = tp / npig;
            pr[j] = tp / (fp + tp + EPS);
          }
          recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1]! : 0;
          for (let j = nd - 1; j > 0; j--) if (pr[j]! > pr[j - 1]!) pr[j - 1] = pr[j]!;
          for (let r = 0; r < R; r++) {
            const j = searchLeft(rc, RECALL_THRESHOLDS[r]!);
            // Recall thresholds beyond the highest recall reached keep precision 0.
            precision[(((t * R + r) * K + k) * A + a) * M + m] = j < nd ? pr[j]! : 0;
          }
        }
      }
    }
  }

  const mean = (values: Iterable<number>): number => {
    let sum = 0;
    let n = 0;
    for (const v of values) {
      if (v > -1) {
        sum += v;
        n++;
      }
    }
    return n === 0 ? -1 : sum / n;
  };
  const ts = (iouThr?: number) => (iouThr === undefined ? IOU_THRESHOLDS.map((_, t) => t) : [IOU_THRESHOLDS.indexOf(iouThr)]);
  const ks = (only?: number) => (only === undefined ? catIds.map((_, k) => k) : [only]);
  function* precisionValues(a: number, m: number, iouThr?: number, k?: number): Generator<number> {
    for (const t of ts(iouThr)) for (let r = 0; r < R; r++) for (const kk of ks(k)) yield precision[(((t * R + r) * K + kk) * A + a) * M + m]!;
  }
  function* recallValues(a: number, m: number): Generator<number> {
    for (const t of ts()) for (let k = 0; k < K; k++) yield recall[((t * K + k) * A + a) * M + m]!;
  }
  const area = (label: (typeof AREA_LABELS)[number]) => AREA_LABELS.indexOf(label);
  const m100 = MAX_DETS.indexOf(100);
  const stats: CocoStats = {
    ap: mean(precisionValues(area('all'), m100)),
    ap50: mean(precisionValues(area('all'), m100, 0.5)),
    ap75: mean(precisionValues(area('all'), m100, 0.75)),
    apSmall: mean(precisionValues(area('small'), m100)),
    apMedium: mean(precisionValues(area('medium'), m100)),
    apLarge: mean(precisionValues(area('large'), m100)),
    ar1: mean(recallValues(area('all'), MAX_DETS.indexOf(1))),
    ar10: mean(recallValues(area('all'), MAX_DETS.indexOf(10))),
    ar100: mean(recallValues(area('all'), m100)),
    arSmall: mean(recallValues(area('small'), m100)),
    arMedium: mean(recallValues(area('medium'), m100)),
    arLarge: mean(recallValues(area('large'), m100)),
  };
  const names = new Map(groundTruth.categories.map((c) => [c.id, c.name]));
  const perCategory = catIds.map((categoryId, k) => ({
    categoryId,
    name: names.get(categoryId),
    gtCount: gtCounts[k]!,
    ap: mean(precisionValues(area('all'), m100, undefined, k)),
    ap50: mean(precisionValues(area('all'), m100, 0.5, k)),
  }));
  return { stats, statsArray: cocoStatsToArray(stats), perCategory };
}

/** The 12 numbers of {@link CocoStats} in pycocotools' `COCOeval.stats` order. */
export function cocoStatsToArray(stats: CocoStats): number[] {
  return [
    stats.ap,
    stats.ap50,
    stats.ap75,
    stats.apSmall,
    stats.apMedium,
    stats.apLarge,
    stats.ar1,
    stats.ar10,
    stats.ar100,
    stats.arSmall,
    stats.arMedium,
    stats.arLarge,
  ];
}

/**
 * The 12 numbers as the familiar pycocotools summary, one line each, e.g.
 * ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.268`.
 */
export function formatCocoStats(stats: CocoStats): string {
  const rows: Array<[ap: boolean, iou: string, area: string, maxDets: number, value: number]> = [
    [true, '0.50:0.95', 'all', 100, stats.ap],
    [true, '0.50', 'all', 100, stats.ap50],
    [true, '0.75', 'all', 100, stats.ap75],
    [true, '0.50:0.95', 'small', 100, stats.apSmall],
    [true, '0.50:0.95', 'medium', 100, stats.apMedium],
    [true, '0.50:0.95', 'large', 100, stats.apLarge],
    [false, '0.50:0.95', 'all', 1, stats.ar1],
    [false, '0.50:0.95', 'all', 10, stats.ar10],
    [false, '0.50:0.95', 'all', 100, stats.ar100],
    [false, '0.50:0.95', 'small', 100, stats.arSmall],
    [false, '0.50:0.95', 'medium', 100, stats.arMedium],
    [false, '0.50:0.95', 'large', 100, stats.arLarge],
  ];
  return rows
    .map(([ap, iou, area, maxDets, value]) => {
      const title = (ap ? 'Average Precision' : 'Average Recall').padEnd(18);
      return ` ${title} ${ap ? '(AP)' : '(AR)'} @[ IoU=${iou.padEnd(9)} | area=${area.padStart(6)} | maxDets=${String(maxDets).padStart(3)} ] = ${value.toFixed(3)}`;
    })
    .join('\n');
}

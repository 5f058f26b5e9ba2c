/**
 * End-to-end accuracy: YOLOX-Nano through the Node detector (ffmpeg decode, letterbox,
 * onnxruntime, YOLOX decode, NMS) on the 128 coco128 images, scored by the
 * pycocotools-faithful `evaluateCoco` against the official COCO annotations.
 *
 * Why this band. YOLOX-Nano's published COCO val2017 AP is 25.8 at 416x416; coco128 is
 * 128 train2017 images, which the model was trained on, so higher values are expected.
 * Measured with `npx tsx scripts/eval-coco128.ts` (onnxruntime-node 1.30, CPU; score
 * 0.001, NMS IoU 0.65 as in YOLOX's own evaluation): AP 0.3390, AP50 0.5166, the same
 * to 4 decimals as pycocotools' COCOeval on the same detections, and the same on every
 * run. What moves it is float noise between CPUs and JPEG decoders, well under 0.005.
 * Pipelines with one thing wrong, measured the same way (AP / AP50):
 *   input RGB instead of BGR   0.2877 / 0.4413     input scaled to 0..1   0.0000 / 0.0000
 *   letterbox centred          0.3495 / 0.5253     NMS off                0.1969 / 0.2811
 *   score threshold 0.25       0.2859 / 0.4130     NMS IoU 0.45           0.3327 / 0.5167
 *   at most 100 boxes a frame  0.3382 / 0.5131
 * A band of +-0.006 around the measured values fails all the broken ones (the centred
 * letterbox only just, 0.0105 above) and leaves room for the float noise; the last two
 * rows are legitimate settings, shown for scale.
 *
 * Those figures are with padding 'full' (every image letterboxed into 416x416, as
 * YOLOX's evaluation does). The detector's default for catalog models is minimal
 * padding (most coco128 images are 640x480, so 416x320 tensors): AP 0.3366, AP50
 * 0.5135 (`npx tsx scripts/eval-coco128.ts --padding minimal`), 0.0024 and 0.0031
 * below full padding because objects at the bottom edge see 8 rows of padding instead
 * of 104. Both modes are checked with the same band.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCoco128 } from '../../../scripts/eval-coco128.js';

const MEASURED = {
  full: { ap: 0.339, ap50: 0.5166 },
  minimal: { ap: 0.3366, ap50: 0.5135 },
} as const;
const TOLERANCE = 0.006;

describe('YOLOX-Nano on coco128', () => {
  it.each(['full', 'minimal'] as const)(
    'reaches the measured COCO mAP with padding %s (AP@0.5:0.95 and AP@0.5 within +-0.006)',
    async (padding) => {
      const report = await evaluateCoco128({ intraOpNumThreads: 2, padding });
      expect(report.images).toBe(128);
      expect(report.executionProvider).toBe('cpu');
      expect(report.padding).toBe(padding);
      const measured = MEASURED[padding];
      expect(report.stats.ap).toBeGreaterThan(measured.ap - TOLERANCE);
      expect(report.stats.ap).toBeLessThan(measured.ap + TOLERANCE);
      expect(report.stats.ap50).toBeGreaterThan(measured.ap50 - TOLERANCE);
      expect(report.stats.ap50).toBeLessThan(measured.ap50 + TOLERANCE);
    },
    600_000,
  );
});

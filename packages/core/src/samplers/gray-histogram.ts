/**
 * Soft-binned gray histograms and their Bhattacharyya distance, for the scene
 * change sampler. Internal to the samplers.
 */
export class GrayHistogram {
  /** Lower bin of each gray level. */
  private readonly lowerBin: Uint8Array;
  /** Share (0..1) of each gray level that goes to the bin above `lowerBin`. */
  private readonly upperShare: Float64Array;

  /** @param bins - number of bins, 2..256. */
  constructor(readonly bins: number) {
    this.lowerBin = new Uint8Array(256);
    this.upperShare = new Float64Array(256);
    for (let v = 0; v < 256; v++) {
      // Bin centres sit at (b + 0.5) * 256 / bins; a level between two centres is
      // split linearly between them, so a shift of one gray level moves the
      // histogram a little instead of flipping whole bins.
      const position = ((v + 0.5) * bins) / 256 - 0.5;
      const lower = Math.floor(position);
      if (lower < 0) {
        this.lowerBin[v] = 0;
        this.upperShare[v] = 0;
      } else if (lower >= bins - 1) {
        this.lowerBin[v] = bins - 1;
        this.upperShare[v] = 0;
      } else {
        this.lowerBin[v] = lower;
        this.upperShare[v] = position - lower;
      }
    }
  }

  /**
   * Writes the normalized histogram (sums to 1) of `pixels` into `out`
   * (length `bins`) and returns it.
   */
  compute(pixels: Uint8Array, out: Float64Array = new Float64Array(this.bins)): Float64Array {
    out.fill(0);
    const { lowerBin, upperShare } = this;
    const last = this.bins - 1;
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i]!;
      const bin = lowerBin[v]!;
      const share = upperShare[v]!;
      out[bin]! += 1 - share;
      if (bin < last) out[bin + 1]! += share;
    }
    if (pixels.length > 0) for (let b = 0; b <= last; b++) out[b]! /= pixels.length;
    return out;
  }
}

/**
 * Bhattacharyya distance of two normalized histograms, in the form OpenCV's
 * `HISTCMP_BHATTACHARYYA` uses: `sqrt(1 - sum(sqrt(p[i] * q[i])))`, 0 for identical
 * histograms and 1 for histograms with no bin in common.
 */
export function bhattacharyyaDistance(p: Float64Array, q: Float64Array): number {
  let coefficient = 0;
  for (let i = 0; i < p.length; i++) coefficient += Math.sqrt(p[i]! * q[i]!);
  return Math.sqrt(Math.max(0, 1 - coefficient));
}

/**
 * Percentiles, for every tool that reports latencies (bench, load test, soak): nearest rank on the
 * samples in ascending order, as the shared bench folder's loadgen.js computes them, so figures
 * from either side compare.
 */

/** `sorted` ascending; the value below which a fraction `p` (0–1) of the samples fall. NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** `percentile` of samples in any order (they are copied, not sorted in place). */
export function percentileOf(samples: ArrayLike<number>, p: number): number {
  return percentile(Float64Array.from(samples).sort(), p);
}

/** The largest value a `MsHistogram` tells apart; everything above counts as this. */
export const HISTOGRAM_MAX_MS = 60_000;

/**
 * Whole milliseconds, 0 … 60 s, counted in buckets: for runs too long to keep every sample. Its
 * percentile is the textbook nearest rank (the ⌈p·n⌉-th smallest), which the soak's published
 * figures have always used.
 */
export class MsHistogram {
  private readonly counts = new Uint32Array(HISTOGRAM_MAX_MS + 1);
  private n = 0;
  private maxSeen = 0;

  add(ms: number): void {
    const bucket = Math.min(HISTOGRAM_MAX_MS, Math.max(0, Math.round(ms)));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.n++;
    if (ms > this.maxSeen) this.maxSeen = ms;
  }

  /** `p` in percent (0–100); null when nothing was added. */
  percentile(p: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.ceil((p / 100) * this.n);
    let seen = 0;
    for (let ms = 0; ms < this.counts.length; ms++) {
      seen += this.counts[ms] ?? 0;
      if (seen >= rank) return ms;
    }
    return HISTOGRAM_MAX_MS;
  }

  get count(): number {
    return this.n;
  }

  get max(): number {
    return Math.round(this.maxSeen);
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.maxSeen = 0;
  }
}

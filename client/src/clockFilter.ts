/**
 * The server clock's estimate from ping samples, on plain numbers (no timers: ServerClock feeds it).
 *
 * A sample's offset `serverTime - (t0 + t1) / 2` is off by half the difference between its way
 * there and its way back, never more than half its round trip beyond the link's fastest: the
 * shortest round trips carry the truth. So:
 * - every sample of a window that spans bursts is weighted by how close its round trip is to the
 *   window's fastest (a sample far slower than the best is rejected outright);
 * - the local clock's rate against the server's (skew: devices drift by tens of ppm) is the slope
 *   of a weighted line through the good samples of a longer window, so old good samples stay
 *   useful and the estimate does not drift between them;
 * - a new estimate replaces the current one only when it claims a smaller error than the current
 *   one has after ageing (a stall's slow samples cannot replace a good estimate);
 * - a sample that contradicts the estimate beyond what any round trip allows means the local clock
 *   jumped (a resume from sleep): two in a row and the filter starts over.
 */

export interface PingSample {
  /** Local time the ping left. */
  t0: number;
  /** Local time its pong came back. */
  t1: number;
  /** The server's time in the pong. */
  serverTime: number;
}

export interface FilterEstimate {
  /** Server time minus local time at `at`, ms. */
  offset: number;
  /** Local time the estimate was made. */
  at: number;
  /** d(offset)/d(local time): the local clock's rate error against the server's. */
  skew: number;
  /** How far off `offset` may be at `at`, ms. */
  errorMs: number;
  /** The fastest round trip of the window, ms. */
  rtt: number;
  /** Samples in the window the estimate draws on. */
  samples: number;
}

/** Server time minus local time at `localTime` by `estimate`, carried on by its skew (0 without one). */
export function offsetOf(estimate: FilterEstimate | null, localTime: number): number {
  return estimate === null ? 0 : estimate.offset + estimate.skew * (localTime - estimate.at);
}

export interface ClockFilterOptions {
  /** Samples the offset is drawn from: the last `windowMs` of them. Default 60 000. */
  windowMs?: number;
  /** Samples the skew is drawn from. Default 600 000 (ten minutes). */
  skewWindowMs?: number;
}

interface LineFit {
  skew: number;
  /** About two standard errors of `skew`. */
  uncertainty: number;
  /** The line's offset at a local time, and about two standard errors of it. */
  at(time: number): { offset: number; error: number };
}

interface Sample {
  at: number;
  rtt: number;
  offset: number;
}

/** The error no sample gets under: the server stamps `serverTime` with a 1 ms clock. */
const FLOOR_MS = 0.5;
/** Skew assumed possible while it cannot be measured yet (crystal clocks stay well within). */
const UNKNOWN_SKEW = 100e-6;
/** Skew beyond this is not a clock's drift but a fit through noise. */
const MAX_SKEW = 500e-6;
/** The least skew error claimed, whatever the fit says. */
const MIN_SKEW_UNCERTAINTY = 2e-6;
/** A skew needs this much time between its samples before it is trusted. */
const MIN_SKEW_SPAN_MS = 60_000;
/** Samples slower than the fastest by more than this (and by 50 %) take no part. */
const REJECT_EXCESS_MS = 20;
/** Samples always kept however old, so a silent link keeps an (ageing) estimate. */
const KEEP_AT_LEAST = 8;

export class ClockFilter {
  private readonly windowMs: number;
  private readonly skewWindowMs: number;
  private samples: Sample[] = [];
  private current: FilterEstimate | null = null;
  private contradictions = 0;
  /** The latest skew fit (null: not measurable yet). */
  private fit: LineFit | null = null;

  constructor(options: ClockFilterOptions = {}) {
    this.windowMs = Math.max(1, options.windowMs ?? 60_000);
    this.skewWindowMs = Math.max(this.windowMs, options.skewWindowMs ?? 600_000);
  }

  get estimate(): FilterEstimate | null {
    return this.current;
  }

  /** The estimate's error grown by the time since it was made (its skew may be off). */
  errorAt(estimate: FilterEstimate, localTime: number): number {
    return estimate.errorMs + this.skewUncertainty() * Math.abs(localTime - estimate.at);
  }

  /** Server time minus local time at `localTime`, by the current estimate (0 without one). */
  offsetAt(localTime: number): number {
    return offsetOf(this.current, localTime);
  }

  /** Forgets every sample and the estimate (the local clock jumped). */
  reset(): void {
    this.samples = [];
    this.current = null;
    this.contradictions = 0;
    this.fit = null;
  }

  /**
   * Takes one sample; returns the new estimate when it replaced the current one, else null.
   * `reset` is true when this sample started the filter over.
   */
  add(ping: PingSample): { estimate: FilterEstimate | null; reset: boolean } {
    const rtt = ping.t1 - ping.t0;
    if (!(rtt >= 0) || !Number.isFinite(ping.serverTime)) return { estimate: null, reset: false };
    const sample = { at: (ping.t0 + ping.t1) / 2, rtt, offset: ping.serverTime - (ping.t0 + ping.t1) / 2 };
    const reset = this.contradicts(sample);
    if (reset) this.reset();
    this.samples.push(sample);
    this.prune(ping.t1);
    const candidate = this.compute(ping.t1);
    const current = this.current;
    if (candidate === null || (current !== null && !this.supersedes(candidate, current))) return { estimate: null, reset };
    this.current = candidate;
    return { estimate: candidate, reset };
  }

  /**
   * A candidate replaces the current estimate when it is at least as well supported: a sample as
   * fast as the current one's fastest (the window's fastest never rises while its samples stay),
   * or a smaller error than the current one has by now, or agreement within that error. What it
   * keeps out: an estimate drawn only from slower samples once the fast ones have aged out.
   */
  private supersedes(candidate: FilterEstimate, current: FilterEstimate): boolean {
    const allowed = this.errorAt(current, candidate.at);
    return (
      candidate.rtt <= current.rtt || candidate.errorMs <= allowed || Math.abs(candidate.offset - this.offsetAt(candidate.at)) <= allowed
    );
  }

  /**
   * Whether `sample` and its predecessor cannot both be true with a continuous local clock: a
   * sample is never off by more than half its round trip, nor the estimate by more than its error.
   */
  private contradicts(sample: Sample): boolean {
    const estimate = this.current;
    if (estimate === null) return false;
    const allowed = sample.rtt / 2 + this.errorAt(estimate, sample.at) + 2;
    if (Math.abs(sample.offset - this.offsetAt(sample.at)) <= allowed) {
      this.contradictions = 0;
      return false;
    }
    return ++this.contradictions >= 2;
  }

  private prune(now: number): void {
    const keepFrom = now - this.skewWindowMs;
    let drop = 0;
    while (drop < this.samples.length - KEEP_AT_LEAST && (this.samples[drop]?.at ?? now) < keepFrom) drop++;
    if (drop > 0) this.samples.splice(0, drop);
  }

  private compute(now: number): FilterEstimate | null {
    if (this.samples.length === 0) return null;
    // The link's fastest round trip over the long window: a stretch of slow samples (a queue, a
    // lopsided route) cannot pass itself off as the link's best.
    const fastest = Math.min(...this.samples.map((s) => s.rtt));
    const limit = fastest + Math.max(REJECT_EXCESS_MS, fastest * 0.5);
    const good = this.samples.filter((s) => s.rtt <= limit);
    const recentFrom = now - this.windowMs;
    let recent = good.filter((s) => s.at >= recentFrom);
    if (recent.length < KEEP_AT_LEAST) recent = good.slice(-KEEP_AT_LEAST);
    const rtts = recent.map((s) => s.rtt).sort((a, b) => a - b);
    // How far the link's true fastest round trip may lie under the fastest seen: about the range
    // of round trips over the samples' count; a lone sample knows nothing (its whole round trip).
    const unseen = rtts.length < 2 ? fastest : (2 * ((rtts[rtts.length >> 1] ?? fastest) - fastest)) / rtts.length;
    // A sample's own bound: half of how much slower it was than the link's fastest.
    const bound = (s: Sample): number => FLOOR_MS + (s.rtt - fastest + unseen) / 2;
    this.fit = this.fitLine(good, bound);
    const samples = recent.length;
    if (this.fit !== null) {
      // Minutes of samples on one line: their asymmetries average out, the skew carries it to now.
      const { offset, error } = this.fit.at(now);
      const errorMs = Math.sqrt(error ** 2 + (FLOOR_MS + unseen / 2) ** 2);
      return { offset, at: now, skew: this.fit.skew, errorMs, rtt: fastest, samples };
    }
    // Too short for a line yet: every recent sample, weighted by 1/error² (its bound, grown by an
    // unknown skew over its age), so that one lucky sample does not rule alone and old ones fade.
    const errorOf = (s: Sample): number => bound(s) + UNKNOWN_SKEW * (now - s.at);
    let best = Number.POSITIVE_INFINITY;
    let weight = 0;
    let sum = 0;
    for (const sample of recent) {
      const error = errorOf(sample);
      best = Math.min(best, error);
      weight += 1 / error ** 2;
      sum += sample.offset / error ** 2;
    }
    const offset = sum / weight;
    // The spread of the samples around their mean says how much asymmetry the link carries.
    let spread = 0;
    for (const sample of recent) spread += (sample.offset - offset) ** 2 / (errorOf(sample) ** 2 * weight);
    return { offset, at: now, skew: 0, errorMs: Math.sqrt(best ** 2 + spread), rtt: fastest, samples };
  }

  private skewUncertainty(): number {
    return this.fit?.uncertainty ?? UNKNOWN_SKEW;
  }

  /**
   * Weighted least squares of offset against time: the skew and the offset at any time, with their
   * standard errors (doubled); null while the samples span too little time or the slope is looser
   * than an unknown skew.
   */
  private fitLine(samples: Sample[], bound: (s: Sample) => number): LineFit | null {
    const first = samples[0];
    const last = samples.at(-1);
    if (first === undefined || last === undefined || last.at - first.at < MIN_SKEW_SPAN_MS || samples.length < 10) return null;
    let sw = 0;
    let st = 0;
    let so = 0;
    for (const s of samples) {
      const w = 1 / bound(s) ** 2;
      sw += w;
      st += w * s.at;
      so += w * s.offset;
    }
    const tMean = st / sw;
    const oMean = so / sw;
    let stt = 0;
    let sto = 0;
    for (const s of samples) {
      const w = 1 / bound(s) ** 2;
      stt += w * (s.at - tMean) ** 2;
      sto += w * (s.at - tMean) * (s.offset - oMean);
    }
    if (stt === 0) return null;
    const slope = sto / stt;
    let residuals = 0;
    for (const s of samples) residuals += (s.offset - oMean - slope * (s.at - tMean)) ** 2 / bound(s) ** 2;
    const variance = residuals / (samples.length - 2);
    const uncertainty = Math.max(MIN_SKEW_UNCERTAINTY, 2 * Math.sqrt(variance / stt));
    if (uncertainty >= UNKNOWN_SKEW || Math.abs(slope) > MAX_SKEW) return null;
    return {
      skew: slope,
      uncertainty,
      at: (time) => ({
        offset: oMean + slope * (time - tMean),
        error: 2 * Math.sqrt(variance * (1 / sw + (time - tMean) ** 2 / stt)),
      }),
    };
  }
}

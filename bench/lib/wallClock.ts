/**
 * The wall clock (Date.now()'s time scale, which the server's `serverTime` and `playStartedAt` use)
 * with sub-millisecond resolution: performance.now() plus an offset found by catching the instant
 * Date.now() ticks over. Re-found every few seconds so it follows any slew of the system clock.
 * Date.now() alone would add up to 1 ms of rounding to every comparison with the server.
 */
export class WallClock {
  private offset = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  /**
   * Re-found every `recalibrateEveryMs` from a timer of its own, never inside `now()`: a caller
   * reading this clock and another one back to back must not find a calibration's spin between
   * the two reads (it made every tenth second's figures a few ms off).
   */
  constructor(recalibrateEveryMs = 10_000) {
    this.calibrate();
    this.timer = setInterval(() => this.calibrate(), recalibrateEveryMs);
    this.timer.unref();
  }

  now(): number {
    return performance.now() + this.offset;
  }

  /** Stops re-finding the offset. */
  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Spins (at most ~2 ms per try) until Date.now() changes, between two performance.now() reads
   * that both saw the old value and then the new one: the tick lies between them, so wall − perf
   * of the later read can only be too large, by at most their gap. Keeps the tightest of five tries.
   * (A tick that came before the first read of a try would make it too small: such a try is not
   * counted.)
   */
  calibrate(): void {
    let best = Infinity;
    for (let attempt = 0; attempt < 5; attempt++) {
      const start = Date.now();
      const give = performance.now() + 2;
      let before = Number.NaN;
      for (;;) {
        const perf = performance.now();
        const wall = Date.now();
        if (wall === start) {
          before = perf;
          if (perf > give) break;
          continue;
        }
        if (perf - before < 0.05) best = Math.min(best, wall - perf);
        break;
      }
    }
    if (Number.isFinite(best)) this.offset = best;
    else if (this.offset === 0) this.offset = Date.now() - performance.now();
  }
}

/** Monotonic milliseconds for intervals measured inside one process. */
export function monotonicMs(): number {
  return performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

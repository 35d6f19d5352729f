/**
 * The wall clock (Date.now()'s time scale, which the server's `serverTime` and `playStartedAt` use)
 * with sub-millisecond resolution: performance.now() plus an offset found by catching the instant
 * Date.now() ticks over. Re-found every few seconds so it follows any slew of the system clock.
 * Date.now() alone would add up to 1 ms of rounding to every comparison with the server.
 */
export class WallClock {
  private offset = 0;
  private calibratedAt = -Infinity;

  constructor(private readonly recalibrateEveryMs = 10_000) {
    this.calibrate();
  }

  now(): number {
    const perf = performance.now();
    if (perf - this.calibratedAt > this.recalibrateEveryMs) this.calibrate();
    return performance.now() + this.offset;
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
    else if (this.calibratedAt === -Infinity) this.offset = Date.now() - performance.now();
    this.calibratedAt = performance.now();
  }
}

/** Monotonic milliseconds for intervals measured inside one process. */
export function monotonicMs(): number {
  return performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

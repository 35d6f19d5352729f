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

  /** Spins (at most ~1 ms per try) until Date.now() changes; keeps the tightest of three tries. */
  calibrate(): void {
    let best = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      const start = Date.now();
      const give = performance.now() + 2;
      for (;;) {
        const perf = performance.now();
        const wall = Date.now();
        if (wall !== start) {
          // perf was read before the tick was seen: wall - perf can only be too large, never too small.
          best = Math.min(best, wall - perf);
          break;
        }
        if (perf > give) break;
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

/**
 * Tells a client that floods far above its budget, on and on, from one that bursts now and then.
 * Messages are counted per one-second window (accepted or dropped alike); a window is a flood when
 * its count is over `factor` × the budget's rate. `seconds` flooded windows in a row trip it.
 */
export interface FloodPolicy {
  factor: number;
  seconds: number;
}

export const DEFAULT_FLOOD_POLICY: FloodPolicy = { factor: 10, seconds: 5 };

const WINDOW_MS = 1000;

export class FloodWatch {
  private windowStart: number;
  private inWindow = 0;
  private floodedInARow = 0;

  constructor(
    private readonly limitPerWindow: number,
    private readonly windowsToTrip: number,
    now: number,
  ) {
    this.windowStart = now;
  }

  /** Counts one message at `now`; true once the sender has flooded `windowsToTrip` windows in a row. */
  count(now: number): boolean {
    const windowsPassed = Math.floor((now - this.windowStart) / WINDOW_MS);
    if (windowsPassed >= 1) {
      const lastWasFlood = this.inWindow > this.limitPerWindow;
      // A quiet window in between (more than one passed) breaks the run.
      this.floodedInARow = lastWasFlood && windowsPassed === 1 ? this.floodedInARow + 1 : 0;
      this.windowStart += windowsPassed * WINDOW_MS;
      this.inWindow = 0;
    } else if (now < this.windowStart) {
      // The clock stepped back: start over rather than count a window twice.
      this.windowStart = now;
    }
    this.inWindow++;
    const currentIsFlood = this.inWindow > this.limitPerWindow;
    return currentIsFlood && this.floodedInARow + 1 >= this.windowsToTrip;
  }
}

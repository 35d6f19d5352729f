/**
 * Lets one log line through per interval and counts the ones it held back, so a flood of rejected
 * messages cannot flood the logs too.
 */
export class LogSampler {
  private lastAt = -Infinity;
  private held = 0;

  constructor(private readonly intervalMs: number) {}

  /** The number of lines held back since the last one let through, or null to hold this one back. */
  take(now: number): number | null {
    // A clock that stepped back lets the line through rather than silencing the log until it catches up.
    if (now >= this.lastAt && now - this.lastAt < this.intervalMs) {
      this.held++;
      return null;
    }
    const held = this.held;
    this.lastAt = now;
    this.held = 0;
    return held;
  }
}

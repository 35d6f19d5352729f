/** Timers that run only when a test says so: the room's clock, or the process's timer. */
export class HandClock {
  readonly timeouts: (() => void)[] = [];
  readonly intervals: (() => void)[] = [];
  setTimeout(callback: () => void) {
    this.timeouts.push(callback);
    return { clear: () => this.timeouts.splice(this.timeouts.indexOf(callback), 1) };
  }
  setInterval(callback: () => void) {
    this.intervals.push(callback);
    return { clear: () => this.intervals.splice(this.intervals.indexOf(callback), 1) };
  }
}

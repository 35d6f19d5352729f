/** A clock and timers that only move when a test moves them (for the client's injectable `Timers`). */
import type { Timers } from "../../client/src";

interface Pending {
  id: number;
  at: number;
  callback: () => void;
}

/** Lets promise chains started by a timer run to their next real wait. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeTime implements Timers {
  private pending: Pending[] = [];
  private nextId = 1;

  constructor(public time = 0) {}

  readonly now = (): number => this.time;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((timer) => timer.id !== handle);
  }

  /** Timers waiting, as delays from now. */
  get waiting(): number[] {
    return this.pending.map((timer) => timer.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      await flushPromises();
      const due = this.pending.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.pending = this.pending.filter((timer) => timer !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = until;
    await flushPromises();
  }
}

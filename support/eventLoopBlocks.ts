/**
 * How long an async operation takes, and the longest stretch it held the event loop: what every
 * room on the process would have waited for, worst case, while it ran.
 */
import { performance } from "node:perf_hooks";

export interface Timed<T> {
  value: T;
  ms: number;
  /** The longest time between two turns of the event loop while the operation ran. */
  longestBlockMs: number;
}

export async function timedWithBlocks<T>(run: () => Promise<T>): Promise<Timed<T>> {
  let longest = 0;
  let last = performance.now();
  let ticking = true;
  // A turn of the event loop at every chance: the gap between two is how long something held it.
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const start = performance.now();
  const value = await run();
  const ms = performance.now() - start;
  // One more turn, so the stretch that ended with the operation is counted.
  await new Promise<void>((resolve) => setImmediate(resolve));
  ticking = false;
  return { value, ms, longestBlockMs: longest };
}

/** Evenly paced sending for load generators: many senders, one timer. */

const PACING_TICK_MS = 5;

/**
 * Calls `send(i)` for each of `count` senders `ratePerS` times a second, sender i's phase at
 * `slot(i) / count` of the period (by default in sender order). Returns a function that stops it.
 */
export function paced(count: number, ratePerS: number, send: (i: number) => void, slot: (i: number) => number = (i) => i): () => void {
  if (count === 0 || ratePerS <= 0) return () => undefined;
  const periodMs = 1000 / ratePerS;
  const start = performance.now();
  const next = Array.from({ length: count }, (_, i) => start + (slot(i) / count) * periodMs);
  const timer = setInterval(() => {
    const t = performance.now();
    for (let i = 0; i < count; i++) {
      while (next[i] <= t) {
        next[i] += periodMs;
        send(i);
      }
    }
  }, PACING_TICK_MS);
  return () => clearInterval(timer);
}

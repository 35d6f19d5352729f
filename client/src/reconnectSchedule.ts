/**
 * When a dropped session tries to reconnect: after `backoffMs[0]`, `backoffMs[1]`, … (the last
 * repeating), none starting later than just before the server's grace ends — with the defaults and
 * a 30 s grace, at 2, 6, 14 and 29 s after the drop. Pure: times are ms since the drop.
 */

export const DEFAULT_BACKOFF_MS: readonly number[] = [2000, 4000, 8000, 16000];
export const DEFAULT_RECONNECT_GRACE_MS = 30_000;
/** The last attempt starts at least this long before the grace ends (a tenth of a shorter grace). */
const LAST_ATTEMPT_MARGIN_MS = 1000;

export interface ReconnectSchedule {
  /** Waits before attempts, ms; the last repeats. */
  backoffMs: readonly number[];
  /** How long the server keeps a dropped musician, ms. */
  graceMs: number;
}

/** The latest an attempt may start, ms after the drop. */
export function latestAttemptStartMs(graceMs: number): number {
  return graceMs - Math.min(LAST_ATTEMPT_MARGIN_MS, graceMs / 10);
}

/**
 * When attempt `attempt` (1, 2, …) starts, ms after the drop, given that `elapsedMs` have passed
 * and the previous attempt started at `previousStartMs` (-Infinity before the first); null when
 * the grace leaves no room for it.
 */
export function nextAttemptStartMs(
  schedule: ReconnectSchedule,
  attempt: number,
  elapsedMs: number,
  previousStartMs: number,
): number | null {
  const { backoffMs } = schedule;
  const wait = backoffMs[Math.min(attempt - 1, backoffMs.length - 1)] ?? 0;
  const startAt = Math.min(elapsedMs + wait, latestAttemptStartMs(schedule.graceMs));
  return startAt < elapsedMs || startAt <= previousStartMs ? null : startAt;
}

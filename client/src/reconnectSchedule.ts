/**
 * When a dropped session tries to reconnect: after `backoffMs[0]`, `backoffMs[1]`, … (the last
 * repeating), none starting later than just before the server's grace ends — with the defaults and
 * a 30 s grace, at 1, 3, 7, 15 and 29 s after the drop. The first comes soon: a dropped connection
 * is most often a blip or a process that crashed and was restarted within a second. Pure: times
 * are ms since the drop.
 */

export const DEFAULT_BACKOFF_MS: readonly number[] = [1000, 2000, 4000, 8000, 16000];
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

/**
 * When the room itself is gone (its process restarted or crashed), the session opens the same
 * code again: the first attempt after `firstWaitMs` (what a `server-restart` notice asked for, else
 * at once), then after each wait here (the last repeating), none starting later than `forMs` after
 * the room was lost. Short at first: a restarted process answers within a second or two.
 */
export const DEFAULT_REOPEN_BACKOFF_MS: readonly number[] = [500, 1000, 2000, 4000];
/** Two processes sharing codes free a crashed process's codes after 15 s: a minute covers it. */
export const DEFAULT_REOPEN_FOR_MS = 60_000;

export interface ReopenSchedule {
  backoffMs: readonly number[];
  forMs: number;
}

/**
 * When reopening attempt `attempt` (1, 2, …) starts, ms after the room was lost, given that
 * `elapsedMs` have passed; null once the window is over.
 */
export function nextReopenStartMs(schedule: ReopenSchedule, attempt: number, elapsedMs: number, firstWaitMs: number): number | null {
  const { backoffMs } = schedule;
  const wait = attempt === 1 ? firstWaitMs : (backoffMs[Math.min(attempt - 2, backoffMs.length - 1)] ?? 0);
  const startAt = elapsedMs + Math.max(0, wait);
  return startAt > schedule.forMs ? null : startAt;
}

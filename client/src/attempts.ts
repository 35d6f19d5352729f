/**
 * A run of attempts on a schedule (reconnecting to the same room, or reopening its code), with
 * one pending timer at a time and a cancel that stops it between any two steps.
 */
import type { Timers } from "./clock";

/** `done`: connected (or the run was overtaken); `retry`: try again on schedule; `stop`: no attempt can succeed. */
export type AttemptOutcome = "done" | "retry" | "stop";

export interface AttemptRun {
  timers: Timers;
  now: () => number;
  /** When attempt `n` starts, ms after the run began, given the ms elapsed and the previous start; null: no more. */
  startOf(n: number, elapsedMs: number, previousStartMs: number): number | null;
  attempt(n: number): Promise<AttemptOutcome>;
  /** The run ended without connecting: `stop` from an attempt, or the schedule is over after `attempts`. */
  onGiveUp(outcome: "stop" | "exhausted", attempts: number): void;
}

/** Starts the run; the returned function cancels it (a pending timer is cleared, a late outcome ignored). */
export function runAttempts(run: AttemptRun): () => void {
  const startedAt = run.now();
  let cancelled = false;
  let handle: unknown;
  const next = (n: number, previousStart: number) => {
    const elapsed = run.now() - startedAt;
    const startAt = run.startOf(n, elapsed, previousStart);
    if (startAt === null) {
      run.onGiveUp("exhausted", n - 1);
      return;
    }
    handle = run.timers.setTimeout(() => {
      handle = undefined;
      void run.attempt(n).then((outcome) => {
        if (cancelled || outcome === "done") return;
        if (outcome === "stop") run.onGiveUp("stop", n);
        else next(n + 1, startAt);
      });
    }, startAt - elapsed);
  };
  next(1, -Infinity);
  return () => {
    cancelled = true;
    if (handle !== undefined) run.timers.clearTimeout(handle);
    handle = undefined;
  };
}

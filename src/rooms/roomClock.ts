/**
 * A room's Colyseus clock (@colyseus/timer's ClockTimer) as the patch scheduler needs it. The
 * clock only advances when the room's patch ticks it, and each timer counts the time between
 * ticks (`elapsedTime += deltaTime`). A room passed by for a while has a clock that last ticked
 * long ago: its timers lose nothing (the next tick's delta holds the whole wait), but a timer
 * added then would be credited that whole wait and fire early. So before a timer is added the
 * clock is brought up to the tick it would have had, and the scheduler is told when the earliest
 * timer is due, so the room is visited then.
 */
import type { Clock } from "@colyseus/core";

/**
 * When (in the clock's Date.now() ms) the earliest running timer is due; Infinity when none.
 * A paused timer counts no time while paused, but resumed between two ticks it would count the
 * whole gap since the last one: a room holding one is visited every turn (`-Infinity`).
 */
export function nextTimerDue(clock: Clock): number {
  let due = Number.POSITIVE_INFINITY;
  for (const delayed of clock.delayed) {
    if (!delayed.active) continue;
    if (delayed.paused) return Number.NEGATIVE_INFINITY;
    const at = clock.currentTime + delayed.time - delayed.elapsedTime;
    if (at < due) due = at;
  }
  return due;
}

/**
 * Moves the clock to `tickAt` as a tick would, without running anything: each timer is credited
 * the time, so none comes due later than before (one that comes due runs at the next real tick).
 */
export function catchUp(clock: Clock, tickAt: number): void {
  const behind = tickAt - clock.currentTime;
  if (!(behind > 0)) return;
  for (const delayed of clock.delayed) if (delayed.active && !delayed.paused) delayed.elapsedTime += behind;
  clock.currentTime = tickAt;
  clock.elapsedTime += behind;
}

type Adding = "setTimeout" | "setInterval" | "duration";

/**
 * Calls `before` ahead of and `after` once every timer is added, through whichever method adds it
 * (Colyseus wraps setTimeout and setInterval on the instance for onUncaughtException; those
 * wrappers are kept).
 */
export function onTimerAdded(clock: Clock, before: () => void, after: () => void): void {
  for (const name of ["setTimeout", "setInterval", "duration"] as const satisfies readonly Adding[]) {
    const add = clock[name] as (...args: unknown[]) => unknown;
    const announced = (...args: unknown[]): unknown => {
      before();
      const added = add.apply(clock, args);
      after();
      return added;
    };
    Object.defineProperty(clock, name, { value: announced, writable: true, configurable: true });
  }
}

/**
 * A room's Colyseus clock (@colyseus/timer's ClockTimer) as the patch scheduler needs it. The
 * clock only advances when the room's patch ticks it, and each timer counts the time between
 * ticks (`elapsedTime += deltaTime`). A room passed by for a while has a clock that last ticked
 * long ago: its timers lose nothing (the next tick's delta holds the whole wait), but a timer
 * added then would be credited that whole wait and fire early. So before a timer is added the
 * clock is brought up to the tick it would have had, and the scheduler is told when the earliest
 * timer is due, so the room is visited then.
 */
import { Clock } from "@colyseus/core";

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

/** The clock methods that take a callback, as a failed timer is reported. */
export type TimerMethod = "setTimeout" | "setInterval";

/** What a room's clock tells its room. */
export interface ClockListener {
  /** A timer is about to be added (the clock can be caught up first). */
  timerAdding(): void;
  /** A timer was added (the room may have to be visited sooner). */
  timerAdded(): void;
  /** A timer's callback threw, or the promise it returned was rejected. */
  timerFailed(error: unknown, method: TimerMethod): void;
}

type Delayed = ReturnType<Clock["setTimeout"]>;
type Callback = (...args: unknown[]) => unknown;

/**
 * A room's clock: tells the room before and after every timer is added, however it is added, and
 * reports what a timer's callback throws (Colyseus wraps the timer methods of each room's clock
 * for that, with closures of its own; this room does without them, ColyseusRoom.ts).
 */
export class RoomClock extends Clock {
  constructor(private readonly listener: ClockListener) {
    super();
  }

  override setTimeout(handler: Callback, time: number, ...args: unknown[]): Delayed {
    return this.announced(() => super.setTimeout(this.guarded(handler, "setTimeout"), time, ...args));
  }

  override setInterval(handler: Callback, time: number, ...args: unknown[]): Delayed {
    return this.announced(() => super.setInterval(this.guarded(handler, "setInterval"), time, ...args));
  }

  override duration(ms: number): Promise<void> {
    return this.announced(() => super.duration(ms));
  }

  private announced<T>(add: () => T): T {
    this.listener.timerAdding();
    const added = add();
    this.listener.timerAdded();
    return added;
  }

  private guarded(handler: Callback, method: TimerMethod): Callback {
    return (...args) => {
      try {
        const result = handler(...args);
        if (isThenable(result)) result.then(undefined, (error: unknown) => this.listener.timerFailed(error, method));
        return result;
      } catch (error) {
        this.listener.timerFailed(error, method);
        return undefined;
      }
    };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

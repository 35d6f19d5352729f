/**
 * A room's Colyseus clock as the patch scheduler leaves it: behind while the room is passed by.
 * Its timers lose no time, a timer added then is not credited the wait, and the scheduler learns
 * when the earliest is due.
 */
import assert from "node:assert/strict";
import { Clock } from "@colyseus/core";
import { RoomClock, catchUp, nextTimerDue } from "../../src/rooms/roomClock";

/** A started clock whose last tick was `agoMs` before now, as a parked room's is. */
function clockTickedAgo(agoMs: number): Clock {
  const clock = new Clock();
  clock.start();
  clock.currentTime -= agoMs;
  return clock;
}

describe("roomClock", () => {
  it("says when the earliest running timer is due, ignoring cleared ones", () => {
    const clock = clockTickedAgo(0);
    assert.equal(nextTimerDue(clock), Number.POSITIVE_INFINITY);
    clock.setInterval(() => undefined, 5_000);
    clock.setTimeout(() => undefined, 300).clear();
    const soon = clock.setTimeout(() => undefined, 1_000);
    soon.elapsedTime = 400;
    assert.equal(nextTimerDue(clock), clock.currentTime + 600);
  });

  it("asks for every turn while a timer is paused (it must not count the time it was paused)", () => {
    const clock = clockTickedAgo(0);
    clock.setTimeout(() => undefined, 1_000).pause();
    assert.equal(nextTimerDue(clock), Number.NEGATIVE_INFINITY);
  });

  it("runs a timer added after a catch-up from the catch-up, and the older ones as before", () => {
    const clock = clockTickedAgo(10_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("old"), 5_000);
    const oldDue = nextTimerDue(clock);
    catchUp(clock, Date.now() - 20);
    assert.equal(nextTimerDue(clock), oldDue, "the catch-up moves no timer");
    clock.setTimeout(() => fired.push("new"), 1_000);

    clock.tick();
    assert.deepEqual(fired, ["old"], "the new timer counts ~20 ms, not the 10 s the clock was behind");
  });

  it("never moves a clock back", () => {
    const clock = clockTickedAgo(0);
    const at = clock.currentTime;
    const timer = clock.setTimeout(() => undefined, 1_000);
    catchUp(clock, at - 500);
    assert.equal(clock.currentTime, at);
    assert.equal(timer.elapsedTime, 0);
  });

  it("tells its room before and after every way of adding a timer", async () => {
    const calls: string[] = [];
    const clock: RoomClock = new RoomClock({
      timerAdding: () => calls.push(`before ${clock.delayed.length}`),
      timerAdded: () => calls.push(`after ${clock.delayed.length}`),
      timerFailed: () => assert.fail("no timer failed"),
    });
    const timeout = clock.setTimeout(() => undefined, 10);
    clock.setInterval(() => undefined, 10);
    const waited = clock.duration(10);
    assert.deepEqual(calls, ["before 0", "after 1", "before 1", "after 2", "before 2", "after 3"]);
    assert.equal(clock.delayed[0], timeout, "the timer itself is returned");
    clock.clear();
    await assert.rejects(waited);
  });

  it("reports a timer that throws or rejects, and runs the others and the next rounds of an interval", async () => {
    const failures: string[] = [];
    let rejected: () => void = () => undefined;
    const reported = new Promise<void>((resolve) => {
      rejected = resolve;
    });
    const clock = new RoomClock({
      timerAdding: () => undefined,
      timerAdded: () => undefined,
      timerFailed: (error, method) => {
        failures.push(`${method}: ${error instanceof Error ? error.message : String(error)}`);
        if (failures.length === 3) rejected();
      },
    });
    clock.start();
    const fired: string[] = [];
    clock.setTimeout(() => {
      throw new Error("timeout threw");
    }, 0);
    clock.setInterval(() => {
      fired.push("interval");
      throw new Error("interval threw");
    }, 0);
    clock.setTimeout(() => Promise.reject(new Error("timeout rejected")), 0);
    clock.setTimeout((...args: unknown[]) => fired.push(`timeout ${args.join(",")}`), 0, "a", "b");
    clock.currentTime -= 1;
    clock.tick();
    await reported;
    assert.deepEqual(failures.sort(), ["setInterval: interval threw", "setTimeout: timeout rejected", "setTimeout: timeout threw"]);
    assert.deepEqual(fired.sort(), ["interval", "timeout a,b"]);
    clock.currentTime -= 1;
    clock.tick();
    assert.deepEqual(fired.sort(), ["interval", "interval", "timeout a,b"], "the interval runs again");
    clock.clear();
  });
});

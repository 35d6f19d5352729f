import assert from "node:assert/strict";
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_RECONNECT_GRACE_MS,
  latestAttemptStartMs,
  nextAttemptStartMs,
  type ReconnectSchedule,
} from "../../client/src/reconnectSchedule";

const DEFAULTS: ReconnectSchedule = { backoffMs: DEFAULT_BACKOFF_MS, graceMs: DEFAULT_RECONNECT_GRACE_MS };

/** Start times of every attempt when each fails at once (the next is planned as the previous starts). */
function attemptStarts(schedule: ReconnectSchedule): number[] {
  const starts: number[] = [];
  let previous = -Infinity;
  for (let attempt = 1; attempt < 100; attempt++) {
    const elapsed = starts.length === 0 ? 0 : previous;
    const start = nextAttemptStartMs(schedule, attempt, elapsed, previous);
    if (start === null) return starts;
    starts.push(start);
    previous = start;
  }
  throw new Error("the schedule never ends");
}

describe("client > reconnectSchedule", () => {
  it("tries at 1, 3, 7, 15 and 29 s after the drop with the defaults and a 30 s grace", () => {
    assert.deepEqual(attemptStarts(DEFAULTS), [1000, 3000, 7000, 15000, 29000]);
  });

  it("repeats the last wait, then tries once more just before the grace ends", () => {
    assert.deepEqual(attemptStarts({ backoffMs: [1000], graceMs: 5000 }), [1000, 2000, 3000, 4000, 4500]);
  });

  it("starts the last attempt a tenth of the grace before its end when the grace is short", () => {
    assert.equal(latestAttemptStartMs(5000), 4500);
    assert.equal(latestAttemptStartMs(30_000), 29_000);
    assert.deepEqual(attemptStarts({ backoffMs: [2000], graceMs: 3000 }), [2000, 2700]);
  });

  it("plans no attempt once the latest start has passed", () => {
    assert.equal(nextAttemptStartMs(DEFAULTS, 1, 29_500, -Infinity), null);
  });

  it("counts a slow attempt's time: the next waits from when it failed", () => {
    assert.equal(nextAttemptStartMs(DEFAULTS, 2, 5000, 1000), 7000);
  });
});

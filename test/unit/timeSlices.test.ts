/** Sliced work: the same result at once or in slices, and the event loop runs between slices. */
import assert from "node:assert/strict";
import { finish, inSlices, type Sliced, timeToYield } from "../../src/timeSlices";

/** Sums 0…n−1, yielding now and then; busy for about `msPerRound` each round. */
function* slowSum(n: number, msPerRound: number): Sliced<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const until = performance.now() + msPerRound;
    while (performance.now() < until) {
      // Busy: this is what holds the event loop.
    }
    sum += i;
    if (timeToYield(i)) yield;
  }
  return sum;
}

describe("time slices", () => {
  it("gives the same result at once and in slices", async () => {
    assert.equal(finish(slowSum(5000, 0)), 12_497_500);
    assert.equal(await inSlices(slowSum(5000, 0)), 12_497_500);
  });

  it("lets the event loop run between slices of long work", async () => {
    // About 60 ms of work in all, in rounds of 0.02 ms yielding every 1024 rounds (≈ 20 ms).
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    try {
      await inSlices(slowSum(3 * 1024, 0.02), 5);
    } finally {
      clearInterval(timer);
    }
    assert.ok(turns >= 2, `the event loop ran ${turns} time(s)`);
  });
});

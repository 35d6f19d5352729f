import assert from "node:assert/strict";
import { TokenBucket } from "../../src/rules/tokenBucket";

/** How many of `count` takes at instant `now` succeed. */
function takeMany(bucket: TokenBucket, now: number, count: number): number {
  let taken = 0;
  for (let i = 0; i < count; i++) if (bucket.take(now)) taken++;
  return taken;
}

describe("tokenBucket > take", () => {
  it("allows a full burst at once, then refuses", () => {
    const bucket = new TokenBucket({ ratePerS: 10, burst: 5 }, 0);
    assert.equal(takeMany(bucket, 0, 5), 5);
    assert.equal(bucket.take(0), false);
  });

  it("refills at the rate: one token per 1/rate seconds", () => {
    const bucket = new TokenBucket({ ratePerS: 10, burst: 5 }, 0);
    takeMany(bucket, 0, 5);
    assert.equal(bucket.take(50), false); // half a token
    assert.equal(bucket.take(150), true); // 1.5 tokens by now
    assert.equal(bucket.take(150), false);
  });

  it("refills about rate tokens a second after the burst is spent", () => {
    const bucket = new TokenBucket({ ratePerS: 50, burst: 100 }, 0);
    assert.equal(takeMany(bucket, 0, 150), 100);
    assert.equal(takeMany(bucket, 1010, 100), 50); // 50.5 tokens refilled
  });

  it("never holds more than the burst, however long it was idle", () => {
    const bucket = new TokenBucket({ ratePerS: 10, burst: 5 }, 0);
    assert.equal(takeMany(bucket, 3_600_000, 50), 5);
  });

  it("keeps a steady sender at the rate allowed", () => {
    const bucket = new TokenBucket({ ratePerS: 20, burst: 20 }, 0);
    takeMany(bucket, 0, 20);
    let accepted = 0;
    // Ask every 10 ms for 10 s: 1000 asks, 20 per second get through.
    for (let now = 10; now <= 10_000; now += 10) if (bucket.take(now)) accepted++;
    assert.ok(accepted >= 199 && accepted <= 200, `accepted ${accepted}`);
  });

  it("does not count refused attempts against the refill", () => {
    const bucket = new TokenBucket({ ratePerS: 10, burst: 1 }, 0);
    assert.equal(bucket.take(0), true);
    for (let now = 10; now < 100; now += 10) assert.equal(bucket.take(now), false, `at ${now}`);
    assert.equal(bucket.take(105), true);
  });

  it("does not hand out extra tokens when the clock steps backwards", () => {
    const bucket = new TokenBucket({ ratePerS: 10, burst: 5 }, 0);
    assert.equal(takeMany(bucket, 10_000, 5), 5);
    assert.equal(bucket.take(5_000), false); // the clock went back 5 s
    // Back at 10 s: no time has passed since the bucket was emptied.
    assert.equal(bucket.take(10_000), false);
  });
});

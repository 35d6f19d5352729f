import assert from "node:assert/strict";
import { HISTOGRAM_MAX_MS, MsHistogram, percentile, percentileOf } from "../../support/percentile";

describe("percentile > percentile", () => {
  it("is NaN without samples", () => {
    assert.ok(Number.isNaN(percentile([], 0.5)));
  });

  it("takes the sample at index ⌊p·n⌋ of the sorted samples", () => {
    const sorted = [10, 20, 30, 40];
    assert.equal(percentile(sorted, 0), 10);
    assert.equal(percentile(sorted, 0.5), 30);
    assert.equal(percentile(sorted, 0.99), 40);
    assert.equal(percentile(sorted, 1), 40);
  });

  it("sorts numerically, and leaves the caller's samples as they were", () => {
    const samples = [100, 9, 25];
    assert.equal(percentileOf(samples, 0.5), 25);
    assert.deepEqual(samples, [100, 9, 25]);
  });
});

describe("percentile > MsHistogram", () => {
  it("answers null until a sample is added", () => {
    assert.equal(new MsHistogram().percentile(50), null);
  });

  it("takes the ⌈p·n⌉-th smallest, in whole milliseconds", () => {
    const histogram = new MsHistogram();
    for (const ms of [10, 20, 30, 40.4]) histogram.add(ms);
    assert.equal(histogram.percentile(50), 20);
    assert.equal(histogram.percentile(99), 40);
    assert.equal(histogram.count, 4);
    assert.equal(histogram.max, 40);
  });

  it("counts everything above a minute as a minute, and forgets on reset", () => {
    const histogram = new MsHistogram();
    histogram.add(90_000);
    assert.equal(histogram.percentile(50), HISTOGRAM_MAX_MS);
    assert.equal(histogram.max, 90_000);
    histogram.reset();
    assert.equal(histogram.count, 0);
  });
});

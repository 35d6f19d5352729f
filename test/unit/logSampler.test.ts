import assert from "node:assert/strict";
import { LogSampler } from "../../src/observability/logSampler";

describe("logSampler > LogSampler", () => {
  it("lets the first line through with nothing held back", () => {
    assert.equal(new LogSampler(1000).take(5_000), 0);
  });

  it("lets the first line through at time 0 too", () => {
    assert.equal(new LogSampler(1000).take(0), 0);
  });

  it("holds back every other line within the interval", () => {
    const sampler = new LogSampler(1000);
    sampler.take(10_000);
    assert.equal(sampler.take(10_000), null);
    assert.equal(sampler.take(10_500), null);
    assert.equal(sampler.take(10_999), null);
  });

  it("lets one through once the interval has passed, with the number held back since the last one", () => {
    const sampler = new LogSampler(1000);
    sampler.take(10_000);
    for (let t = 10_001; t <= 10_007; t++) assert.equal(sampler.take(t), null);
    assert.equal(sampler.take(11_000), 7);
  });

  it("starts counting again from 0 after each line let through", () => {
    const sampler = new LogSampler(1000);
    sampler.take(0);
    sampler.take(1);
    sampler.take(2);
    assert.equal(sampler.take(1000), 2);
    assert.equal(sampler.take(1500), null);
    assert.equal(sampler.take(2000), 1);
    assert.equal(sampler.take(3000), 0);
  });

  it("measures the interval from the last line let through, not from the last one held back", () => {
    const sampler = new LogSampler(1000);
    sampler.take(0);
    assert.equal(sampler.take(900), null);
    assert.equal(sampler.take(1000), 1);
    assert.equal(sampler.take(1900), null);
    assert.equal(sampler.take(2000), 1);
  });

  it("lets through one line per interval however many are offered", () => {
    const sampler = new LogSampler(1000);
    const letThrough: [number, number][] = [];
    for (let t = 0; t < 5000; t += 10) {
      const held = sampler.take(t);
      if (held !== null) letThrough.push([t, held]);
    }
    assert.deepEqual(letThrough, [
      [0, 0],
      [1000, 99],
      [2000, 99],
      [3000, 99],
      [4000, 99],
    ]);
  });

  it("lets every line through with an interval of 0", () => {
    const sampler = new LogSampler(0);
    assert.equal(sampler.take(1), 0);
    assert.equal(sampler.take(1), 0);
    assert.equal(sampler.take(2), 0);
  });

  it("keeps separate counts per sampler", () => {
    const a = new LogSampler(1000);
    const b = new LogSampler(1000);
    a.take(0);
    a.take(1);
    assert.equal(b.take(2), 0);
    assert.equal(a.take(1000), 1);
  });
});

import assert from "node:assert/strict";
import { ServerClock } from "../../client/src";
import { percentileOf as percentile } from "../../support/percentile";
import { seededRandom } from "../../support/seededRandom";
import { FakePingServer, type Trip } from "./fakePingServer";
import { FakeTime } from "./fakeTime";

/**
 * The clock over links with jitter, skew, stalls and jumps, on fake time: the server's clock when
 * the client's reads `local` is known, so every estimate's error is.
 */
const START = 1_000;
const OFFSET = 3_600_000.25;

interface LinkOptions {
  /** One way, ms, each way drawn uniformly in delay ± jitter. */
  delayMs: number;
  jitterMs: number;
  /** The client's clock runs this many ppm fast. */
  fastPpm?: number;
  seed?: number;
}

function link(options: LinkOptions) {
  const time = new FakeTime(START);
  const random = seededRandom(options.seed ?? 1);
  const rate = 1 + (options.fastPpm ?? 0) * 1e-6;
  let jump = 0;
  /** While set, pings and pongs are held until then (a stalled link). */
  let stalledUntil = 0;
  const way = () => options.delayMs + options.jitterMs * (2 * random() - 1);
  const trueServerTime = (local: number) => OFFSET + START + (local - START) / rate + jump;
  const trip = (): Trip => {
    const out = way();
    const back = way();
    const held = Math.max(0, stalledUntil - time.now());
    return { out: out + held, back };
  };
  const server = new FakePingServer(time, trueServerTime, trip);
  const clock = new ServerClock(server, { now: time.now, timers: time });
  return {
    time,
    server,
    clock,
    /** The estimate's error now, ms. */
    error: () => clock.toServerTime(time.now()) - trueServerTime(time.now()),
    stall: (ms: number) => (stalledUntil = time.now() + ms),
    jumpServer: (ms: number) => (jump += ms),
  };
}

/** Advances `ms` in steps of `everyMs`, collecting `read()` after each. */
async function sample(time: FakeTime, ms: number, everyMs: number, read: () => number): Promise<number[]> {
  const values: number[] = [];
  for (let t = 0; t < ms; t += everyMs) {
    await time.advance(everyMs);
    values.push(read());
  }
  return values;
}

describe("client > clock over emulated links (fake time)", function () {
  this.timeout(20_000);

  it("40 ± 10 ms each way, a clock 50 ppm fast, ten minutes: within 2.5 ms throughout, the skew found", async () => {
    const { time, clock, error } = link({ delayMs: 40, jitterMs: 10, fastPpm: 50 });
    clock.start();
    await time.advance(5_000);
    const claims: boolean[] = [];
    const errors = await sample(time, 600_000, 1_000, () => {
      const actual = Math.abs(error());
      claims.push(actual <= (clock.quality?.errorMs ?? 0));
      return actual;
    });
    clock.stop();
    assert.ok(percentile(errors, 95) <= 1.75, `p95 ${percentile(errors, 95)} ms`);
    // Once the skew is measured (a minute of samples), the line through them holds it closer still.
    const settled = errors.slice(120);
    assert.ok(percentile(settled, 95) <= 1.5, `p95 ${percentile(settled, 95)} ms after two minutes`);
    assert.ok(Math.max(...errors) <= 2.5, `max ${Math.max(...errors)} ms`);
    const skew = clock.estimate?.skewPpm ?? 0;
    assert.ok(Math.abs(skew + 50) <= 10, `skew ${skew} ppm (the local clock runs 50 ppm fast)`);
    const honest = claims.filter(Boolean).length / claims.length;
    assert.ok(honest >= 0.9, `the claimed error covers the actual one ${(honest * 100).toFixed(1)} % of the time`);
  });

  it("a late joiner behind 40 ± 10 ms is within 3 ms one second after start, every time", async () => {
    const late: number[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const { time, clock, error } = link({ delayMs: 40, jitterMs: 10, seed });
      clock.start();
      await time.advance(1_000);
      late.push(Math.abs(error()));
      clock.stop();
    }
    assert.ok(Math.max(...late) <= 3, `errors at 1 s: max ${Math.max(...late).toFixed(2)} ms`);
  });

  it("300 ms stalls neither throw the estimate off nor go unnoticed: a burst follows a pong that waited through one", async () => {
    const { time, clock, server, error, stall } = link({ delayMs: 40, jitterMs: 10 });
    clock.start();
    await time.advance(30_000);
    const before = server.pings.length;
    const errors: number[] = [];
    // A stall every 1.7 s for a minute: some catch a ping (the steady pace is one a second).
    for (let i = 0; i < 35; i++) {
      stall(300);
      errors.push(...(await sample(time, 1_700, 50, () => Math.abs(error()))));
    }
    clock.stop();
    assert.ok(Math.max(...errors) <= 3, `max ${Math.max(...errors)} ms through the stalls`);
    const steady = Math.ceil((35 * 1_700) / 1_000);
    assert.ok(server.pings.length - before >= steady + 20, `${server.pings.length - before} pings in a minute of stalls: bursts followed`);
  });

  it("keeps a good estimate through minutes of lopsided slow samples", async () => {
    let lopsided = false;
    const time = new FakeTime(START);
    const server = new FakePingServer(
      time,
      (local) => local + OFFSET,
      () => (lopsided ? { out: 35, back: 5 } : { out: 5, back: 5 }),
    );
    const clock = new ServerClock(server, { now: time.now, timers: time });
    clock.start();
    await time.advance(20_000);
    lopsided = true;
    const errors = await sample(time, 120_000, 1_000, () => Math.abs(clock.offset - OFFSET));
    clock.stop();
    assert.ok(Math.max(...errors) <= 1, `max ${Math.max(...errors)} ms while every round trip is 30 ms slower and lopsided`);
  });

  it("follows a jump of the clocks (a resume from sleep) within a few pings", async () => {
    const { time, clock, error, jumpServer } = link({ delayMs: 5, jitterMs: 1 });
    clock.start();
    await time.advance(20_000);
    jumpServer(5_000);
    await time.advance(3_000);
    clock.stop();
    assert.ok(Math.abs(error()) <= 1.5, `error ${error()} ms 3 s after a 5 s jump`);
  });

  it("after a restart, serves the last estimate until the first new one", async () => {
    const { time, clock, server, error } = link({ delayMs: 5, jitterMs: 1 });
    clock.start();
    await time.advance(5_000);
    clock.stop();
    server.connected = false;
    clock.start();
    assert.equal(clock.synced, true);
    assert.ok(Math.abs(error()) <= 1.5);
    server.connected = true;
    clock.resync();
    await time.advance(1_000);
    clock.stop();
    assert.ok(Math.abs(error()) <= 1.5);
  });
});

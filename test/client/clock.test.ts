import assert from "node:assert/strict";
import { JamClient, ServerClock, monotonicNow, type JamSession } from "../../client/src";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";
import { FakePingServer, type Trip } from "./fakePingServer";
import { FakeTime } from "./fakeTime";

const OFFSET = 3_600_000.25;

/** A fake server `OFFSET` ahead, each ping's trip from `trip(i)` (symmetric when a number). */
function serverWith(time: FakeTime, trip: (i: number) => number | Trip): FakePingServer {
  return new FakePingServer(
    time,
    (local) => local + OFFSET,
    (i) => {
      const way = trip(i);
      return typeof way === "number" ? { out: way, back: way } : way;
    },
  );
}

describe("client > ServerClock (fake time)", () => {
  it("computes offset = serverTime - (t0 + t1) / 2 and keeps the fastest round trip", async () => {
    const time = new FakeTime(1_000);
    const symmetric = [20, 5, 50, 8, 100, 3, 30, 12];
    const server = serverWith(time, (i) => symmetric[i] ?? 0);
    const clock = new ServerClock(server, { now: time.now, timers: time, burst: 8, spacingMs: 50 });
    assert.equal(clock.synced, false);
    assert.equal(clock.serverNow(), time.now(), "the local time until synced");
    const result = clock.sync();
    await time.advance(2000);
    const estimate = await result;
    assert.ok(estimate !== null);
    assert.equal(server.pings.length, 8);
    assert.equal(estimate.rtt, 6);
    assert.ok(Math.abs(estimate.offset - OFFSET) < 1e-6, `offset ${estimate.offset}`);
    assert.equal(clock.synced, true);
    assert.ok(Math.abs(clock.serverNow() - (time.now() + OFFSET)) < 1e-6);
    assert.ok(Math.abs(clock.toLocalTime(clock.toServerTime(1234.5)) - 1234.5) < 1e-6);
  });

  it("trusts the lowest round trips: slow, lopsided samples do not bend the offset", async () => {
    const time = new FakeTime(1_000);
    // Every other ping is stuck 400 ms in a queue on the way out only: its offset is 200 ms off.
    const server = serverWith(time, (i) => (i % 2 === 0 ? 2 : { out: 400, back: 2 }));
    const clock = new ServerClock(server, { now: time.now, timers: time });
    const result = clock.sync();
    await time.advance(3000);
    const estimate = await result;
    assert.ok(estimate !== null);
    assert.ok(Math.abs(estimate.offset - OFFSET) < 1e-6, `offset ${estimate.offset}`);
    assert.equal(estimate.rtt, 4);
  });

  it("ends a burst with the pongs it has, keeps the estimate when none came, ignores pongs it did not ask for", async () => {
    const time = new FakeTime(1_000);
    let lose = false;
    const server = serverWith(time, (i) => (lose || i === 0 ? null : 5));
    const clock = new ServerClock(server, { now: time.now, timers: time, timeoutMs: 500 });
    const first = clock.sync();
    await time.advance(1000);
    assert.equal((await first)?.samples, 19, "one ping of 20 was lost");
    const offset = clock.offset;

    lose = true;
    server.deliver({ t: 42, serverTime: 0 }); // not ours
    const second = clock.sync();
    await time.advance(1000);
    assert.equal(await second, null);
    assert.equal(clock.offset, offset);
  });

  it("estimates one round trip after start, then pings four times a second for a minute, then once, and not after stop()", async () => {
    const time = new FakeTime(1_000);
    const server = serverWith(time, () => 5);
    const clock = new ServerClock(server, { now: time.now, timers: time, burst: 4 });
    const syncs: number[] = [];
    clock.onSync(() => syncs.push(time.now()));
    clock.start();
    await time.advance(10);
    assert.deepEqual(syncs, [1010], "the first pong makes the first estimate");
    await time.advance(990);
    const pingsAt = (from: number, to: number) => server.pings.filter((t) => t >= from && t < to).length;
    assert.equal(pingsAt(1000, 1100), 4, "the burst");
    await time.advance(80_000);
    assert.equal(pingsAt(2000, 4000), 8, "warming up: four a second");
    assert.equal(pingsAt(71_000, 81_000), 10, "then one a second");
    clock.stop();
    const sent = server.pings.length;
    await time.advance(120_000);
    assert.equal(server.pings.length, sent);
    assert.deepEqual(time.waiting, []);
  });

  it("ends at once when nothing can be sent (not connected), and tries again on the next sync()", async () => {
    const time = new FakeTime(1_000);
    const server = serverWith(time, () => null);
    server.connected = false;
    const clock = new ServerClock(server, { now: time.now, timers: time, burst: 1 });
    assert.equal(await clock.sync(), null);
    server.connected = true;
    const next = clock.sync();
    assert.equal(server.pings.length, 1);
    await time.advance(5000);
    assert.equal(await next, null);
  });

  it("does not double a burst when sync() is called while one runs", async () => {
    const time = new FakeTime(1_000);
    const server = serverWith(time, () => 5);
    const clock = new ServerClock(server, { now: time.now, timers: time, burst: 5 });
    const a = clock.sync();
    const b = clock.sync();
    assert.equal(a, b);
    await time.advance(1000);
    assert.equal(server.pings.length, 5);
  });
});

describe("client > clock sync against the server", () => {
  describe("on one machine", () => {
    let session: JamSession | undefined;
    // Registered before the server fixture, so the session leaves before its room check.
    afterEach(async () => session?.leave());
    const server = useJamServer();

    it("syncs on join and finds an offset of about 0", async () => {
      session = await new JamClient(server.endpoint).create({ name: "Ann" });
      const estimate = await session.clock.ready();
      assert.equal(estimate.samples, 1, "the first pong makes the first estimate");
      assert.ok(estimate.errorMs >= estimate.rtt / 2, "a lone sample claims no better than half its round trip");
      assert.ok(Math.abs(estimate.offset) < 25, `offset ${estimate.offset} ms`);
      assert.ok(Math.abs(session.serverNow() - Date.now()) < 25);
    });
  });

  describe("with the server on a fake clock", () => {
    // The server's clock runs with real time, but `skew` (moved by hand) ahead of it.
    const skew = new ManualClock(2 * 3600_000);
    let session: JamSession | undefined;
    // Registered before the server fixture, so the session leaves before its room check.
    afterEach(async () => session?.leave());
    const server = useJamServer({ now: () => Date.now() + skew.now() });

    /** What the offset should be: the skew, plus how far this process' monotonic clock is from Date.now(). */
    const fakeOffset = () => skew.now() + (Date.now() - monotonicNow());

    it("finds the fake offset, and follows when the server clock jumps", async () => {
      session = await new JamClient(server.endpoint).create({ name: "Ann" });
      const estimate = await session.clock.ready();
      assert.ok(Math.abs(estimate.offset - fakeOffset()) < 25, `offset ${estimate.offset}, fake offset ${fakeOffset()}`);
      assert.ok(Math.abs(session.serverNow() - (Date.now() + skew.now())) < 25);
      assert.ok(estimate.rtt < 50, `rtt ${estimate.rtt}`);

      skew.advance(-90_000);
      const again = await session.clock.sync();
      assert.ok(again !== null);
      assert.ok(Math.abs(again.offset - fakeOffset()) < 25, `offset ${again.offset}, fake offset ${fakeOffset()}`);
    });
  });
});

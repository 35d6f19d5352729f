import assert from "node:assert/strict";
import { StepScheduler, type ScheduledStep, type TransportState } from "../../client/src";
import * as server from "../../src/rules/sequencer";
import { FakeTime } from "./fakeTime";
import { LEAD_IN, T0, synced } from "./syncedTransport";

/** A client on fake time whose clock reads the server's (offset 0) and whose state a test replaces; each step played notes the server time it was committed at. */
function client(state: TransportState, lookaheadMs?: number) {
  const time = new FakeTime(T0);
  const source = { state, serverNow: () => time.now() };
  const played: (ScheduledStep & { committedAt: number })[] = [];
  const scheduler = new StepScheduler(source, (step) => played.push({ ...step, committedAt: source.serverNow() }), {
    timers: time,
    lookaheadMs,
    tickMs: 10,
  });
  return { time, source, played, scheduler };
}

describe("client > step scheduler (fake time)", () => {
  const playing = server.play(server.stoppedTransport(120, 16), T0, LEAD_IN); // 125 ms steps

  it("plays every step once, in order, at most the lookahead before it starts", async () => {
    const { time, played, scheduler } = client(synced(playing, T0), 40);
    scheduler.start();
    await time.advance(2000);
    scheduler.stop();
    // Steps since the start, from each one's instant: 0, 1, 2, … with none missing or twice.
    const counts = played.map((s) => (s.at - playing.playStartedAt) / 125);
    assert.deepEqual(
      counts,
      Array.from({ length: counts.length }, (_, i) => i),
    );
    assert.ok(played.length >= 15, `${played.length} steps in 2 s at 125 ms`);
    for (const step of played) {
      assert.equal(step.step, ((step.at - playing.playStartedAt) / 125) % 16);
      const ahead = step.at - step.committedAt;
      assert.ok(ahead >= 0 && ahead <= 40, `committed ${ahead} ms ahead`);
    }
  });

  it("plays no step of the old tempo after nextAt when the change arrives 50 ms after the server took it", async () => {
    const { time, source, played, scheduler } = client(synced(playing, T0));
    scheduler.start();
    const changedAt = T0 + 1000; // nextAt is then exactly the lead-in away: the tightest case
    const waiting = server.setTempo(playing, changedAt, 90, LEAD_IN);
    await time.advance(changedAt + 50 - time.now());
    source.state = synced(waiting, changedAt);
    await time.advance(1500);
    scheduler.stop();
    const switched = played.filter((s) => s.at >= waiting.nextAt);
    assert.ok(switched.length > 5);
    assert.deepEqual(new Set(switched.map((s) => s.tempo)), new Set([90]));
    assert.deepEqual(new Set(played.filter((s) => s.at < waiting.nextAt).map((s) => s.tempo)), new Set([120]));
    assert.equal(switched[0]?.at, waiting.nextAt, "the first step of the new tempo starts exactly at nextAt");
  });

  it("neither repeats nor plays late when the clock estimate jumps", async () => {
    const { time, source, played, scheduler } = client(synced(playing, T0));
    let offset = 0;
    source.serverNow = () => time.now() + offset;
    scheduler.start();
    await time.advance(600);
    offset = -30; // the estimate moves back: the committed window is not played again
    await time.advance(600);
    offset = 200; // and forward: steps now past are skipped, not played late
    await time.advance(600);
    scheduler.stop();
    const instants = played.map((s) => s.at);
    assert.deepEqual(
      instants,
      [...new Set(instants)].sort((a, b) => a - b),
      "each step once, in order",
    );
    for (const step of played) assert.ok(step.at >= step.committedAt, "never in the past");
    assert.ok(instants.length < 18 - 1, "the steps the jump passed were skipped");
  });

  it("stops: no timer left, nothing played after", async () => {
    const { time, played, scheduler } = client(synced(playing, T0));
    scheduler.start();
    await time.advance(300);
    scheduler.stop();
    const before = played.length;
    assert.deepEqual(time.waiting, []);
    await time.advance(1000);
    assert.equal(played.length, before);
  });
});

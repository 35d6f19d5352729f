/** The network bench scenario's figures from recorded steps: what its report would show. */
import assert from "node:assert/strict";
import { type ScheduledStep, stepMs, upcomingSteps } from "../../client/src/sequencer";
import { claimFigures, driftFigures, joinFigures, stallFigures } from "../../bench/lib/networkFigures";
import { networkPlan } from "../../bench/lib/networkPlan";
import { type CommittedStep, pairFigures, type Segment, stepCounts, switchFigures, Timeline } from "../../bench/lib/networkSteps";
import * as server from "../../src/rules/sequencer";
import { LEAD_IN, T0, synced } from "../client/syncedTransport";

/** Steps as a scheduler commits them (40 ms ahead), each with the error `errorMs` gives it. */
function committed(
  steps: readonly ScheduledStep[],
  errorMs: (step: ScheduledStep, i: number) => number = () => 0,
  claimMs = 2,
): CommittedStep[] {
  return steps.map((step, i) => ({ ...step, committedAt: step.at - 40, errorMs: errorMs(step, i), claimMs }));
}

/** A jam playing at 120 from T0, then a change to 90 asked for 20 s in (past the loop's 16 steps). */
const playing = server.play(server.stoppedTransport(120, 16), T0, LEAD_IN);
const waiting = server.setTempo(playing, T0 + 20_000, 90, LEAD_IN);
const END = T0 + 30_000;
const segments: Segment[] = [
  { from: playing.leadInEndsAt, anchor: playing.playStartedAt, tempo: 120 },
  { from: waiting.nextAt, anchor: waiting.nextPlayStartedAt, tempo: 90 },
];
const timeline = new Timeline(segments);
/** The steps of `[from, until)` as a client holding the state the server sent at `from` schedules them. */
const stepsOf = (transport: server.Transport, from: number, until: number) => upcomingSteps(synced(transport, from), from, until, 100_000);
/** Every step of the run, as a client that heard of the change in time schedules them. */
const allSteps = [...stepsOf(playing, playing.leadInEndsAt, T0 + 20_010), ...stepsOf(waiting, T0 + 20_010, END)];

describe("bench > network figures > steps on the server's timeline", () => {
  it("pairs two musicians by the step, though the loop's step repeats within one play", () => {
    const atSwitch = allSteps.findIndex((step) => step.at === waiting.nextAt);
    assert.ok(atSwitch > 16);
    const a = committed(allSteps, () => 1);
    const b = committed(allSteps, () => -0.5);
    const pairs = pairFigures(timeline, a, b, []);
    assert.equal(pairs.paired, allSteps.length);
    assert.equal(pairs.apartMs.p95, 1.5);
    assert.equal(pairs.apartMs.max, 1.5);
    assert.equal(pairs.differentTempo, 0);
    const switches = switchFigures(timeline, a, b);
    assert.deepEqual([switches.changes, switches.sameStep, switches.serverStep], [1, 1, 1]);
    assert.equal(switches.each[0]?.server, atSwitch);
    assert.deepEqual(stepCounts(timeline, a), { steps: allSteps.length, skipped: 0, doubled: 0, wrongTempo: 0, gaps: [] });
  });

  it("leaves steps in a stall's window out of the instants apart, not out of the pairs", () => {
    const a = committed(allSteps, (step) => (step.at > T0 + 5_000 && step.at < T0 + 6_000 ? 20 : 0));
    const pairs = pairFigures(timeline, a, committed(allSteps), [{ from: T0 + 4_900, until: T0 + 6_000 }]);
    assert.equal(pairs.paired, allSteps.length);
    assert.ok(pairs.excluded >= 8);
    assert.equal(pairs.apartMs.max, 0);
  });

  it("a musician who heard of the change late: old-tempo steps past nextAt, a new step skipped, a late switch", () => {
    const late = waiting.nextAt + 300;
    const unaware = stepsOf(playing, playing.leadInEndsAt, late);
    const a = committed([...unaware, ...allSteps.filter((step) => step.at >= late)]);
    const b = committed(allSteps);
    // nextAt itself at 120 (an instant of the timeline, the wrong tempo), then +125 and +250 (no instant of it).
    const newStep = stepMs(90);
    assert.deepEqual(stepCounts(timeline, a), {
      steps: a.length,
      skipped: 1,
      doubled: 0,
      wrongTempo: 3,
      gaps: [{ at: waiting.nextAt + 2 * newStep, missing: 1 }],
    });
    const switches = switchFigures(timeline, a, b);
    assert.deepEqual([switches.sameStep, switches.serverStep], [0, 0]);
    assert.equal(switches.each[0]?.a, (switches.each[0]?.server ?? 0) + 2);
    assert.equal(pairFigures(timeline, a, b, []).differentTempo, 1);
  });

  it("counts a step scheduled twice", () => {
    const a = committed([...allSteps.slice(0, 10), allSteps[9] as ScheduledStep, ...allSteps.slice(10)]);
    assert.deepEqual(stepCounts(timeline, a), {
      steps: allSteps.length + 1,
      skipped: 0,
      doubled: 1,
      wrongTempo: 0,
      gaps: [{ at: allSteps[9]?.at ?? NaN, missing: 0 }],
    });
  });
});

describe("bench > network figures > over time", () => {
  it("a late join settles at its first step of 10 s within 3 ms; one that leaves sooner does not", () => {
    const joinedAt = T0 + 1_000;
    const steps = committed(
      allSteps.filter((step) => step.at > joinedAt + 500),
      (step) => (step.at < joinedAt + 1_500 ? 5 : 1),
    );
    const firstGood = steps.find((step) => step.errorMs === 1)?.committedAt ?? NaN;
    const join = { joinedAt, readyAt: joinedAt + 400, endedAt: joinedAt + 15_000, steps };
    const short = { ...join, endedAt: joinedAt + 8_000, steps: steps.filter((step) => step.committedAt < joinedAt + 8_000) };
    const figures = joinFigures([join, short]);
    assert.deepEqual([figures.joins, figures.settled], [2, 1]);
    assert.equal(figures.each[0]?.settleS, Math.round(firstGood - joinedAt) / 1000);
    assert.equal(figures.each[1]?.settleS, null);
    const lastOver = steps.filter((step) => step.errorMs === 5).at(-1)?.committedAt ?? NaN;
    assert.equal(figures.each[0]?.lastOverS, Math.round(lastOver - joinedAt) / 1000, "why a join settled when it did");
    assert.equal(figures.each[0]?.maxErrorMs, 5);
    assert.equal(figures.firstEstimateS.max, 0.4);
  });

  it("recovery from a stall: from its end until back within 3 ms for 10 s, and the worst error on the way", () => {
    const stall = { from: T0 + 5_000, until: T0 + 5_300 };
    const steps = committed(allSteps, (step) => (step.at > T0 + 5_400 && step.at < T0 + 6_000 ? 8 : 0.5));
    const back = steps.find((step) => step.at >= T0 + 6_000)?.committedAt ?? NaN;
    const calm = { from: T0 + 17_000, until: T0 + 17_300 };
    const figures = stallFigures(steps, [stall, calm], END);
    assert.equal(figures.recovered, 2);
    assert.equal(figures.each[0]?.recoveryS, Math.round(back - stall.until) / 1000);
    assert.equal(figures.each[1]?.recoveryS, 0, "never left 3 ms: back at once");
    assert.equal(figures.maxErrorMs, 8);
  });

  it("drift: minute medians and the fitted slope of a clock 50 ppm off", () => {
    const start = T0;
    const steps: CommittedStep[] = Array.from({ length: 3 * 60 * 8 }, (_, i) => {
      const at = start + i * 125;
      return { step: i % 16, at, tempo: 120, committedAt: at, errorMs: (at - start) * 50e-6, claimMs: 1 };
    });
    const figures = driftFigures(steps, start, [{ from: start + 30_000, until: start + 32_000 }]);
    assert.deepEqual(
      figures.byMinute.map((m) => m.minute),
      [1, 2, 3],
    );
    assert.equal(figures.byMinute[0]?.steps, 480 - 16, "the stall window's steps are left out");
    assert.ok(Math.abs(figures.slopePpm - 50) < 0.01, `slope ${figures.slopePpm} ppm`);
    assert.ok(Math.abs(figures.driftMs - 6) < 0.1, `drift ${figures.driftMs} ms`);
  });

  it("the claimed error against the actual: the share of steps within the claim", () => {
    const steps = committed(allSteps.slice(0, 10), (_, i) => (i < 3 ? 4 : 1), 2);
    steps.push({ ...steps[0], claimMs: NaN } as CommittedStep);
    const figures = claimFigures(steps);
    assert.equal(figures.claimed, 10);
    assert.equal(figures.withinClaimPct, 70);
    assert.equal(figures.errorMs.max, 4);
  });
});

describe("bench > network plan", () => {
  it("spreads 20 changes, stalls midway between two, joins in slots of their own; 1 and 10 minutes", () => {
    for (const minutes of [1, 10]) {
      const plan = networkPlan(minutes * 60_000);
      const every = plan.durationMs / 20;
      assert.equal(plan.tempoChanges.length, 20);
      assert.deepEqual(
        plan.tempoChanges.slice(0, 6).map((change) => change.tempo),
        [90, 120, 140, 120, 100, 120],
      );
      assert.equal(plan.stalls.length, minutes === 1 ? 4 : 5);
      for (const [j, at] of plan.stalls.entries()) {
        assert.equal(at % every, 0, "midway between two changes");
        assert.ok(at + 10_300 <= (plan.stalls[j + 1] ?? plan.durationMs), "room for its 10 s hold");
      }
      assert.equal(plan.joins.length, minutes === 1 ? 3 : 6);
      for (const [k, join] of plan.joins.entries()) assert.ok(join.leaveAt < (plan.joins[k + 1]?.at ?? plan.durationMs));
    }
  });
});

import assert from "node:assert/strict";
import fc from "fast-check";
import { JamClient, stepAt, stepDurationMs, transportOf, upcomingSteps, type JamSession, type TransportState } from "../../client/src";
import * as server from "../../src/rules/sequencer";
import { stateWhere } from "../../support/clients";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";
import { LEAD_IN, T0, synced } from "./syncedTransport";

/** The contract's formula, written out independently of both the server and the client module. */
function contractStep(state: TransportState, startsAt: number, startStep: number, now: number): number {
  if (!state.isPlaying) return state.currentStep;
  if (now < startsAt) return startStep;
  const switched = state.nextAt !== 0 && now >= state.nextAt;
  const [tempo, playStartedAt] = switched ? [state.nextTempo, state.nextPlayStartedAt] : [state.tempo, state.playStartedAt];
  const stepMs = 60000 / tempo / 4;
  return Math.floor((now - playStartedAt) / stepMs) % state.loopSteps;
}

type Op =
  | { kind: "play"; step?: number }
  | { kind: "seek"; step: number }
  | { kind: "tempo"; tempo: number }
  | { kind: "pause" }
  | { kind: "stop" };

const opArb = (loopSteps: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({ kind: fc.constant("play" as const) }),
    fc.record({ kind: fc.constant("play" as const), step: fc.integer({ min: 0, max: loopSteps - 1 }) }),
    fc.record({ kind: fc.constant("seek" as const), step: fc.integer({ min: 0, max: loopSteps - 1 }) }),
    fc.record({ kind: fc.constant("tempo" as const), tempo: fc.double({ min: 20, max: 300, noNaN: true }) }),
    fc.record({ kind: fc.constant("pause" as const) }),
    fc.record({ kind: fc.constant("stop" as const) }),
  );

function apply(t: server.Transport, op: Op, now: number): server.Transport {
  switch (op.kind) {
    case "play":
      return server.play(t, now, LEAD_IN, op.step);
    case "seek":
      return server.seek(t, now, LEAD_IN, op.step);
    case "tempo":
      return server.setTempo(t, now, op.tempo, LEAD_IN);
    case "pause":
      return server.pause(t, now);
    case "stop":
      return server.stop(t, now);
  }
}

interface History {
  tempo: number;
  loopSteps: number;
  ops: [Op, number, number][];
  probes: number[];
}

/**
 * A room's history: tempo, loop, and operations at increasing times, each followed by a patch
 * 0–50 ms later (the last one may leave a tempo change waiting: then the state carries `next…`).
 */
const historyArb: fc.Arbitrary<History> = fc
  .record({ tempo: fc.double({ min: 20, max: 300, noNaN: true }), loopSteps: fc.integer({ min: 4, max: 64 }) })
  .chain(({ tempo, loopSteps }) =>
    fc.record({
      tempo: fc.constant(tempo),
      loopSteps: fc.constant(loopSteps),
      ops: fc.array(
        fc.tuple(opArb(loopSteps), fc.double({ min: 0, max: 60_000, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true })),
        {
          minLength: 1,
          maxLength: 8,
        },
      ),
      // Where to look, after the last patch: up to 200 s on.
      probes: fc.array(fc.double({ min: 0, max: 200_000, noNaN: true }), { minLength: 1, maxLength: 20 }),
    }),
  );

function replay(history: History) {
  let transport = server.stoppedTransport(history.tempo, history.loopSteps);
  let now = T0;
  let patchAt = T0;
  for (const [op, gap, patchDelay] of history.ops) {
    now += gap;
    // As the room moves it: a tempo change whose instant has come is taken in first.
    transport = apply(server.settle(transport, now), op, now);
    patchAt = now + patchDelay;
  }
  return { transport, patchAt, state: synced(transport, patchAt) };
}

describe("client > sequencer maths (fake clock)", () => {
  it("is the server's own function: a state rebuilds the transport's step at every later time", () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const { transport, patchAt, state } = replay(history);
        for (const probe of history.probes) {
          const at = patchAt + probe;
          assert.equal(stepAt(state, at), server.currentStep(transport, at), `at +${probe} ms`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("matches the contract formula, lead-in included", () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const { transport, patchAt, state } = replay(history);
        for (const probe of history.probes) {
          const at = patchAt + probe;
          assert.equal(stepAt(state, at), contractStep(state, transport.leadInEndsAt, transport.restStep, at));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("rebuilds the lead-in from the state alone", () => {
    const playing = server.play(server.stoppedTransport(120, 16), T0, LEAD_IN, 5);
    const rebuilt = transportOf(synced(playing, T0 + 20));
    assert.equal(rebuilt.restStep, 5);
    assert.ok(Math.abs(rebuilt.leadInEndsAt - (T0 + LEAD_IN)) < 1e-6);
    const state = synced(playing, T0 + 20);
    assert.equal(stepAt(state, T0 + 50), 5, "holds the start step during the lead-in");
    assert.equal(stepAt(state, T0 + LEAD_IN + 1), 5);
    assert.equal(stepAt(state, T0 + LEAD_IN + 126), 6);
  });

  it("lists upcoming steps at the instants where the step changes, none in the lead-in", () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 5_000, noNaN: true }),
        (history, from, span) => {
          const { transport, patchAt, state } = replay(history);
          const a = patchAt + from;
          const b = a + span;
          const steps = upcomingSteps(state, a, b);
          if (!state.isPlaying) return assert.deepEqual(steps, []);
          const ms = stepDurationMs(state);
          const waiting = state.nextAt !== 0 && state.nextAt >= patchAt;
          const nextMs = waiting ? stepDurationMs({ tempo: state.nextTempo }) : ms;
          /** The length of the step that starts at `at`: the new tempo's from the switch on. */
          const lengthAt = (at: number) => (waiting && at >= state.nextAt ? nextMs : ms);
          // Every step boundary in the window, after the lead-in, is listed.
          const audible = b - Math.max(a, transport.leadInEndsAt);
          const expected = Math.max(0, Math.floor(audible / Math.max(ms, nextMs)) - 1);
          assert.ok(steps.length >= expected, `${steps.length} steps in ${audible} ms of ${ms} ms steps`);
          assert.ok(steps.length <= Math.ceil(span / Math.min(ms, nextMs)) + 1);
          for (const [i, { step, at }] of steps.entries()) {
            assert.ok(at >= a && at < b, "inside the window");
            assert.ok(at >= transport.leadInEndsAt - 1e-3, "not in the lead-in");
            assert.equal(step, stepAt(state, at + lengthAt(at) / 2), "the step that sounds from `at` on");
            assert.equal(step, server.currentStep(transport, at + lengthAt(at) / 2));
            const previous = steps[i - 1]?.at;
            if (previous !== undefined) assert.ok(Math.abs(at - previous - lengthAt(previous)) < 1e-3, "one step apart");
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("switches tempo exactly at nextAt: no step of the new tempo early, none of the old one late", () => {
    const waiting = server.setTempo(server.play(server.stoppedTransport(120, 16), T0, LEAD_IN), T0 + 1000, 75, LEAD_IN);
    const state = synced(waiting, T0 + 1010);
    const steps = upcomingSteps(state, T0 + 800, T0 + 2500);
    const atSwitch = steps.findIndex((s) => s.at === waiting.nextAt);
    assert.ok(atSwitch > 0, "a step starts exactly at nextAt");
    const gaps = steps.slice(1).map((s, i) => s.at - (steps[i]?.at ?? 0));
    assert.deepEqual(
      gaps.map((gap) => Math.round(gap)),
      gaps.map((_, i) => (i + 1 <= atSwitch ? 125 : 200)),
    );
    assert.deepEqual(
      steps.map((s) => s.step),
      steps.map((_, i) => ((steps[0]?.step ?? 0) + i) % 16),
      "the step count runs on",
    );
    assert.deepEqual(
      steps.map((s) => s.tempo),
      steps.map((_, i) => (i < atSwitch ? 120 : 75)),
      "each step names its tempo",
    );
  });

  it("neither repeats nor skips a step across consecutive windows (a lookahead loop)", () => {
    fc.assert(
      fc.property(historyArb, fc.array(fc.double({ min: 0, max: 400, noNaN: true }), { minLength: 1, maxLength: 30 }), (history, gaps) => {
        const { patchAt, state } = replay(history);
        let from = patchAt;
        const pieces = [];
        for (const gap of gaps) {
          pieces.push(...upcomingSteps(state, from, from + gap));
          from += gap;
        }
        assert.deepEqual(pieces, upcomingSteps(state, patchAt, from, 100_000));
      }),
      { numRuns: 300 },
    );
  });

  it("is empty when stopped, and keeps the resting step", () => {
    const paused = server.pause(server.play(server.stoppedTransport(90, 12), T0, LEAD_IN, 3), T0 + 2000);
    const state = synced(paused, T0 + 2010);
    assert.deepEqual(upcomingSteps(state, T0, T0 + 60_000), []);
    assert.equal(stepAt(state, T0 + 99_999), state.currentStep);
  });
});

/** The transport fields of a synced state as they are now (the state object keeps changing). */
function snapshotOf(state: TransportState): TransportState {
  const { tempo, loopSteps, isPlaying, playStartedAt, currentStep, nextTempo, nextPlayStartedAt, nextAt } = state;
  return { tempo, loopSteps, isPlaying, playStartedAt, currentStep, nextTempo, nextPlayStartedAt, nextAt };
}

describe("client > sequencer against the server on a fake clock", () => {
  const clock = new ManualClock(T0);
  let session: JamSession | undefined;
  // Registered before the server fixture, so the session leaves before its room check.
  afterEach(async () => session?.leave());
  const jam = useJamServer({ now: clock.now, playLeadInMs: LEAD_IN });

  /** Moves the server's clock and resolves with the next patch's state. */
  async function at(time: number) {
    clock.time = time;
    const open = session;
    assert.ok(open !== undefined, "a session is open");
    const before = open.state.currentStep;
    // A patch goes out every 50 ms; currentStep is recomputed before each.
    await new Promise((resolve) => setTimeout(resolve, 120));
    return { before, state: open.state };
  }

  it("predicts every step the server reaches, from the state of the play patch", async () => {
    session = await new JamClient(jam.endpoint, { clock: false }).create({ name: "Ann", tempo: 150, loopSteps: 8 });
    session.play(6);
    const anchored = await stateWhere(session, (s) => s.isPlaying);
    const snapshot = snapshotOf(anchored);
    assert.equal(snapshot.currentStep, 6);
    const ms = stepDurationMs(snapshot); // 100 ms
    const planned = upcomingSteps(snapshot, T0, T0 + 12 * ms);
    assert.deepEqual(
      planned.map((s) => s.step),
      [6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0],
      "the lead-in's steps are not planned",
    );
    assert.equal(planned[0]?.at, T0 + LEAD_IN);
    for (const { step, at: startsAt } of planned) {
      const { state } = await at(startsAt + ms / 2);
      assert.equal(state.currentStep, step, `server at ${startsAt + ms / 2 - T0} ms`);
      assert.equal(stepAt(snapshot, clock.time), step);
    }
  });

  it("follows a tempo change from the state that announces it, before and after it lands", async () => {
    session = await new JamClient(jam.endpoint, { clock: false }).create({ name: "Ann", tempo: 120, loopSteps: 16 });
    clock.time = T0;
    session.play(0);
    await stateWhere(session, (s) => s.isPlaying);
    await at(T0 + 1000);
    session.tempo(90);
    const announced = await stateWhere(session, (s) => s.nextTempo === 90);
    const snapshot = snapshotOf(announced);
    assert.deepEqual([snapshot.tempo, snapshot.nextAt > T0 + 1000 + LEAD_IN - 1], [120, true]);
    const landed = await at(snapshot.nextAt + 1);
    assert.deepEqual([landed.state.tempo, landed.state.nextTempo, landed.state.nextAt], [90, 0, 0]);
    for (const later of [1, 333, 1234, 9876]) {
      const { state } = await at(T0 + 1000 + later);
      assert.equal(state.currentStep, stepAt(snapshot, clock.time), `${later} ms after the change`);
    }
  });
});

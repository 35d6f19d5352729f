/**
 * The contract's "Tempo changes land on a step", as the pure sequencer rule: a change while playing
 * waits for the first step boundary at least the lead-in away, announced in `next…`, and the step
 * count runs on without a jump when it takes over.
 */
import assert from "node:assert/strict";
import {
  currentStep,
  pause,
  play,
  seek,
  setTempo,
  settle,
  stepMs,
  stop,
  stoppedTransport,
  type Transport,
} from "../../src/rules/sequencer";

const T0 = 1_700_000_000_000;
const LEAD_IN = 100;

/** Started at T0 from step 0: step 0 begins at T0 + LEAD_IN. */
function playingFromZero(tempo = 120, loopSteps = 16): Transport {
  return play(stoppedTransport(tempo, loopSteps), T0, LEAD_IN);
}

/** Half-way through step 5 at 120 BPM (125 ms steps). */
const MID_STEP_5 = T0 + LEAD_IN + 5.5 * 125;

describe("sequencer > a tempo change", () => {
  it("applies at once while stopped", () => {
    const resting = seek(stoppedTransport(120, 16), T0, LEAD_IN, 4);
    const t = setTempo(resting, T0, 90, LEAD_IN);
    assert.deepEqual([t.tempo, t.isPlaying, t.playStartedAt, t.nextTempo, t.nextAt], [90, false, 0, 0, 0]);
    assert.equal(currentStep(t, T0 + 1000), 4);
  });

  it("while playing, waits for the first step boundary at least the lead-in away", () => {
    const t = playingFromZero();
    const slower = setTempo(t, MID_STEP_5, 60, LEAD_IN);
    // 5.5 steps + 100 ms = 6.3 steps in: the boundary is the start of step 7.
    assert.deepEqual([slower.tempo, slower.playStartedAt], [120, t.playStartedAt], "the running values hold");
    assert.equal(slower.nextTempo, 60);
    assert.equal(slower.nextAt, T0 + LEAD_IN + 7 * 125);
    assert.equal(slower.nextPlayStartedAt, slower.nextAt - 7 * 250);
    assert.equal(currentStep(slower, slower.nextAt - 1), 6);
    assert.equal(currentStep(slower, slower.nextAt + 1), 7);
    assert.equal(currentStep(slower, slower.nextAt + 240), 7, "step 7 lasts a 60 BPM step");
    assert.equal(currentStep(slower, slower.nextAt + 260), 8);
  });

  it("never skips nor repeats a step across the switch", () => {
    const t = playingFromZero(97, 16);
    const changed = setTempo(t, t.playStartedAt + (16 * 40 + 9.7) * stepMs(97), 233, LEAD_IN);
    let previous = currentStep(changed, changed.nextAt - 3 * stepMs(97));
    const seen: number[] = [previous];
    for (let now = changed.nextAt - 3 * stepMs(97); now < changed.nextAt + 5 * stepMs(233); now += 0.5) {
      const step = currentStep(changed, now);
      if (step !== previous) seen.push(step);
      previous = step;
    }
    const expected = Array.from({ length: seen.length }, (_, i) => ((seen[0] ?? 0) + i) % 16);
    assert.deepEqual(seen, expected);
    assert.ok(seen.length >= 8, `${seen.length} steps seen`);
  });

  it("anchors the new timeline within a loop of the switch, however long it played", () => {
    const t = playingFromZero(97, 16);
    const changed = setTempo(t, t.playStartedAt + (16 * 5000 + 3.2) * stepMs(97), 140, LEAD_IN);
    assert.ok(changed.nextAt - changed.nextPlayStartedAt < 16 * stepMs(140));
    // 3.2 steps in plus a lead-in of 0.65 steps: the switch is at step 4 of the loop.
    assert.equal(currentStep(changed, changed.nextAt + 0.5 * stepMs(140)), 4);
  });

  it("is replaced by a further change before it lands; asking for the running tempo drops it", () => {
    const first = setTempo(playingFromZero(), MID_STEP_5, 60, LEAD_IN);
    const second = setTempo(first, MID_STEP_5 + 10, 90, LEAD_IN);
    assert.deepEqual([second.tempo, second.nextTempo, second.nextAt], [120, 90, first.nextAt]);
    const dropped = setTempo(second, MID_STEP_5 + 20, 120, LEAD_IN);
    assert.deepEqual([dropped.tempo, dropped.nextTempo, dropped.nextPlayStartedAt, dropped.nextAt], [120, 0, 0, 0]);
  });

  it("counts a change whose instant has passed as running when the next one comes", () => {
    const first = setTempo(playingFromZero(), MID_STEP_5, 60, LEAD_IN);
    const later = first.nextAt + 3.5 * 250; // step 10, at 60 BPM
    const second = setTempo(first, later, 180, LEAD_IN);
    assert.deepEqual([second.tempo, second.playStartedAt], [60, first.nextPlayStartedAt]);
    assert.equal(second.nextAt, first.nextAt + 4 * 250, "the boundary of step 11 on the 60 BPM timeline");
  });

  it("lands on the start step's successor when asked for during a play's lead-in", () => {
    const t = play(stoppedTransport(120, 16), T0, LEAD_IN, 4);
    const slower = setTempo(t, T0 + 50, 60, LEAD_IN);
    // The start step (4) begins at T0 + 100 at 120 BPM; the first boundary from T0 + 150 on is step 5's.
    assert.equal(slower.nextAt, T0 + LEAD_IN + 125);
    assert.equal(currentStep(slower, T0 + 99), 4);
    assert.equal(currentStep(slower, T0 + LEAD_IN + 124), 4);
    assert.equal(currentStep(slower, T0 + LEAD_IN + 125 + 249), 5);
    assert.equal(currentStep(slower, T0 + LEAD_IN + 125 + 251), 6);
  });

  for (const [name, drop] of [
    ["pause", (t: Transport, now: number) => pause(t, now)],
    ["stop", (t: Transport, now: number) => stop(t, now)],
    ["seek", (t: Transport, now: number) => seek(t, now, LEAD_IN, 2)],
  ] as const) {
    it(`is dropped by ${name} before it lands, the running tempo staying`, () => {
      const waiting = setTempo(playingFromZero(), MID_STEP_5, 60, LEAD_IN);
      const after = drop(waiting, MID_STEP_5 + 10);
      assert.deepEqual([after.tempo, after.nextTempo, after.nextPlayStartedAt, after.nextAt], [120, 0, 0, 0]);
    });
  }

  it("is kept by a pause after it landed", () => {
    const waiting = setTempo(playingFromZero(), MID_STEP_5, 60, LEAD_IN);
    const paused = pause(waiting, waiting.nextAt + 1.5 * 250);
    assert.deepEqual([paused.tempo, paused.nextAt, paused.restStep], [60, 0, 8]);
  });

  it("takes over in settle from its instant on, not before", () => {
    const waiting = setTempo(playingFromZero(), MID_STEP_5, 60, LEAD_IN);
    assert.equal(settle(waiting, waiting.nextAt - 0.001), waiting);
    const settled = settle(waiting, waiting.nextAt);
    assert.deepEqual(
      [settled.tempo, settled.playStartedAt, settled.nextTempo, settled.nextPlayStartedAt, settled.nextAt],
      [60, waiting.nextPlayStartedAt, 0, 0, 0],
    );
  });
});

import assert from "node:assert/strict";
import { currentStep, pause, play, seek, setTempo, stepMs, stop, stoppedTransport, type Transport } from "../../src/rules/sequencer";

// A realistic server clock (ms since epoch) so float behaviour matches production.
const T0 = 1_700_000_000_000;
const LEAD_IN = 100;

/** The contract's formula, written independently of the module under test. */
function formulaStep(playStartedAt: number, tempo: number, loopSteps: number, now: number): number {
  const ms = 60000 / tempo / 4;
  return Math.floor((now - playStartedAt) / ms) % loopSteps;
}

/** A transport started at T0 from step 0 at `tempo`: step 0 begins at T0 + LEAD_IN. */
function playingFromZero(tempo = 120, loopSteps = 16): Transport {
  return play(stoppedTransport(tempo, loopSteps), T0, LEAD_IN);
}

describe("sequencer > stepMs", () => {
  it("makes a step a sixteenth note: 125 ms at 120 BPM", () => {
    assert.equal(stepMs(120), 125);
  });

  it("is 50 ms at the fastest tempo (300 BPM) and 750 ms at the slowest (20 BPM)", () => {
    assert.equal(stepMs(300), 50);
    assert.equal(stepMs(20), 750);
  });
});

describe("sequencer > stoppedTransport", () => {
  it("starts stopped on step 0 with playStartedAt 0", () => {
    const t = stoppedTransport(120, 16);
    assert.equal(t.isPlaying, false);
    assert.equal(t.playStartedAt, 0);
    assert.equal(t.tempo, 120);
    assert.equal(t.loopSteps, 16);
    assert.equal(currentStep(t, T0), 0);
  });
});

describe("sequencer > currentStep", () => {
  it("follows floor((now - playStartedAt) / stepMs) mod loopSteps while playing", () => {
    const t = playingFromZero(120, 16);
    for (const stepsIn of [0.5, 1.5, 7.5, 15.5, 16.5, 40.25, 1000.75]) {
      const now = t.playStartedAt + stepsIn * 125;
      assert.equal(currentStep(t, now), formulaStep(t.playStartedAt, 120, 16, now), `at ${stepsIn} steps in`);
    }
  });

  it("wraps around from the last step of the loop to step 0", () => {
    const t = playingFromZero(120, 16);
    assert.equal(currentStep(t, t.playStartedAt + 15.5 * 125), 15);
    assert.equal(currentStep(t, t.playStartedAt + 16.5 * 125), 0);
    assert.equal(currentStep(t, t.playStartedAt + 17.5 * 125), 1);
    assert.equal(currentStep(t, t.playStartedAt + 33.5 * 125), 1);
  });

  it("changes step exactly at a step boundary", () => {
    const t = playingFromZero(120, 16);
    // stepMs = 125 is exact in binary, so the boundary is exact too.
    assert.equal(currentStep(t, t.playStartedAt + 3 * 125 - 1), 2);
    assert.equal(currentStep(t, t.playStartedAt + 3 * 125), 3);
  });

  it("wraps at a loop of 4 steps and at a loop of 64 steps", () => {
    const short = playingFromZero(120, 4);
    assert.equal(currentStep(short, short.playStartedAt + 3.5 * 125), 3);
    assert.equal(currentStep(short, short.playStartedAt + 4.5 * 125), 0);
    const long = playingFromZero(120, 64);
    assert.equal(currentStep(long, long.playStartedAt + 63.5 * 125), 63);
    assert.equal(currentStep(long, long.playStartedAt + 64.5 * 125), 0);
  });
});

describe("sequencer > play", () => {
  it("holds the start step during the lead-in and starts it at now + leadIn", () => {
    const t = play(stoppedTransport(120, 16), T0, LEAD_IN);
    assert.equal(t.isPlaying, true);
    assert.equal(t.playStartedAt, T0 + LEAD_IN);
    assert.equal(currentStep(t, T0), 0);
    assert.equal(currentStep(t, T0 + 50), 0);
    assert.equal(currentStep(t, T0 + LEAD_IN + 62.5), 0);
  });

  it("advances one step per stepMs once the lead-in is over", () => {
    const t = play(stoppedTransport(120, 16), T0, LEAD_IN);
    assert.equal(currentStep(t, T0 + LEAD_IN + 1.5 * 125), 1);
    assert.equal(currentStep(t, T0 + LEAD_IN + 2.5 * 125), 2);
    assert.equal(currentStep(t, T0 + LEAD_IN + 9.5 * 125), 9);
  });

  it("starts from an explicit step, holding it through the lead-in", () => {
    const t = play(stoppedTransport(120, 16), T0, LEAD_IN, 6);
    assert.equal(currentStep(t, T0 + 1), 6);
    assert.equal(currentStep(t, T0 + 99), 6);
    assert.equal(currentStep(t, T0 + LEAD_IN + 0.5 * 125), 6);
    assert.equal(currentStep(t, T0 + LEAD_IN + 1.5 * 125), 7);
  });

  it("anchors playStartedAt where step 0 of that timeline would fall", () => {
    const t = play(stoppedTransport(120, 16), T0, LEAD_IN, 6);
    assert.equal(t.playStartedAt, T0 + LEAD_IN - 6 * 125);
    const now = T0 + LEAD_IN + 4.5 * 125;
    assert.equal(currentStep(t, now), formulaStep(t.playStartedAt, 120, 16, now));
  });

  it("starts from the step the transport rests on when no step is given", () => {
    const resting = seek(stoppedTransport(120, 16), T0, LEAD_IN, 11);
    const t = play(resting, T0 + 1000, LEAD_IN);
    assert.equal(currentStep(t, T0 + 1050), 11);
    assert.equal(currentStep(t, T0 + 1000 + LEAD_IN + 0.5 * 125), 11);
    assert.equal(currentStep(t, T0 + 1000 + LEAD_IN + 1.5 * 125), 12);
  });

  it("starts at once when the lead-in is 0", () => {
    const t = play(stoppedTransport(120, 16), T0, 0, 3);
    assert.equal(currentStep(t, T0), 3);
    assert.equal(currentStep(t, T0 + 1.5 * 125), 4);
  });

  it("changes nothing when already playing and no step is given", () => {
    const t = playingFromZero();
    const again = play(t, T0 + 5000, LEAD_IN);
    assert.deepEqual(again, t);
    const now = T0 + 5000 + 0.5 * 125;
    assert.equal(currentStep(again, now), currentStep(t, now));
  });

  it("jumps to an explicit step when already playing, after a new lead-in", () => {
    const t = playingFromZero();
    const now = T0 + LEAD_IN + 5.5 * 125; // on step 5
    const jumped = play(t, now, LEAD_IN, 12);
    assert.equal(jumped.isPlaying, true);
    assert.equal(currentStep(jumped, now + 50), 12);
    assert.equal(currentStep(jumped, now + LEAD_IN + 0.5 * 125), 12);
    assert.equal(currentStep(jumped, now + LEAD_IN + 1.5 * 125), 13);
  });

  it("does not modify the transport it was given", () => {
    const t = stoppedTransport(120, 16);
    play(t, T0, LEAD_IN, 4);
    assert.equal(t.isPlaying, false);
    assert.equal(t.playStartedAt, 0);
  });
});

describe("sequencer > pause", () => {
  it("stops the transport and keeps the step it was on", () => {
    const t = playingFromZero();
    const paused = pause(t, T0 + LEAD_IN + 5.5 * 125);
    assert.equal(paused.isPlaying, false);
    assert.equal(paused.playStartedAt, 0);
    assert.equal(currentStep(paused, T0 + LEAD_IN + 5.5 * 125), 5);
  });

  it("stays on that step however much time passes", () => {
    const paused = pause(playingFromZero(), T0 + LEAD_IN + 5.5 * 125);
    assert.equal(currentStep(paused, T0 + 3_600_000), 5);
  });

  it("keeps the start step when paused during the lead-in", () => {
    const t = play(stoppedTransport(120, 16), T0, LEAD_IN, 9);
    const paused = pause(t, T0 + 40);
    assert.equal(currentStep(paused, T0 + 10_000), 9);
  });

  it("resumes from the paused step on the next play", () => {
    const paused = pause(playingFromZero(), T0 + LEAD_IN + 5.5 * 125);
    const resumed = play(paused, T0 + 10_000, LEAD_IN);
    assert.equal(currentStep(resumed, T0 + 10_000 + 50), 5);
    assert.equal(currentStep(resumed, T0 + 10_000 + LEAD_IN + 1.5 * 125), 6);
  });

  it("changes nothing when already stopped", () => {
    const resting = seek(stoppedTransport(120, 16), T0, LEAD_IN, 7);
    assert.deepEqual(pause(resting, T0 + 500), resting);
  });
});

describe("sequencer > stop", () => {
  it("stops the transport, rewinds to step 0 and resets playStartedAt to 0", () => {
    const t = playingFromZero();
    const stopped = stop(t, T0 + LEAD_IN + 5.5 * 125);
    assert.equal(stopped.isPlaying, false);
    assert.equal(stopped.playStartedAt, 0);
    assert.equal(currentStep(stopped, T0 + LEAD_IN + 5.5 * 125), 0);
  });

  it("rewinds a stopped transport resting on another step to 0", () => {
    const resting = seek(stoppedTransport(120, 16), T0, LEAD_IN, 7);
    assert.equal(currentStep(stop(resting, T0), T0), 0);
  });

  it("makes the next play start from step 0", () => {
    const t = play(stoppedTransport(120, 16), T0, LEAD_IN, 10);
    const again = play(stop(t, T0 + 5000), T0 + 5000, LEAD_IN);
    assert.equal(currentStep(again, T0 + 5000 + LEAD_IN + 0.5 * 125), 0);
  });
});

describe("sequencer > seek", () => {
  it("moves a stopped transport without starting it", () => {
    const t = seek(stoppedTransport(120, 16), T0, LEAD_IN, 9);
    assert.equal(t.isPlaying, false);
    assert.equal(t.playStartedAt, 0);
    assert.equal(currentStep(t, T0), 9);
    assert.equal(currentStep(t, T0 + 60_000), 9);
  });

  it("while playing, holds the new step through a lead-in and then plays on from it", () => {
    const t = playingFromZero();
    const now = T0 + LEAD_IN + 5.5 * 125;
    const moved = seek(t, now, LEAD_IN, 2);
    assert.equal(moved.isPlaying, true);
    assert.equal(currentStep(moved, now + 1), 2);
    assert.equal(currentStep(moved, now + LEAD_IN + 0.5 * 125), 2);
    assert.equal(currentStep(moved, now + LEAD_IN + 1.5 * 125), 3);
    assert.equal(moved.playStartedAt, now + LEAD_IN - 2 * 125);
  });
});

describe("sequencer > long runs", () => {
  it("is still on the formula's step after 10 hours at 300 BPM", () => {
    const t = playingFromZero(300, 16);
    const tenHours = 10 * 60 * 60 * 1000;
    const now = t.playStartedAt + tenHours + 3.5 * 50; // 720 000 steps (45 000 loops) and 3.5 more
    assert.equal(currentStep(t, now), formulaStep(T0 + LEAD_IN, 300, 16, now));
    assert.equal(currentStep(t, now), 3);
  });

  it("does not drift when the same tempo is re-sent every minute for 10 hours at 300 BPM", () => {
    const original = playingFromZero(300, 16);
    let t = original;
    for (let minute = 1; minute <= 600; minute++) {
      // 7 ms into a minute is 7 ms into a 50 ms step: well inside it.
      t = setTempo(t, original.playStartedAt + minute * 60_000 + 7, 300, LEAD_IN);
    }
    for (const stepsIn of [0.5, 3.5, 11.5]) {
      const now = original.playStartedAt + 10 * 60 * 60 * 1000 + 60_000 + stepsIn * 50;
      assert.equal(currentStep(t, now), formulaStep(original.playStartedAt, 300, 16, now), `at ${stepsIn} steps in`);
    }
  });

  it("keeps an awkward tempo (133 BPM) on the formula's step after 10 hours", () => {
    const t = playingFromZero(133, 16);
    const ms = 60000 / 133 / 4;
    const steps = Math.floor((10 * 60 * 60 * 1000) / ms) + 5;
    const now = t.playStartedAt + (steps + 0.5) * ms;
    assert.equal(currentStep(t, now), formulaStep(T0 + LEAD_IN, 133, 16, now));
    assert.equal(currentStep(t, now), steps % 16);
  });
});

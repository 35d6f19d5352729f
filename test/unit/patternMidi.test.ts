/** A jam's pattern exported as one loop, read back by other parsers (see helpers/midiFile). */
import assert from "node:assert/strict";
import { patternMidi } from "../../src/export/patternMidi";
import type { SavedStep, SavedTrack } from "../../src/storage/jamStore";
import { type HeardFile, noteLines, readMidi } from "../helpers/midiFile";

const rest: SavedStep = { on: false, note: 60, velocity: 100 };

/** A track of `length` steps, those in `on` struck with their note and velocity. */
function track(instrument: string, length: number, on: Record<number, [note: number, velocity: number]>): SavedTrack {
  const steps = Array.from({ length }, (_, i): SavedStep => {
    const struck = on[i];
    return struck === undefined ? rest : { on: true, note: struck[0], velocity: struck[1] };
  });
  return { id: `t-${instrument}`, instrument, createdBy: "Ann", steps };
}

const line = (tick: number, note: number, velocity: number, length: number, channel = 1) =>
  `tick ${tick} note ${note} vel ${velocity} len ${length} ch ${channel}`;

describe("export > the pattern as a MIDI loop", () => {
  let file: HeardFile;
  before(() => {
    file = readMidi(
      patternMidi({
        settings: { tempo: 97.5, loopSteps: 8 },
        tracks: [
          track("drums", 8, { 0: [36, 110], 4: [38, 90] }),
          // Two steps in a row of one pitch: two notes, the second struck as the first ends.
          track("Zoë's keys 🎹", 8, { 1: [60, 80], 2: [60, 81], 7: [72, 127] }),
          track("bass", 8, {}),
          // Steps past the loop (a longer row than loopSteps) are not in it.
          track("pad", 12, { 3: [50, 64], 9: [52, 64] }),
        ],
      }),
    );
  });

  it("is format 1 at 480 ticks a quarter with the tempo first, then a track per pattern track named with its instrument", () => {
    assert.equal(file.format, 1);
    assert.equal(file.ticksPerQuarter, 480);
    // 97.5 BPM: 615384.6 µs a quarter, kept whole.
    assert.deepEqual(file.tempos, [{ tick: 0, microsecondsPerQuarter: 615385 }]);
    assert.deepEqual(
      file.tracks.map((t) => t.name),
      ["", "drums", "Zoë's keys 🎹", "bass", "pad"],
    );
    assert.deepEqual(file.tracks[0]?.notes, []);
  });

  it("sounds each step that is on at step × 120 ticks for 120 ticks, with its note and velocity; drums on channel 10", () => {
    assert.deepEqual(noteLines(file.tracks[1]), [line(0, 36, 110, 120, 10), line(480, 38, 90, 120, 10)]);
    assert.deepEqual(noteLines(file.tracks[2]), [line(120, 60, 80, 120), line(240, 60, 81, 120), line(840, 72, 127, 120)]);
    assert.deepEqual(noteLines(file.tracks[3]), []);
    assert.deepEqual(noteLines(file.tracks[4]), [line(360, 50, 64, 120)]);
  });

  it("is one loop long: every track ends at loopSteps × 120 ticks", () => {
    assert.deepEqual(
      file.tracks.map((t) => t.endTick),
      [960, 960, 960, 960, 960],
    );
  });

  it("exports a pattern without tracks as the tempo track alone", () => {
    const empty = readMidi(patternMidi({ settings: { tempo: 120, loopSteps: 16 }, tracks: [] }));
    assert.deepEqual(empty.tempos, [{ tick: 0, microsecondsPerQuarter: 500000 }]);
    assert.deepEqual(
      empty.tracks.map((t) => [t.name, t.notes.length, t.endTick]),
      [["", 0, 1920]],
    );
  });
});

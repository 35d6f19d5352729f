/**
 * A recording exported as a Standard MIDI File, read back by other parsers (see helpers/midiFile):
 * every note's tick, pitch, velocity, length and channel, the tempo map and the tracks.
 *
 * Most recordings here are at 125 BPM, where a quarter (480 ticks) lasts 480 ms: one tick per ms,
 * so an expected tick reads as the time the note was played.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { recordingMidi } from "../../src/export/recordingMidi";
import type { RecordedEvent, Recording } from "../../src/storage/jamStore";
import { finish } from "../../src/timeSlices";
import { noteLines, readMidi } from "../helpers/midiFile";

const START = 1_800_000_000_000;
/** µs per quarter at 125, 62.5 and 250 BPM. */
const [AT_125, AT_62_5, AT_250] = [480_000, 960_000, 240_000];

interface Touch {
  /** ms from the start; absent: no `at` sent. */
  at?: number;
  velocity?: number;
  instrument?: string;
}

/** A note event received `ms` after the start. */
function key(on: boolean, ms: number, musician: string, note: number, touch: Touch = {}): RecordedEvent {
  const event: RecordedEvent = {
    kind: "note",
    receivedAt: START + ms,
    musician,
    instrument: touch.instrument ?? "keys",
    note,
    velocity: on ? (touch.velocity ?? 100) : 0,
    on,
  };
  return touch.at === undefined ? event : { ...event, at: START + touch.at };
}
const down = (ms: number, musician: string, note: number, touch?: Touch) => key(true, ms, musician, note, touch);
const up = (ms: number, musician: string, note: number, touch?: Touch) => key(false, ms, musician, note, touch);
const tempo = (ms: number, bpm: number): RecordedEvent => ({ kind: "tempo", at: START + ms, tempo: bpm });

function exported(events: RecordedEvent[], over: Partial<Recording> = {}) {
  const recording: Recording = { id: 1, startedAt: START, durationMs: 10_000, notes: 0, musicians: [], tempo: 125, events, ...over };
  return readMidi(finish(recordingMidi(recording)));
}

const line = (tick: number, note: number, velocity: number, length: number, channel = 1) =>
  `tick ${tick} note ${note} vel ${velocity} len ${length} ch ${channel}`;

describe("export > a recording as a MIDI file", () => {
  it("is format 1 at 480 ticks a quarter: the tempo track, then a track per musician, named, in the order they first played", () => {
    const file = exported([
      up(50, "Cy", 60), // an end with nothing sounding: Cy never played
      down(100, "Zoë 🎛️", 60, { at: 400 }),
      down(150, "李", 62),
      down(200, "Ann", 64, { at: 120 }), // sounds before Zoë's note, but was played after it
      up(300, "李", 62),
      up(500, "Zoë 🎛️", 60),
      up(600, "Ann", 64),
    ]);
    assert.equal(file.format, 1);
    assert.equal(file.ticksPerQuarter, 480);
    assert.deepEqual(file.tempos, [{ tick: 0, microsecondsPerQuarter: AT_125 }]);
    assert.deepEqual(
      file.tracks.map((track) => track.name),
      ["", "Zoë 🎛️", "李", "Ann"],
    );
    assert.deepEqual(file.tracks[0]?.notes, []);
    assert.deepEqual(noteLines(file.tracks[1]), [line(400, 60, 100, 100)]);
    assert.deepEqual(noteLines(file.tracks[2]), [line(150, 62, 100, 150)]);
    assert.deepEqual(noteLines(file.tracks[3]), [line(120, 64, 100, 480)]);
  });

  it("sounds a note at its `at` when that lies within 2 s of its receipt, otherwise at its receipt", () => {
    const file = exported([
      down(3000, "Ann", 60, { at: 4500 }),
      up(3100, "Ann", 60, { at: 4600 }),
      down(3000, "Ann", 61, { at: 5001 }), // 2001 ms off: its receipt counts
      up(3100, "Ann", 61, { at: 5101 }),
      down(5000, "Ann", 62, { at: 3000, velocity: 7 }), // exactly 2 s early: still its `at`
      up(5050, "Ann", 62, { at: 3050 }),
      down(6000, "Ann", 63, { velocity: 127 }), // no `at`
      up(6200, "Ann", 63),
    ]);
    assert.deepEqual(noteLines(file.tracks[1]), [
      line(3000, 61, 100, 100),
      line(3000, 62, 7, 50),
      line(4500, 60, 100, 100),
      line(6000, 63, 127, 200),
    ]);
  });

  it("ends a note with on:false or with the next note of that pitch from the same musician, not from another", () => {
    const file = exported([
      down(1000, "Ann", 60, { velocity: 90 }),
      down(1100, "Bob", 60),
      up(1200, "Ann", 62), // nothing of that pitch sounds
      down(1300, "Ann", 60, { velocity: 91 }), // ends the first, and sounds itself
      up(1500, "Ann", 60),
      up(1600, "Ann", 60), // ends nothing: already ended
      up(1700, "Bob", 60),
    ]);
    assert.deepEqual(noteLines(file.tracks[1]), [line(1000, 60, 90, 300), line(1300, 60, 91, 200)]);
    assert.deepEqual(noteLines(file.tracks[2]), [line(1100, 60, 100, 600)]);
  });

  it("hears a key let go and struck again at one instant as a new note, and a key struck twice at once as a note of no length and a new one", () => {
    const file = exported([
      down(1000, "Ann", 60),
      down(1200, "Ann", 60, { velocity: 80 }), // received just before the note-off of the same instant
      up(1200, "Ann", 60),
      up(1300, "Ann", 60),
      down(2000, "Ann", 62, { velocity: 70 }),
      down(2000, "Ann", 62, { velocity: 71 }),
      up(2100, "Ann", 62),
    ]);
    assert.deepEqual(noteLines(file.tracks[1]), [
      line(1000, 60, 100, 200),
      line(1200, 60, 80, 100),
      line(2000, 62, 70, 0),
      line(2000, 62, 71, 100),
    ]);
  });

  it("gives a note not ended within 2 s one step: a 16th (120 ms at 125 BPM)", () => {
    const file = exported([
      down(1000, "Ann", 60),
      up(3001, "Ann", 60), // 2001 ms later: too late to end it
      down(1000, "Ann", 62),
      up(3000, "Ann", 62), // exactly 2 s: ends it
      down(1000, "Ann", 65),
      down(3500, "Ann", 65), // a new note 2.5 s later: the first had lasted a step
      up(3600, "Ann", 65),
      down(4000, "Ann", 64), // never ended
    ]);
    assert.deepEqual(noteLines(file.tracks[1]), [
      line(1000, 60, 100, 120),
      line(1000, 62, 100, 2000),
      line(1000, 65, 100, 120),
      line(3500, 65, 100, 100),
      line(4000, 64, 100, 120),
    ]);
  });

  it("follows the tempo map: a change moves the ticks of everything after it, and a step is a 16th at the tempo of the note's time", () => {
    // 125 BPM: 1 tick a ms; from 2000 ms 62.5 BPM: 1 tick per 2 ms; from 4000 ms 250 BPM: 2 ticks a ms.
    const file = exported([
      down(1000, "Ann", 60),
      up(1500, "Ann", 60),
      tempo(4000, 250), // recorded before the change below took effect: the order recorded does not matter
      down(1950, "Ann", 65), // a step at 125 BPM (120 ms), of which 70 ms at 62.5 BPM: 50 + 35 ticks
      tempo(2000, 62.5),
      down(2500, "Ann", 62),
      up(3000, "Ann", 62),
      down(3000, "Ann", 67), // a step at 62.5 BPM: 240 ms, 120 ticks
      down(3900, "Ann", 69),
      up(4100, "Ann", 69), // across the change to 250: 100 ms → 50 ticks, then 100 ms → 200 ticks
    ]);
    assert.deepEqual(file.tempos, [
      { tick: 0, microsecondsPerQuarter: AT_125 },
      { tick: 2000, microsecondsPerQuarter: AT_62_5 },
      { tick: 3000, microsecondsPerQuarter: AT_250 },
    ]);
    assert.deepEqual(noteLines(file.tracks[1]), [
      line(1000, 60, 100, 500),
      line(1950, 65, 100, 85),
      line(2250, 62, 100, 250),
      line(2500, 67, 100, 120),
      line(2950, 69, 100, 250),
    ]);
  });

  it("puts drums on channel 10 and every other instrument on channel 1, note by note", () => {
    const file = exported([
      down(100, "Ann", 36, { instrument: "drums" }),
      up(150, "Ann", 36, { instrument: "drums" }),
      down(200, "Bob", 40, { instrument: "bass" }),
      up(260, "Bob", 40, { instrument: "bass" }),
      down(300, "Ann", 60, { instrument: "keys" }), // Ann switched instruments
      up(400, "Ann", 60, { instrument: "keys" }),
    ]);
    assert.deepEqual(noteLines(file.tracks[1]), [line(100, 36, 100, 50, 10), line(300, 60, 100, 100, 1)]);
    assert.deepEqual(noteLines(file.tracks[2]), [line(200, 40, 100, 60, 1)]);
  });

  it("starts at tick 0 a note that began before the recording, leaves out one that ended before it, and counts an earlier tempo change as the start tempo", () => {
    const file = exported([
      tempo(-1000, 62.5), // in force when the recording started: 1 tick per 2 ms
      down(100, "Ann", 60, { at: -500 }),
      up(150, "Ann", 60, { at: -100 }), // wholly before the start
      down(200, "Ann", 62, { at: -300 }),
      up(400, "Ann", 62, { at: 300 }),
    ]);
    assert.deepEqual(file.tempos, [{ tick: 0, microsecondsPerQuarter: AT_62_5 }]);
    assert.deepEqual(noteLines(file.tracks[1]), [line(0, 62, 100, 150)]);
  });

  it("keeps a note still sounding when the recording stops, and ends every track together, at the recording's end or its last note", () => {
    const sounding = exported([down(100, "Ann", 60), up(200, "Ann", 60), down(4950, "Bob", 62)], { durationMs: 5000 });
    assert.deepEqual(noteLines(sounding.tracks[2]), [line(4950, 62, 100, 120)]);
    assert.deepEqual(
      sounding.tracks.map((track) => track.endTick),
      [5070, 5070, 5070],
    );
    const quiet = exported([down(100, "Ann", 60), up(200, "Ann", 60)], { durationMs: 5000 });
    assert.deepEqual(
      quiet.tracks.map((track) => track.endTick),
      [5000, 5000],
    );
  });

  it("exports an empty recording as the tempo track alone", () => {
    const file = exported([], { durationMs: 960 });
    assert.deepEqual(
      file.tracks.map((track) => [track.name, track.notes.length, track.endTick]),
      [["", 0, 960]],
    );
  });

  it("gives back every note played, whoever played it and however late it arrived", () => {
    const musicians = ["Ann", "Bob", "Zoë", "李"];
    const played = fc.record({
      musician: fc.constantFrom(...musicians),
      gap: fc.integer({ min: 0, max: 3000 }),
      length: fc.integer({ min: 1, max: 2000 }),
      note: fc.integer({ min: 0, max: 127 }),
      velocity: fc.integer({ min: 1, max: 127 }),
      drums: fc.boolean(),
      // How long before (or after) its `at` the server got each event: `at` always counts.
      lateOn: fc.integer({ min: -2000, max: 2000 }),
      lateOff: fc.integer({ min: -2000, max: 2000 }),
    });
    fc.assert(
      fc.property(fc.array(played, { maxLength: 60 }), (notes) => {
        const clock = new Map<string, number>();
        const events: RecordedEvent[] = [];
        const expected = new Map<string, string[]>();
        for (const n of notes) {
          // Each musician's notes one after another, so only an on:false ends each.
          const start = (clock.get(n.musician) ?? 2000) + n.gap;
          clock.set(n.musician, start + n.length);
          const touch = { velocity: n.velocity, instrument: n.drums ? "drums" : "keys" };
          events.push(down(start + n.lateOn, n.musician, n.note, { ...touch, at: start }));
          events.push(up(start + n.length + n.lateOff, n.musician, n.note, { ...touch, at: start + n.length }));
          const lines = expected.get(n.musician) ?? [];
          expected.set(n.musician, [...lines, line(start, n.note, n.velocity, n.length, n.drums ? 10 : 1)]);
        }
        // Recorded as received.
        events.sort((a, b) => (a.kind === "note" && b.kind === "note" ? a.receivedAt - b.receivedAt : 0));
        const order = [...new Set(events.flatMap((e) => (e.kind === "note" && e.on ? [e.musician] : [])))];
        const file = exported(events, { durationMs: 400_000 });
        assert.deepEqual(
          file.tracks.map((track) => track.name),
          ["", ...order],
        );
        for (const [t, musician] of order.entries()) {
          const want = (expected.get(musician) ?? []).sort((a, b) => Number(a.split(" ")[1]) - Number(b.split(" ")[1]));
          assert.deepEqual(noteLines(file.tracks[t + 1]), want, musician);
        }
      }),
      { numRuns: 150 },
    );
  });
});

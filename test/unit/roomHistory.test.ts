/**
 * The timers of a jam's memory, driven by hand: a version every VERSION_EVERY_S only when
 * something changed, and a recording that stops by itself after MAX_RECORDING_MIN.
 */
import assert from "node:assert/strict";
import pino from "pino";
import { liveCounts } from "../../src/observability/liveCounts";
import { JamMetrics } from "../../src/observability/metrics";
import type { RoomOptions } from "../../src/protocol/options";
import { countNote, emptyTally, overflow } from "../../src/rules/recording";
import { newJamState } from "../../src/rooms/jamStateWriter";
import { RecordingWriter } from "../../src/rooms/recordingWriter";
import { RoomRecorder } from "../../src/rooms/roomRecorder";
import { RoomVersions } from "../../src/rooms/roomVersions";
import type { JamStore } from "../../src/storage/jamStore";
import { HandClock } from "../helpers/handClock";
import { memoryStore } from "../helpers/server";
import { sampleJam } from "../storage/targets";

const NOW = 1_800_000_000_000;
const OPTIONS: RoomOptions = { tempo: 120, maxParticipants: 8, private: false, transport: "host", loopSteps: 16 };
const log = () => pino({ level: "silent" });

describe("a jam's memory on its timers", () => {
  let store: JamStore;
  const state = newJamState("K7QF2M", OPTIONS);
  beforeEach(async () => {
    store = memoryStore();
    await store.migrate();
    await store.save(sampleJam("K7QF2M", NOW));
  });
  afterEach(async () => store.close());

  it("keeps a version on the interval only when something changed since the last one", async () => {
    const clock = new HandClock();
    const settings = { versionEveryS: 300, maxVersions: 50, now: () => NOW };
    const versions = new RoomVersions({ store, settings, options: OPTIONS, state: () => state, saved: async () => true, log });
    versions.keepEvery((callback) => clock.setInterval(callback));
    const tick = async () => {
      for (const callback of clock.intervals) callback();
      await versions.settled();
    };

    await tick();
    await tick();
    assert.equal((await store.listVersions("K7QF2M")).length, 1, "nothing changed: no second version");
    state.tempo = 133;
    await tick();
    assert.deepEqual(
      (await store.listVersions("K7QF2M")).map((v) => [v.version, v.tempo]),
      [
        [2, 133],
        [1, 120],
      ],
    );
  });

  it("keeps no version timer when VERSION_EVERY_S is 0", () => {
    const clock = new HandClock();
    const settings = { versionEveryS: 0, maxVersions: 50, now: () => NOW };
    new RoomVersions({ store, settings, options: OPTIONS, state: () => state, saved: async () => true, log }).keepEvery((callback) =>
      clock.setInterval(callback),
    );
    assert.equal(clock.intervals.length, 0);
  });

  it("stops a recording after MAX_RECORDING_MIN, keeping it", async () => {
    const clock = new HandClock();
    const metrics = new JamMetrics(liveCounts);
    const writer = new RecordingWriter({ store, metrics, logger: log(), everyMs: 1000, every: (callback) => clock.setInterval(callback) });
    const recorder = new RoomRecorder({
      store,
      writer,
      settings: { maxRecordingMin: 60, now: () => NOW },
      state: () => state,
      saved: async () => true,
      log,
      clock,
    });
    recorder.start();
    assert.equal(state.recording, true);
    recorder.note({ note: 60, velocity: 100, on: true }, "Ann", "keys");
    assert.deepEqual([clock.timeouts.length, clock.intervals.length], [1, 1], "the time limit, and the process's batch timer");
    clock.timeouts[0]?.();
    await recorder.stop("test: wait for the writes");
    assert.deepEqual([state.recording, state.recordingStartedAt, clock.timeouts.length, clock.intervals.length], [false, 0, 0, 0]);
    const [summary] = await store.listRecordings("K7QF2M");
    assert.deepEqual([summary?.notes, summary?.musicians], [1, ["Ann"]]);
    // One batch, written as the time limit stopped it, with the note.
    const written = async (counter: JamMetrics["recordingBatches"]) => (await counter.get()).values[0]?.value;
    assert.deepEqual([await written(metrics.recordingBatches), await written(metrics.recordedEvents)], [1, 1]);
  });
});

describe("rules > recording", () => {
  it("counts note-ons and lists musicians in the order they first played", () => {
    const tally = emptyTally();
    countNote(tally, "Bob", true);
    countNote(tally, "Ann", false);
    countNote(tally, "Ann", true);
    countNote(tally, "Bob", true);
    assert.deepEqual(tally, { notes: 3, musicians: ["Bob", "Ann"] });
  });

  it("drops only what does not fit under the limit of waiting events", () => {
    assert.equal(overflow(10, 5, 20), 0);
    assert.equal(overflow(20, 1, 20), 1);
    assert.equal(overflow(19, 5, 20), 4);
  });
});

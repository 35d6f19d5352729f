/**
 * The process's writer of recording batches, driven by hand: every recording room's batch of the
 * second goes in one store call, a failed write is sent again as it was, and no timer runs while
 * nothing records.
 */
import assert from "node:assert/strict";
import pino from "pino";
import { liveCounts } from "../../src/observability/liveCounts";
import { JamMetrics } from "../../src/observability/metrics";
import type { RoomOptions } from "../../src/protocol/options";
import { newJamState } from "../../src/rooms/jamStateWriter";
import { RecordingWriter } from "../../src/rooms/recordingWriter";
import { RoomRecorder } from "../../src/rooms/roomRecorder";
import type { JamStore, RecordingBatch } from "../../src/storage/jamStore";
import { HandClock } from "../helpers/handClock";
import { memoryStore } from "../helpers/server";
import { sampleJam } from "../storage/targets";

const NOW = 1_800_000_000_000;
const OPTIONS: RoomOptions = { tempo: 120, maxParticipants: 8, private: false, transport: "host", loopSteps: 16 };
const log = () => pino({ level: "silent" });

describe("recording > the process's batch writer", () => {
  let store: JamStore;
  let clock: HandClock;
  let calls: RecordingBatch[][];
  let failing: boolean;
  let writer: RecordingWriter;

  const recorderOf = (code: string) => {
    const state = newJamState(code, OPTIONS);
    const settings = { maxRecordingMin: 60, now: () => NOW };
    return new RoomRecorder({ store, writer, settings, state: () => state, saved: async () => true, log, clock });
  };
  /** What a tick of the process's timer writes, written. */
  const tick = () => writer.flush();

  beforeEach(async () => {
    store = memoryStore();
    await store.migrate();
    for (const code of ["K7QF2M", "AB23CD"]) await store.save(sampleJam(code, NOW));
    clock = new HandClock();
    calls = [];
    failing = false;
    const counting = {
      appendRecordings: (batches: readonly RecordingBatch[]) => {
        calls.push([...batches]);
        return failing ? Promise.reject(new Error("database down")) : store.appendRecordings(batches);
      },
    };
    const metrics = new JamMetrics(liveCounts);
    writer = new RecordingWriter({
      store: counting,
      metrics,
      logger: log(),
      everyMs: 1000,
      every: (callback) => clock.setInterval(callback),
    });
  });
  afterEach(async () => store.close());

  it("writes every recording room's batch of the second in one store call", async () => {
    const [ann, bob] = [recorderOf("K7QF2M"), recorderOf("AB23CD")];
    ann.start();
    bob.start();
    await Promise.all([ann.created(), bob.created()]);
    ann.note({ note: 60, velocity: 90, on: true }, "Ann", "keys");
    bob.note({ note: 64, velocity: 80, on: true }, "Bob", "bass");
    calls = [];
    await tick();
    assert.deepEqual(
      calls.map((call) => call.map((batch) => [batch.code, batch.chunk, batch.events.length])),
      [
        [
          ["K7QF2M", 1, 1],
          ["AB23CD", 1, 1],
        ],
      ],
    );
    await Promise.all([ann.stop("test"), bob.stop("test")]);
    assert.deepEqual(
      (await store.listRecordings("AB23CD")).map((r) => [r.notes, r.musicians]),
      [[1, ["Bob"]]],
    );
  });

  it("sends a batch whose write failed again, under its number, before anything newer", async () => {
    const ann = recorderOf("K7QF2M");
    ann.start();
    await ann.created();
    ann.note({ note: 60, velocity: 90, on: true }, "Ann", "keys");
    failing = true;
    await tick();
    ann.note({ note: 62, velocity: 90, on: true }, "Ann", "keys");
    failing = false;
    await tick();
    await tick();
    const sent = calls
      .slice(-3)
      .map((call) => call.map((batch) => [batch.chunk, batch.events.map((e) => (e.kind === "note" ? e.note : 0)), batch.notes]));
    assert.deepEqual(sent, [[[1, [60], 1]], [[1, [60], 2]], [[2, [62], 2]]]);
    await ann.stop("test");
    const [summary] = await store.listRecordings("K7QF2M");
    const recording = await store.loadRecording("K7QF2M", summary?.id ?? 0);
    assert.deepEqual(
      recording?.events.map((e) => (e.kind === "note" ? e.note : 0)),
      [60, 62],
    );
  });

  it("writes the rooms in groups a quarter of a second apart, each once a second", async () => {
    const codes = ["K7QF2M", "AB23CD", "CD34EF", "EF45GH", "GH56JK"];
    for (const code of codes.slice(2)) await store.save(sampleJam(code, NOW));
    const recorders = codes.map(recorderOf);
    for (const recorder of recorders) recorder.start();
    await Promise.all(recorders.map((recorder) => recorder.created()));
    calls = [];
    for (let tick = 0; tick < 4; tick++) {
      clock.intervals[0]?.();
      await writer.settled();
    }
    assert.deepEqual(
      calls.map((call) => call.map((batch) => batch.code)),
      [["K7QF2M", "GH56JK"], ["AB23CD"], ["CD34EF"], ["EF45GH"]],
    );
    await Promise.all(recorders.map((recorder) => recorder.stop("test")));
  });

  it("keeps its timer only while a recording runs", async () => {
    const [ann, bob] = [recorderOf("K7QF2M"), recorderOf("AB23CD")];
    assert.equal(clock.intervals.length, 0);
    ann.start();
    bob.start();
    assert.equal(clock.intervals.length, 1, "one timer for the process, not one per room");
    await ann.stop("test");
    assert.equal(clock.intervals.length, 1);
    await bob.stop("test");
    assert.equal(clock.intervals.length, 0);
  });
});

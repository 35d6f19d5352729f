/**
 * A saved jam's versions and recordings, on every store: numbered per jam, listed newest first,
 * bounded, and gone with the jam.
 */
import assert from "node:assert/strict";
import type { JamStore, JamVersionDocument, RecordedEvent } from "../../src/storage/jamStore";
import { CHUNKS_PER_READ } from "../../src/storage/jamHistory";
import { sampleJam, STORE_TARGETS } from "./targets";

const NOW = 1_760_000_000_000;

function versionOf(tempo: number, trackCount: number): JamVersionDocument {
  const jam = sampleJam("XXXXXX", NOW);
  return { settings: { ...jam.settings, tempo }, tracks: jam.tracks.slice(0, trackCount) };
}

const note = (receivedAt: number, musician: string, pitch: number, on = true): RecordedEvent => ({
  kind: "note",
  receivedAt,
  at: receivedAt + 100,
  musician,
  instrument: "keys",
  note: pitch,
  velocity: 90,
  on,
});

for (const makeTarget of STORE_TARGETS) {
  const target = makeTarget();

  describe(`storage > versions and recordings on ${target.name}`, function () {
    this.timeout(20_000);
    let store: JamStore;

    before(async function () {
      if ((await target.setUp()) === "skip") this.skip();
    });
    beforeEach(async () => {
      store = target.open();
      await store.migrate();
      await store.deleteUnusedBefore(Number.MAX_SAFE_INTEGER, 1_000_000);
      await store.save(sampleJam("K7QF2M", NOW));
      await store.save(sampleJam("AB23CD", NOW));
    });
    afterEach(async () => store.close());
    after(async () => target.tearDown());

    it("numbers versions 1, 2, 3 per jam, lists them newest first and loads each as kept", async () => {
      assert.equal(await store.addVersion("K7QF2M", NOW + 1, versionOf(90, 1), 50), 1);
      assert.equal(await store.addVersion("K7QF2M", NOW + 2, versionOf(100, 2), 50), 2);
      assert.equal(await store.addVersion("AB23CD", NOW + 3, versionOf(110, 0), 50), 1);
      assert.equal(await store.addVersion("K7QF2M", NOW + 4, versionOf(120, 0), 50), 3);

      assert.deepEqual(await store.listVersions("K7QF2M"), [
        { version: 3, savedAt: NOW + 4, tempo: 120, tracks: 0 },
        { version: 2, savedAt: NOW + 2, tempo: 100, tracks: 2 },
        { version: 1, savedAt: NOW + 1, tempo: 90, tracks: 1 },
      ]);
      assert.deepEqual(await store.loadVersion("K7QF2M", 2), { ...versionOf(100, 2), version: 2, savedAt: NOW + 2 });
      assert.equal(await store.loadVersion("K7QF2M", 9), undefined);
    });

    it("keeps only the newest versions, numbering on", async () => {
      for (let i = 1; i <= 5; i++) await store.addVersion("K7QF2M", NOW + i, versionOf(60 + i, 0), 3);
      assert.deepEqual(
        (await store.listVersions("K7QF2M")).map((v) => v.version),
        [5, 4, 3],
      );
      assert.equal(await store.addVersion("K7QF2M", NOW + 9, versionOf(99, 0), 3), 6);
    });

    it("keeps a recording's events in order across batches, with its summary", async () => {
      const id = await store.startRecording("K7QF2M", NOW, 97.5, 20);
      assert.equal(id, 1);
      const first: RecordedEvent[] = [note(NOW + 10, "Ann", 60), { kind: "tempo", at: NOW + 500, tempo: 140 }];
      const second: RecordedEvent[] = [note(NOW + 900, "Zoë 🎛️", 64), note(NOW + 950, "Ann", 60, false)];
      await store.appendRecordings([
        { code: "K7QF2M", recordingId: id, chunk: 1, events: first, endedAt: NOW + 600, notes: 1, musicians: ["Ann"] },
      ]);
      await store.appendRecordings([
        { code: "K7QF2M", recordingId: id, chunk: 0, events: [], endedAt: NOW + 700, notes: 1, musicians: ["Ann"] },
      ]);
      await store.appendRecordings([
        { code: "K7QF2M", recordingId: id, chunk: 2, events: second, endedAt: NOW + 2000, notes: 2, musicians: ["Ann", "Zoë 🎛️"] },
      ]);

      const summary = { id, startedAt: NOW, durationMs: 2000, notes: 2, musicians: ["Ann", "Zoë 🎛️"] };
      assert.deepEqual(await store.loadRecording("K7QF2M", id), { ...summary, tempo: 97.5, events: [...first, ...second] });
      assert.deepEqual(await store.listRecordings("K7QF2M"), [summary]);
      assert.equal(await store.loadRecording("AB23CD", id), undefined);
    });

    it("writes many recordings' batches in one call, each to its own recording and summary", async () => {
      const [k1, k2, other] = [
        await store.startRecording("K7QF2M", NOW, 120, 20),
        await store.startRecording("K7QF2M", NOW + 1, 120, 20),
        await store.startRecording("AB23CD", NOW, 90, 20),
      ];
      const quiet = { chunk: 0, events: [], notes: 0, musicians: [] };
      await store.appendRecordings([
        { code: "K7QF2M", recordingId: k1, chunk: 1, events: [note(NOW + 5, "Ann", 60)], endedAt: NOW + 50, notes: 1, musicians: ["Ann"] },
        { code: "K7QF2M", recordingId: k2, ...quiet, endedAt: NOW + 41 },
        {
          code: "AB23CD",
          recordingId: other,
          chunk: 1,
          events: [note(NOW + 7, "Bob", 64)],
          endedAt: NOW + 70,
          notes: 1,
          musicians: ["Bob"],
        },
      ]);
      assert.deepEqual(
        (await store.listRecordings("K7QF2M")).map((r) => [r.id, r.durationMs, r.notes, r.musicians]),
        [
          [k2, 40, 0, []],
          [k1, 50, 1, ["Ann"]],
        ],
      );
      const bobs = await store.loadRecording("AB23CD", other);
      assert.deepEqual([bobs?.events, bobs?.durationMs, bobs?.musicians], [[note(NOW + 7, "Bob", 64)], 70, ["Bob"]]);
      assert.deepEqual((await store.loadRecording("K7QF2M", k2))?.events, []);
    });

    it("keeps a batch sent again (its write failed as far as the room knew) once", async () => {
      const id = await store.startRecording("K7QF2M", NOW, 120, 20);
      const batch = { chunk: 1, events: [note(NOW + 5, "Ann", 60)], endedAt: NOW + 10, notes: 1, musicians: ["Ann"] };
      await store.appendRecordings([{ code: "K7QF2M", recordingId: id, ...batch }]);
      await store.appendRecordings([{ code: "K7QF2M", recordingId: id, ...batch, endedAt: NOW + 20 }]);
      const recording = await store.loadRecording("K7QF2M", id);
      assert.equal(recording?.events.length, 1);
      assert.equal(recording?.durationMs, 20);
    });

    it("loads a recording of more batches than one read takes, every event in order", async () => {
      const id = await store.startRecording("K7QF2M", NOW, 120, 20);
      const played: RecordedEvent[] = [];
      for (let i = 0; i < CHUNKS_PER_READ * 2 + 1; i++) {
        const batch = [note(NOW + i, "Ann", i % 128), note(NOW + i, "Bob", i % 128, false)];
        played.push(...batch);
        await store.appendRecordings([
          { code: "K7QF2M", recordingId: id, chunk: i + 1, events: batch, endedAt: NOW + i, notes: i + 1, musicians: ["Ann"] },
        ]);
      }
      assert.deepEqual((await store.loadRecording("K7QF2M", id))?.events, played);
    });

    it("lists recordings newest first and keeps only the newest, with their events", async () => {
      for (let i = 0; i < 4; i++) {
        const id = await store.startRecording("K7QF2M", NOW + i * 1000, 120, 3);
        await store.appendRecordings([
          {
            code: "K7QF2M",
            recordingId: id,
            chunk: 1,
            events: [note(NOW + i * 1000, "Ann", 60 + i)],
            endedAt: NOW + i * 1000 + 10,
            notes: 1,
            musicians: ["Ann"],
          },
        ]);
      }
      assert.deepEqual(
        (await store.listRecordings("K7QF2M")).map((r) => r.id),
        [4, 3, 2],
      );
      assert.equal(await store.loadRecording("K7QF2M", 1), undefined);
      assert.equal((await store.loadRecording("K7QF2M", 2))?.events.length, 1);
    });

    it("deletes a jam's versions and recordings with the jam", async () => {
      await store.addVersion("K7QF2M", NOW, versionOf(90, 1), 50);
      const id = await store.startRecording("K7QF2M", NOW, 120, 20);
      await store.appendRecordings([
        { code: "K7QF2M", recordingId: id, chunk: 1, events: [note(NOW, "Ann", 60)], endedAt: NOW + 1, notes: 1, musicians: ["Ann"] },
      ]);
      await store.deleteUnusedBefore(NOW + 1, 100);

      assert.deepEqual(await store.listVersions("K7QF2M"), []);
      assert.deepEqual(await store.listRecordings("K7QF2M"), []);
      assert.equal(await store.loadRecording("K7QF2M", id), undefined);
      // A jam saved again under the code starts its numbering afresh.
      await store.save(sampleJam("K7QF2M", NOW + 5));
      assert.equal(await store.addVersion("K7QF2M", NOW + 5, versionOf(90, 1), 50), 1);
    });

    it("refuses history for a jam that was never saved", async () => {
      await assert.rejects(store.addVersion("NOPE22", NOW, versionOf(90, 1), 50));
      await assert.rejects(store.startRecording("NOPE22", NOW, 120, 20));
    });
  });
}

/**
 * A saved jam's versions and recordings over HTTP, and its MIDI downloads (a recording, the
 * pattern as a loop), on every store, seeded through the store as a room would save them.
 */
import assert from "node:assert/strict";
import { HttpError } from "../../src/protocol/errors";
import type { JamStore, RecordedEvent } from "../../src/storage/jamStore";
import { noteLines, readMidi } from "../helpers/midiFile";
import { memoryStore } from "../helpers/server";
import { useJamServer } from "../helpers/suite";
import { sampleJam, STORE_TARGETS } from "../storage/targets";
import { HOUR_OF_EIGHT, musicianName, performance, seedRecording } from "../../support/recordings";

const NOW = Date.now();
const CODE = "K7QF2M";

const keys = (ms: number, musician: string, note: number, on: boolean, instrument = "keys"): RecordedEvent => ({
  kind: "note",
  receivedAt: NOW + ms,
  at: NOW + ms,
  musician,
  instrument,
  note,
  velocity: on ? 100 : 0,
  on,
});

async function seed(store: JamStore): Promise<void> {
  await store.save(sampleJam(CODE, NOW));
  await store.save(sampleJam("AB23CD", NOW));
  const first = sampleJam(CODE, NOW);
  await store.addVersion(CODE, NOW + 1, { settings: { ...first.settings, tempo: 90 }, tracks: first.tracks.slice(0, 1) }, 50);
  await store.addVersion(CODE, NOW + 2, { settings: first.settings, tracks: first.tracks }, 50);
  // At 125 BPM one tick is one ms.
  const one = await store.startRecording(CODE, NOW, 125, 20);
  const batch = [keys(100, "Zoë 🎛️", 36, true, "drums"), keys(150, "Ann", 60, true), keys(200, "Zoë 🎛️", 36, false, "drums")];
  await store.appendRecordings([
    { code: CODE, recordingId: one, chunk: 1, events: batch, endedAt: NOW + 300, notes: 2, musicians: ["Zoë 🎛️", "Ann"] },
  ]);
  await store.appendRecordings([
    {
      code: CODE,
      recordingId: one,
      chunk: 2,
      events: [keys(400, "Ann", 60, false)],
      endedAt: NOW + 1000,
      notes: 2,
      musicians: ["Zoë 🎛️", "Ann"],
    },
  ]);
  const two = await store.startRecording(CODE, NOW + 5000, 125, 20);
  await store.appendRecordings([{ code: CODE, recordingId: two, chunk: 0, events: [], endedAt: NOW + 6000, notes: 0, musicians: [] }]);
}

interface Download {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  json?: unknown;
}

for (const makeTarget of STORE_TARGETS) {
  const target = makeTarget();

  describe(`HTTP > a saved jam's versions, recordings and MIDI files on ${target.name}`, function () {
    this.timeout(20_000);
    let skip = false;
    let store: JamStore | undefined;
    const server = useJamServer({}, async () => {
      skip = (await target.setUp()) === "skip";
      store = skip ? memoryStore() : target.open();
      return store;
    });
    before(async function () {
      if (skip || store === undefined) this.skip();
      await seed(store);
    });
    after(async () => target.tearDown());

    async function get(path: string): Promise<Download> {
      const response = await fetch(server.endpoint.replace(/^ws/, "http") + path);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const isJson = response.headers.get("content-type")?.startsWith("application/json") ?? false;
      return {
        status: response.status,
        headers: response.headers,
        bytes,
        json: isJson ? JSON.parse(Buffer.from(bytes).toString("utf8")) : undefined,
      };
    }
    const refused = (download: Download) => [download.status, download.json];

    it("lists the versions newest first, with their tempo and how many tracks, by the code in any case", async () => {
      const answer = await get(`/jams/${CODE.toLowerCase()}/versions`);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, [
        { version: 2, savedAt: NOW + 2, tempo: 97.5, tracks: 2 },
        { version: 1, savedAt: NOW + 1, tempo: 90, tracks: 1 },
      ]);
      assert.deepEqual((await get("/jams/AB23CD/versions")).json, []);
    });

    it("lists the recordings newest first, with their length, notes and musicians", async () => {
      const answer = await get(`/jams/${CODE}/recordings`);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, [
        { id: 2, startedAt: NOW + 5000, durationMs: 1000, notes: 0, musicians: [] },
        { id: 1, startedAt: NOW, durationMs: 1000, notes: 2, musicians: ["Zoë 🎛️", "Ann"] },
      ]);
    });

    it("sends a recording as a MIDI file to download, named after the jam and the recording", async () => {
      const answer = await get(`/jams/${CODE}/recordings/1.mid`);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("content-type"), "audio/midi");
      assert.equal(answer.headers.get("content-disposition"), `attachment; filename="${CODE}-1.mid"`);
      const file = readMidi(answer.bytes);
      assert.deepEqual(
        file.tracks.map((track) => track.name),
        ["", "Zoë 🎛️", "Ann"],
      );
      assert.deepEqual(noteLines(file.tracks[1]), ["tick 100 note 36 vel 100 len 100 ch 10"]);
      assert.deepEqual(noteLines(file.tracks[2]), ["tick 150 note 60 vel 100 len 250 ch 1"]);
      const empty = readMidi((await get(`/jams/${CODE.toLowerCase()}/recordings/2.mid`)).bytes);
      assert.deepEqual(
        empty.tracks.map((track) => [track.name, track.endTick]),
        [["", 1000]],
      );
    });

    it("sends a long recording whole: every musician's every note", async () => {
      const seeded = store ?? assert.fail("no store");
      await seeded.save(sampleJam("LQNG23", NOW));
      const id = await seedRecording(seeded, "LQNG23", performance({ ...HOUR_OF_EIGHT, startedAt: NOW, minutes: 2 }));
      const file = readMidi((await get(`/jams/LQNG23/recordings/${id}.mid`)).bytes);
      const musicians = Array.from({ length: 8 }, (_, m) => musicianName(m));
      assert.deepEqual(
        file.tracks.map((track) => [track.name, track.notes.length]),
        [["", 0], ...musicians.map((name) => [name, 2 * 60 * 8])],
      );
      // Each note lasts 60 ms (by their `at`s): 57.6 ticks at 120 BPM, whole ticks once rounded.
      const lengths = new Set(file.tracks.flatMap((track) => track.notes.map((note) => note.durationTicks)));
      assert.deepEqual([...lengths].sort(), [57, 58]);
    });

    it('answers 404 "Recording not found" for anything but the id of one of the jam\'s recordings', async () => {
      for (const id of ["3", "0", "abc", "-1", "1.5", "01", "99999999999"]) {
        assert.deepEqual(
          refused(await get(`/jams/${CODE}/recordings/${id}.mid`)),
          [404, { error: HttpError.RECORDING_NOT_FOUND.error }],
          id,
        );
      }
      // Recording 1 is another jam's.
      assert.deepEqual(refused(await get("/jams/AB23CD/recordings/1.mid")), [404, { error: "Recording not found" }]);
    });

    it("sends the pattern as one MIDI loop, a track per pattern track", async () => {
      const answer = await get(`/jams/${CODE}/pattern.mid`);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("content-type"), "audio/midi");
      assert.equal(answer.headers.get("content-disposition"), `attachment; filename="${CODE}-pattern.mid"`);
      const file = readMidi(answer.bytes);
      assert.deepEqual(file.tempos, [{ tick: 0, microsecondsPerQuarter: 615385 }]);
      assert.deepEqual(
        file.tracks.map((track) => [track.name, track.notes.length, track.endTick]),
        // sampleJam: 32 steps, drums on every 4th step, bass silent.
        [
          ["", 0, 3840],
          ["drums", 8, 3840],
          ["bass", 0, 3840],
        ],
      );
      assert.deepEqual(noteLines(file.tracks[1]).slice(0, 2), [
        "tick 0 note 36 vel 90 len 120 ch 10",
        "tick 480 note 37 vel 94 len 120 ch 10",
      ]);
    });

    it('answers 404 "Jam not found" for an unknown jam and 400 "Invalid room code" for a malformed code, on every route', async () => {
      for (const path of ["versions", "recordings", "recordings/1.mid", "pattern.mid"]) {
        assert.deepEqual(refused(await get(`/jams/ZZZZZZ/${path}`)), [404, { error: "Jam not found" }], path);
        assert.deepEqual(refused(await get(`/jams/0O1I/${path}`)), [400, { error: "Invalid room code" }], path);
      }
    });
  });
}

/**
 * A jam's memory through the client library: `create({ remixOf })`, `versions(code)`,
 * `recordings(code)` and the addresses of its MIDI files (`recordingUrl`, `patternUrl`).
 */
import assert from "node:assert/strict";
import { InvalidRoomCode, JamClient, RoomNotFound, type JamSession } from "../../client/src";
import { stateWhere } from "../../support/clients";
import { roomDisposed } from "../helpers/lifecycle";
import { readMidi } from "../helpers/midiFile";
import { useJamServer } from "../helpers/suite";

describe("client > a jam's versions, recordings and remixes", function () {
  this.timeout(10_000);
  const sessions: JamSession[] = [];
  // Registered before the server fixture, so the sessions leave before its room check.
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.leave()));
  });
  const server = useJamServer({ saveDelayMs: 50 });
  const jam = () => new JamClient(server.endpoint);

  async function keep(opening: Promise<JamSession>): Promise<JamSession> {
    const session = await opening;
    sessions.push(session);
    return session;
  }

  /** Ann's jam with a bass track: step 1 on. */
  async function annsJam(client: JamClient): Promise<JamSession> {
    const ann = await keep(client.create({ name: "Ann", tempo: 97 }));
    ann.addTrack("bass", "bass");
    ann.setStep({ track: "bass", step: 0, on: true, note: 40 });
    await stateWhere(ann, (s) => s.tracks.get("bass")?.steps[0]?.on === true);
    return ann;
  }

  /** Everyone leaves; resolves once the room has written all it keeps (its last version, its recording). */
  async function closeRoom(session: JamSession): Promise<void> {
    const closed = roomDisposed(server.colyseus.getRoomById(session.code));
    await session.leave();
    await closed;
  }

  describe("create with remixOf", () => {
    it("opens a new jam copied from a live one, its state naming the source", async () => {
      const client = jam();
      const ann = await annsJam(client);
      const bob = await keep(client.create({ name: "Bob", remixOf: ann.code.toLowerCase() }));
      assert.notEqual(bob.code, ann.code);
      assert.equal(bob.state.remixOf, ann.code);
      assert.equal(bob.state.tempo, 97);
      assert.equal(bob.state.tracks.get("bass")?.steps[0]?.note, 40);
      assert.equal(bob.isHost, true);
      assert.equal(ann.state.remixOf, "");
    });

    it("refuses a code no jam has with RoomNotFound", async () => {
      await assert.rejects(jam().create({ name: "Bob", remixOf: "ZZZZ22" }), RoomNotFound);
    });
  });

  describe("versions", () => {
    it("lists the versions newest first, by the code in any case", async () => {
      const client = jam();
      const ann = await annsJam(client);
      await closeRoom(ann);
      const [version, ...older] = await client.versions(ann.code.toLowerCase());
      assert.deepEqual(older, []);
      assert.deepEqual({ ...version, savedAt: 0 }, { version: 1, savedAt: 0, tempo: 97, tracks: 1 });
    });

    it("refuses an unknown code with RoomNotFound, and what is no code before asking", async () => {
      await assert.rejects(jam().versions("ZZZZ22"), RoomNotFound);
      await assert.rejects(jam().versions("nope"), InvalidRoomCode);
    });
  });

  describe("recordings and their files", () => {
    it("lists a recording with its notes and musicians, and its file downloads from recordingUrl", async () => {
      const client = jam();
      const ann = await annsJam(client);
      ann.record(true);
      await stateWhere(ann, (s) => s.recording);
      ann.note({ note: 64 });
      ann.note({ note: 64, on: false });
      ann.record(false);
      await stateWhere(ann, (s) => !s.recording);
      await closeRoom(ann);

      const [recording] = await client.recordings(ann.code);
      assert.deepEqual([recording?.id, recording?.notes, recording?.musicians], [1, 1, ["Ann"]]);
      const url = client.recordingUrl(ann.code.toLowerCase(), recording?.id ?? 0);
      assert.equal(url, `${server.endpoint.replace(/^ws/, "http")}/jams/${ann.code}/recordings/1.mid`);
      const response = await fetch(url);
      assert.equal(response.headers.get("content-type"), "audio/midi");
      const file = readMidi(new Uint8Array(await response.arrayBuffer()));
      assert.deepEqual(
        file.tracks.map((track) => [track.name, track.notes.map((n) => n.note)]),
        [
          ["", []],
          ["Ann", [64]],
        ],
      );
    });

    it("downloads the pattern from patternUrl", async () => {
      const client = jam();
      const ann = await annsJam(client);
      await closeRoom(ann);
      const file = readMidi(new Uint8Array(await (await fetch(client.patternUrl(ann.code))).arrayBuffer()));
      assert.deepEqual(
        file.tracks.map((track) => [track.name, track.notes.map((n) => n.note)]),
        [
          ["", []],
          ["bass", [40]],
        ],
      );
    });

    it("puts the files under the endpoint's path, over https for wss", () => {
      const far = new JamClient("wss://jam.example.com/live/");
      assert.equal(far.recordingUrl("k7q-f2m", 3), "https://jam.example.com/live/jams/K7QF2M/recordings/3.mid");
      assert.equal(far.patternUrl("K7QF2M"), "https://jam.example.com/live/jams/K7QF2M/pattern.mid");
      assert.throws(() => far.patternUrl("O0I1"), InvalidRoomCode);
    });
  });
});

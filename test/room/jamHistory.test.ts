/**
 * A jam's memory through the room: versions kept and restored, remixes, recordings — on SQLite in
 * memory and on PostgreSQL.
 */
import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import { JoinError, MessageError } from "../../src/protocol/codes";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { eventually } from "../../support/waiting";
import { refusal, roomDisposed } from "../helpers/lifecycle";
import { STORE_CASES, storeFor } from "../helpers/storeCases";
import { useJamServer } from "../helpers/suite";

const SAVE_DELAY_MS = 50;

for (const makeCase of STORE_CASES) {
  const target = makeCase();

  describe(`a jam's memory on ${target.name}`, function () {
    this.timeout(20_000);
    const stores = storeFor(target);
    const server = useJamServer({ saveDelayMs: SAVE_DELAY_MS }, stores.open);
    before(function () {
      if (stores.skipped()) this.skip();
    });
    after(async () => target.tearDown());

    const create = async (options: Record<string, unknown>) => synced(await server.colyseus.sdk.create<JamState>("jam", options));
    const join = async (code: string, name: string) => synced(await server.colyseus.sdk.joinById<JamState>(code, { name }));
    async function leaveAll(...rooms: Room[]): Promise<void> {
      const disposed = roomDisposed(server.colyseus.getRoomById(rooms[0]?.roomId ?? ""));
      await Promise.all(rooms.map((room) => room.leave()));
      await disposed;
    }
    const stepOn = (state: JamState, track: string, step: number) => state.tracks.get(track)?.steps[step]?.on === true;
    /** A saved jam at `tempo` with one drum track whose step `step` is on, its room closed (version 1). */
    async function jamWith(tempo: number, step: number): Promise<string> {
      const ann = await create({ name: "Ann", tempo });
      ann.send("addTrack", { id: "kick", instrument: "drums" });
      ann.send("setStep", { track: "kick", step, on: true });
      await stateWhere(ann, (s) => stepOn(s, "kick", step));
      await leaveAll(ann);
      return ann.roomId;
    }

    describe("versions", () => {
      it("keeps one when the band leaves, with its tempo and pattern", async () => {
        const code = await jamWith(90, 1);
        const versions = await stores.store().listVersions(code);
        assert.deepEqual(
          versions.map(({ version, tempo, tracks }) => ({ version, tempo, tracks })),
          [{ version: 1, tempo: 90, tracks: 1 }],
        );
        assert.equal((await stores.store().loadVersion(code, 1))?.tracks[0]?.steps[1]?.on, true);
      });

      it("restores a version for everyone when the host asks, and the restore can be undone", async () => {
        const code = await jamWith(90, 1);
        const ann = await create({ code, name: "Ann" });
        const bob = await join(code, "Bob");
        ann.send("tempo", { tempo: 140 });
        ann.send("setStep", { track: "kick", step: 1, on: false });
        ann.send("setStep", { track: "kick", step: 2, on: true });
        await stateWhere(bob, (s) => s.tempo === 140 && stepOn(s, "kick", 2));

        ann.send("restoreVersion", { version: 1 });
        const restored = await stateWhere(bob, (s) => s.tempo === 90 && stepOn(s, "kick", 1) && !stepOn(s, "kick", 2));
        assert.equal(restored.tracks.size, 1);
        const kept = await stores.store().listVersions(code);
        assert.deepEqual(
          kept.map((v) => [v.version, v.tempo]),
          [
            [2, 140],
            [1, 90],
          ],
          "the state before the restore is version 2",
        );

        ann.send("restoreVersion", { version: 2 });
        await stateWhere(bob, (s) => s.tempo === 140 && stepOn(s, "kick", 2) && !stepOn(s, "kick", 1));
        await leaveAll(ann, bob);
      });

      it("answers NOT_ALLOWED to a musician who is not the host, NOT_FOUND for a version the jam lacks", async () => {
        const code = await jamWith(90, 1);
        const ann = await create({ code, name: "Ann" });
        const bob = await join(code, "Bob");
        const notHost = nextMessage(bob, "error");
        bob.send("restoreVersion", { version: 1 });
        assert.deepEqual(await notHost, {
          code: MessageError.NOT_ALLOWED,
          message: "only the host can restore a version",
          type: "restoreVersion",
        });
        const missing = nextMessage(ann, "error");
        ann.send("restoreVersion", { version: 99 });
        const answer = await missing;
        assert.deepEqual([answer.code, answer.type], [MessageError.NOT_FOUND, "restoreVersion"]);
        await leaveAll(ann, bob);
      });
    });

    describe("remix", () => {
      it("makes a new jam from a saved one: new code, its settings, tempo and pattern, stopped, remixOf set", async () => {
        const source = await jamWith(97, 3);
        const cy = await create({ remixOf: source.toLowerCase(), name: "Cy", tempo: 200 });
        assert.notEqual(cy.roomId, source);
        assert.deepEqual([cy.state.remixOf, cy.state.tempo, cy.state.isPlaying], [source, 97, false]);
        assert.equal(stepOn(cy.state, "kick", 3), true);
        assert.equal(cy.state.host, cy.sessionId);
        await eventually(async () => (await stores.store().load(cy.roomId))?.remixOf === source, 3000, "the remix saved with its source");
        assert.deepEqual(await stores.store().listVersions(cy.roomId), [], "no versions of its own yet");
        await leaveAll(cy);
      });

      it("copies a live jam as it is now, on edits not saved yet", async () => {
        const ann = await create({ name: "Ann", tempo: 111 });
        ann.send("addTrack", { id: "hat", instrument: "drums" });
        ann.send("setStep", { track: "hat", step: 5, on: true });
        await stateWhere(ann, (s) => stepOn(s, "hat", 5));
        const cy = await create({ remixOf: ann.roomId, name: "Cy" });
        assert.equal(stepOn(cy.state, "hat", 5), true);
        assert.equal(cy.state.tempo, 111);
        await leaveAll(cy);
        await leaveAll(ann);
      });

      it("refuses an unknown source with 4212 and a malformed one with 4233", async () => {
        await assert.rejects(create({ remixOf: "ZZZZZZ", name: "Cy" }), refusal(JoinError.NOT_FOUND, /not found/));
        await assert.rejects(create({ remixOf: "nope!", name: "Cy" }), refusal(JoinError.INVALID_OPTION, /remixOf/));
      });
    });

    describe("recording", () => {
      it("records notes and tempo changes between record on and off, for everyone to see", async () => {
        const ann = await create({ name: "Ann", transport: "everyone" });
        const bob = await join(ann.roomId, "Bob");
        bob.send("record", { on: true });
        const started = await stateWhere(ann, (s) => s.recording);
        assert.ok(started.recordingStartedAt > 0);
        bob.send("note", { note: 64, velocity: 80 });
        await nextMessage(ann, "note");
        ann.send("note", { note: 60, at: Date.now() + 100 });
        await nextMessage(bob, "note");
        ann.send("tempo", { tempo: 150 });
        await stateWhere(bob, (s) => s.tempo === 150);
        ann.send("record", { on: false });
        await stateWhere(bob, (s) => !s.recording && s.recordingStartedAt === 0);

        const [summary] = await eventually(
          async () => {
            const list = await stores.store().listRecordings(ann.roomId);
            return list[0]?.notes === 2 ? list : undefined;
          },
          3000,
          "the recording written",
        );
        assert.deepEqual([summary?.id, summary?.musicians], [1, ["Bob", "Ann"]]);
        const recording = await stores.store().loadRecording(ann.roomId, 1);
        const kinds = recording?.events.map((event) => (event.kind === "note" ? `${event.musician}:${event.note}` : `${event.kind}`));
        assert.deepEqual(kinds, ["Bob:64", "Ann:60", "tempo"]);
        const annNote = recording?.events[1];
        assert.ok(annNote?.kind === "note" && annNote.at !== undefined && annNote.instrument === "piano");
        await leaveAll(ann, bob);
      });

      it("answers NOT_ALLOWED to a musician who may not drive the transport", async () => {
        const ann = await create({ name: "Ann" });
        const bob = await join(ann.roomId, "Bob");
        const refused = nextMessage(bob, "error");
        bob.send("record", { on: true });
        assert.deepEqual([(await refused).code, (await refused).type], [MessageError.NOT_ALLOWED, "record"]);
        assert.equal(ann.state.recording, false);
        await leaveAll(ann, bob);
      });

      it("stops when the band leaves, keeping what was recorded", async () => {
        const ann = await create({ name: "Ann" });
        ann.send("record", { on: true });
        await stateWhere(ann, (s) => s.recording);
        const code = ann.roomId;
        await leaveAll(ann);
        const [summary] = await stores.store().listRecordings(code);
        assert.equal(summary?.id, 1);
        assert.equal(summary?.notes, 0);
      });
    });
  });
}

import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { Settings } from "../../src/config/settings";
import type { ErrorReply } from "../../src/protocol/serverMessages";
import type { JamState } from "../../src/schema/JamState";
import { firstMessage, nextMessage, stateWhere, synced } from "../../support/clients";
import type { JamTestServer } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

const EMPTY_STEP = { on: false, note: 60, velocity: 100 };

interface StepView {
  on: boolean;
  note: number;
  velocity: number;
}

interface TrackView {
  id: string;
  instrument: string;
  createdBy: string;
  steps: StepView[];
}

/** The tracks as plain data, keyed by id. */
function tracksOf(state: JamState): Record<string, TrackView> {
  return state.tracks.toJSON() as Record<string, TrackView>;
}

/** A server for the enclosing describe (the suite fixture), and how its tests open a jam. */
function usePatternJam(overrides: Partial<Settings> = {}) {
  const context: {
    server: JamTestServer;
    open: (...names: string[]) => Promise<Room<JamState>[]>;
    join: (code: string, name: string) => Promise<Room<JamState>>;
  } = {
    server: useJamServer(overrides),
    /** The first name creates the room, the others join; resolves once everyone sees everyone. */
    open: async (...names) => {
      const [first, ...others] = names;
      const host = await context.server.colyseus.sdk.create<JamState>("jam", { name: first });
      host.onMessage("*", () => undefined);
      const rooms = [host];
      for (const name of others) rooms.push(await context.join(host.roomId, name));
      await Promise.all(rooms.map((room) => synced(room)));
      await Promise.all(rooms.map((room) => stateWhere(room, (state) => state.participants.size === rooms.length)));
      return rooms;
    },
    join: async (code, name) => {
      const room = await context.server.colyseus.sdk.joinById<JamState>(code, { name });
      room.onMessage("*", () => undefined);
      return room;
    },
  };
  return context;
}

/** Sends a message that must be refused; returns the error's code and type. */
async function refused(room: Room<JamState>, type: string, payload: unknown): Promise<Pick<ErrorReply, "code" | "type">> {
  const error = nextMessage(room, "error");
  room.send(type, payload);
  const { code, type: rejected } = await error;
  return { code, type: rejected };
}

/**
 * Call before sending a message that must be refused. The returned check proves `others` got no
 * message and that their grid did not move: the sender then sends a marker note and mutes itself;
 * the marker must be the first message each of the others gets, and the mute must show with the
 * tracks unchanged.
 */
function watchOthers(others: Room<JamState>[]): (sender: Room<JamState>, tracksBefore: Record<string, TrackView>) => Promise<void> {
  const firsts = others.map((room) => firstMessage(room));
  return async (sender, tracksBefore) => {
    sender.send("note", { note: 72, seq: 4242 });
    sender.send("mute", { muted: true });
    for (const [i, room] of others.entries()) {
      const first = await firsts[i];
      assert.deepEqual([first?.type, (first?.message as { seq?: number } | undefined)?.seq], ["note", 4242]);
      await stateWhere(room, (state) => state.participants.get(sender.sessionId)?.muted === true);
      assert.deepEqual(tracksOf(room.state), tracksBefore);
    }
  };
}

describe("JamRoom", () => {
  describe("shared pattern", () => {
    const jam = usePatternJam();

    describe('onMessage("addTrack")', () => {
      it("adds an empty track with a generated id, created by the sender, seen by everyone", async () => {
        const [ann, bob] = await jam.open("Ann", "Bob");
        const serverState = jam.server.colyseus.getRoomById<JamState>(ann.roomId).state;
        const { tracks: _tracks, ...restBefore } = serverState.toJSON() as Record<string, unknown>;

        bob.send("addTrack", { instrument: "kick" });

        await stateWhere(ann, (state) => state.tracks.size === 1);
        const { tracks: _tracksAfter, ...restAfter } = serverState.toJSON() as Record<string, unknown>;
        assert.deepEqual(restAfter, restBefore, "only the tracks changed");
        const [id, track] = Object.entries(tracksOf(ann.state))[0] ?? [];
        assert.match(id ?? "", /^[a-z0-9_-]{1,32}$/);
        assert.deepEqual(track, { id, instrument: "kick", createdBy: bob.sessionId, steps: Array(16).fill(EMPTY_STEP) });
        await stateWhere(bob, (state) => state.tracks.size === 1);
        assert.deepEqual(tracksOf(bob.state), tracksOf(ann.state));
      });

      it("generates a different id for every track", async () => {
        const [ann] = await jam.open("Ann");

        for (let i = 0; i < 5; i++) ann.send("addTrack", { instrument: "hat" });

        await stateWhere(ann, (state) => state.tracks.size === 5);
        assert.equal(new Set(Object.keys(tracksOf(ann.state))).size, 5);
      });

      it("uses the given id", async () => {
        const [ann, bob] = await jam.open("Ann", "Bob");

        ann.send("addTrack", { id: "bass_line-2", instrument: "bass" });

        await stateWhere(bob, (state) => state.tracks.has("bass_line-2"));
        assert.deepEqual(tracksOf(bob.state), {
          "bass_line-2": { id: "bass_line-2", instrument: "bass", createdBy: ann.sessionId, steps: Array(16).fill(EMPTY_STEP) },
        });
      });

      it("makes the steps as long as the room's loopSteps", async () => {
        const ann = await jam.server.colyseus.sdk.create<JamState>("jam", { name: "Ann", loopSteps: 7 });
        ann.onMessage("*", () => undefined);
        await synced(ann);

        ann.send("addTrack", { id: "odd", instrument: "clap" });

        await stateWhere(ann, (state) => state.tracks.has("odd"));
        assert.deepEqual(tracksOf(ann.state).odd?.steps, Array(7).fill(EMPTY_STEP));
      });

      it("answers an existing id with BAD_REQUEST to the sender only and leaves the track as it was", async () => {
        const [ann, bob, cy] = await jam.open("Ann", "Bob", "Cy");
        ann.send("addTrack", { id: "t1", instrument: "kick" });
        ann.send("setStep", { track: "t1", step: 0, on: true });
        await stateWhere(cy, (state) => state.tracks.get("t1")?.steps[0]?.on === true);
        await stateWhere(bob, (state) => state.tracks.get("t1")?.steps[0]?.on === true);
        const before = tracksOf(cy.state);

        const othersUnchanged = watchOthers([ann, cy]);
        assert.deepEqual(await refused(bob, "addTrack", { id: "t1", instrument: "snare" }), { code: "BAD_REQUEST", type: "addTrack" });

        await othersUnchanged(bob, before);
        assert.equal(before.t1?.instrument, "kick");
      });

      const invalid: Array<[string, unknown]> = [
        ["an id with a space", { id: "my track", instrument: "kick" }],
        ["an upper-case id", { id: "Kick", instrument: "kick" }],
        ["a 33-character id", { id: "k".repeat(33), instrument: "kick" }],
        ["an empty id", { id: "", instrument: "kick" }],
        ["a numeric id", { id: 7, instrument: "kick" }],
        ["a missing instrument", { id: "t1" }],
        ["an empty instrument", { instrument: "" }],
        ["a 33-character instrument", { instrument: "i".repeat(33) }],
      ];
      for (const [label, payload] of invalid) {
        it(`answers ${label} with BAD_REQUEST and adds nothing`, async () => {
          const [ann, bob] = await jam.open("Ann", "Bob");

          const othersUnchanged = watchOthers([bob]);
          assert.deepEqual(await refused(ann, "addTrack", payload), { code: "BAD_REQUEST", type: "addTrack" });

          await othersUnchanged(ann, {});
        });
      }

      it("answers the 17th track (MAX_TRACKS 16) with BAD_REQUEST", async () => {
        const [ann, bob] = await jam.open("Ann", "Bob");
        for (let i = 0; i < 16; i++) ann.send("addTrack", { id: `t${i}`, instrument: "hat" });
        await stateWhere(bob, (state) => state.tracks.size === 16);
        const before = tracksOf(bob.state);

        const othersUnchanged = watchOthers([bob]);
        assert.deepEqual(await refused(ann, "addTrack", { id: "t16", instrument: "hat" }), { code: "BAD_REQUEST", type: "addTrack" });

        await othersUnchanged(ann, before);
      });
    });

    describe('onMessage("setStep")', () => {
      async function withTrack(): Promise<Room<JamState>[]> {
        const rooms = await jam.open("Ann", "Bob");
        const [ann, bob] = rooms as [Room<JamState>, Room<JamState>];
        ann.send("addTrack", { id: "t1", instrument: "kick" });
        ann.send("addTrack", { id: "t2", instrument: "snare" });
        await stateWhere(bob, (state) => state.tracks.size === 2);
        return rooms;
      }

      it("sets on, note and velocity of one step, seen by everyone", async () => {
        const [ann, bob] = (await withTrack()) as [Room<JamState>, Room<JamState>];

        bob.send("setStep", { track: "t1", step: 3, on: true, note: 64, velocity: 90 });

        await stateWhere(ann, (state) => state.tracks.get("t1")?.steps[3]?.on === true);
        const expected = Array.from({ length: 16 }, (_, i) => (i === 3 ? { on: true, note: 64, velocity: 90 } : EMPTY_STEP));
        assert.deepEqual(tracksOf(ann.state).t1?.steps, expected);
        assert.deepEqual(tracksOf(ann.state).t2?.steps, Array(16).fill(EMPTY_STEP));
        assert.equal(tracksOf(ann.state).t1?.createdBy, ann.sessionId);
      });

      it("keeps note and velocity when only on is given", async () => {
        const [ann, bob] = (await withTrack()) as [Room<JamState>, Room<JamState>];
        ann.send("setStep", { track: "t1", step: 15, on: true, note: 0, velocity: 127 });
        ann.send("setStep", { track: "t1", step: 15, on: false });
        ann.send("setStep", { track: "t1", step: 0, on: true, note: 127, velocity: 1 });

        await stateWhere(bob, (state) => state.tracks.get("t1")?.steps[0]?.on === true);
        assert.deepEqual(tracksOf(bob.state).t1?.steps[15], { on: false, note: 0, velocity: 127 });
        assert.deepEqual(tracksOf(bob.state).t1?.steps[0], { on: true, note: 127, velocity: 1 });
      });

      it("applies edits in the order the server receives them (last write wins)", async () => {
        const [ann, bob] = (await withTrack()) as [Room<JamState>, Room<JamState>];
        ann.send("setStep", { track: "t2", step: 5, on: true, note: 61 });
        await stateWhere(bob, (state) => state.tracks.get("t2")?.steps[5]?.note === 61);

        bob.send("setStep", { track: "t2", step: 5, on: true, note: 62 });
        ann.send("setStep", { track: "t2", step: 6, on: true });
        await stateWhere(ann, (state) => state.tracks.get("t2")?.steps[5]?.note === 62);

        bob.send("setStep", { track: "t2", step: 5, on: false });
        await stateWhere(ann, (state) => state.tracks.get("t2")?.steps[5]?.on === false);
        assert.deepEqual(tracksOf(ann.state).t2?.steps[5], { on: false, note: 62, velocity: 100 });
      });

      it("answers an unknown track with NOT_FOUND to the sender only", async () => {
        const [ann, bob] = (await withTrack()) as [Room<JamState>, Room<JamState>];
        const before = tracksOf(bob.state);

        const othersUnchanged = watchOthers([bob]);
        assert.deepEqual(await refused(ann, "setStep", { track: "ghost", step: 0, on: true }), { code: "NOT_FOUND", type: "setStep" });

        await othersUnchanged(ann, before);
      });

      const invalid: Array<[string, unknown]> = [
        ["step = loopSteps", { track: "t1", step: 16, on: true }],
        ["a negative step", { track: "t1", step: -1, on: true }],
        ["a fractional step", { track: "t1", step: 1.5, on: true }],
        ["a missing on", { track: "t1", step: 0 }],
        ["on as a number", { track: "t1", step: 0, on: 1 }],
        ["note 128", { track: "t1", step: 0, on: true, note: 128 }],
        ["note -1", { track: "t1", step: 0, on: true, note: -1 }],
        ["velocity 0", { track: "t1", step: 0, on: true, velocity: 0 }],
        ["velocity 128", { track: "t1", step: 0, on: true, velocity: 128 }],
        ["a missing track", { step: 0, on: true }],
      ];
      for (const [label, payload] of invalid) {
        it(`answers ${label} with BAD_REQUEST and changes nothing`, async () => {
          const [ann, bob] = (await withTrack()) as [Room<JamState>, Room<JamState>];
          const before = tracksOf(bob.state);

          const othersUnchanged = watchOthers([bob]);
          assert.deepEqual(await refused(ann, "setStep", payload), { code: "BAD_REQUEST", type: "setStep" });

          await othersUnchanged(ann, before);
        });
      }

      it("bounds the step by the room's own loopSteps", async () => {
        const ann = await jam.server.colyseus.sdk.create<JamState>("jam", { name: "Ann", loopSteps: 8 });
        ann.onMessage("*", () => undefined);
        await synced(ann);
        ann.send("addTrack", { id: "t1", instrument: "kick" });
        await stateWhere(ann, (state) => state.tracks.has("t1"));

        assert.deepEqual(await refused(ann, "setStep", { track: "t1", step: 8, on: true }), { code: "BAD_REQUEST", type: "setStep" });
        ann.send("setStep", { track: "t1", step: 7, on: true });
        await stateWhere(ann, (state) => state.tracks.get("t1")?.steps[7]?.on === true);
        assert.equal(ann.state.tracks.get("t1")?.steps.length, 8);
      });
    });

    describe('onMessage("clearTrack")', () => {
      it("turns every step of the track off, and only of that track", async () => {
        const [ann, bob] = await jam.open("Ann", "Bob");
        ann.send("addTrack", { id: "t1", instrument: "kick" });
        ann.send("addTrack", { id: "t2", instrument: "snare" });
        for (const step of [0, 4, 8, 15]) ann.send("setStep", { track: "t1", step, on: true });
        ann.send("setStep", { track: "t2", step: 2, on: true });
        await stateWhere(bob, (state) => state.tracks.get("t2")?.steps[2]?.on === true);
        await stateWhere(ann, (state) => state.tracks.get("t2")?.steps[2]?.on === true);
        assert.equal(ann.state.tracks.get("t1")?.steps.filter((step) => step.on).length, 4);

        bob.send("clearTrack", { track: "t1" });

        await stateWhere(ann, (state) => state.tracks.get("t1")?.steps.every((step) => !step.on) === true);
        const tracks = tracksOf(ann.state);
        assert.equal(tracks.t1?.steps.length, 16);
        assert.ok(tracks.t1?.steps.every((step) => step.on === false));
        assert.equal(tracks.t2?.steps[2]?.on, true);
        assert.equal(tracks.t1?.createdBy, ann.sessionId);
      });

      it("answers an unknown track with NOT_FOUND", async () => {
        const [ann, bob] = await jam.open("Ann", "Bob");
        ann.send("addTrack", { id: "t1", instrument: "kick" });
        ann.send("setStep", { track: "t1", step: 1, on: true });
        await stateWhere(bob, (state) => state.tracks.get("t1")?.steps[1]?.on === true);
        const before = tracksOf(bob.state);

        const othersUnchanged = watchOthers([bob]);
        assert.deepEqual(await refused(ann, "clearTrack", { track: "t2" }), { code: "NOT_FOUND", type: "clearTrack" });

        await othersUnchanged(ann, before);
      });

      it("answers a missing track with BAD_REQUEST", async () => {
        const [ann] = await jam.open("Ann");
        assert.deepEqual(await refused(ann, "clearTrack", {}), { code: "BAD_REQUEST", type: "clearTrack" });
      });
    });

    describe('onMessage("removeTrack")', () => {
      it("removes the track for everyone, and only that track", async () => {
        const [ann, bob] = await jam.open("Ann", "Bob");
        ann.send("addTrack", { id: "t1", instrument: "kick" });
        ann.send("addTrack", { id: "t2", instrument: "snare" });
        await stateWhere(bob, (state) => state.tracks.size === 2);
        await stateWhere(ann, (state) => state.tracks.size === 2);

        bob.send("removeTrack", { track: "t1" });

        await stateWhere(ann, (state) => !state.tracks.has("t1"));
        assert.deepEqual(Object.keys(tracksOf(ann.state)), ["t2"]);
        await stateWhere(bob, (state) => !state.tracks.has("t1"));
      });

      it("answers an unknown or already removed track with NOT_FOUND", async () => {
        const [ann, bob] = await jam.open("Ann", "Bob");
        ann.send("addTrack", { id: "t1", instrument: "kick" });
        ann.send("removeTrack", { track: "t1" });
        ann.send("addTrack", { id: "t2", instrument: "snare" });
        await stateWhere(bob, (state) => state.tracks.has("t2"));
        const before = tracksOf(bob.state);

        const othersUnchanged = watchOthers([bob]);
        assert.deepEqual(await refused(ann, "removeTrack", { track: "t1" }), { code: "NOT_FOUND", type: "removeTrack" });

        await othersUnchanged(ann, before);
      });

      it("frees the id: the same id can be added again", async () => {
        const [ann] = await jam.open("Ann");
        ann.send("addTrack", { id: "t1", instrument: "kick" });
        ann.send("setStep", { track: "t1", step: 0, on: true });
        ann.send("removeTrack", { track: "t1" });
        ann.send("addTrack", { id: "t1", instrument: "cowbell" });

        await stateWhere(ann, (state) => state.tracks.get("t1")?.instrument === "cowbell");
        assert.deepEqual(tracksOf(ann.state).t1?.steps, Array(16).fill(EMPTY_STEP));
      });
    });

    describe("the pattern over the room's life", () => {
      it("keeps tracks after the participant who made them leaves", async () => {
        const [ann, bob] = await jam.open("Ann", "Bob");
        ann.send("addTrack", { id: "t1", instrument: "kick" });
        ann.send("setStep", { track: "t1", step: 2, on: true, note: 36 });
        await stateWhere(bob, (state) => state.tracks.get("t1")?.steps[2]?.on === true);
        const before = tracksOf(bob.state);
        const annId = ann.sessionId;

        await ann.leave();
        await stateWhere(bob, (state) => !state.participants.has(annId));

        assert.deepEqual(tracksOf(bob.state), before);
        assert.equal(before.t1?.createdBy, annId);
        bob.send("setStep", { track: "t1", step: 3, on: true });
        await stateWhere(bob, (state) => state.tracks.get("t1")?.steps[3]?.on === true);
      });

      it("shows a late joiner the same grid", async () => {
        const [ann, bob] = await jam.open("Ann", "Bob");
        ann.send("addTrack", { id: "drums", instrument: "kit" });
        bob.send("addTrack", { instrument: "bass" });
        ann.send("setStep", { track: "drums", step: 0, on: true, note: 36, velocity: 127 });
        ann.send("setStep", { track: "drums", step: 8, on: true, note: 38 });
        await stateWhere(bob, (state) => state.tracks.size === 2 && state.tracks.get("drums")?.steps[8]?.on === true);
        const bassId = [...bob.state.tracks.keys()].find((id) => id !== "drums") ?? "";
        bob.send("setStep", { track: bassId, step: 4, on: true, note: 40, velocity: 80 });
        await stateWhere(ann, (state) => state.tracks.get(bassId)?.steps[4]?.on === true);

        const cy = await jam.join(ann.roomId, "Cy");
        await synced(cy);

        assert.deepEqual(tracksOf(cy.state), tracksOf(ann.state));
        assert.deepEqual(tracksOf(cy.state), jam.server.colyseus.getRoomById<JamState>(ann.roomId).state.tracks.toJSON());
        assert.equal(cy.state.tracks.get("drums")?.steps[8]?.note, 38);
      });
    });
  });

  describe('onMessage("addTrack") with MAX_TRACKS 2', () => {
    const jam = usePatternJam({ maxTracks: 2 });

    it("answers a third track with BAD_REQUEST, and accepts one again once a track is removed", async () => {
      const [ann, bob] = await jam.open("Ann", "Bob");
      ann.send("addTrack", { id: "t1", instrument: "kick" });
      bob.send("addTrack", { id: "t2", instrument: "snare" });
      await stateWhere(ann, (state) => state.tracks.size === 2);
      await stateWhere(bob, (state) => state.tracks.size === 2);
      const before = tracksOf(bob.state);

      const othersUnchanged = watchOthers([bob]);
      assert.deepEqual(await refused(ann, "addTrack", { id: "t3", instrument: "hat" }), { code: "BAD_REQUEST", type: "addTrack" });
      await othersUnchanged(ann, before);
      assert.deepEqual(await refused(bob, "addTrack", { instrument: "hat" }), { code: "BAD_REQUEST", type: "addTrack" });
      assert.equal(jam.server.colyseus.getRoomById<JamState>(ann.roomId).state.tracks.size, 2);

      bob.send("removeTrack", { track: "t1" });
      bob.send("addTrack", { id: "t3", instrument: "hat" });
      await stateWhere(ann, (state) => state.tracks.has("t3"));
      assert.deepEqual(Object.keys(tracksOf(ann.state)).sort(), ["t2", "t3"]);
    });
  });
});

import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { RoomSummary } from "../../src/http/roomRoutes";
import { JoinError } from "../../src/protocol/errors";
import type { JamState } from "../../src/schema/JamState";
import { stateWhere, synced } from "../../support/clients";
import { drop, getJson, refusal, roomDisposed } from "../helpers/lifecycle";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

describe("JamRoom > onJoin", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });

  type Options = Record<string, unknown>;

  async function create(options: Options = {}): Promise<Room<JamState>> {
    return synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann", ...options }));
  }

  async function join(code: string, options: Options): Promise<Room<JamState>> {
    return synced(await server.colyseus.sdk.joinById<JamState>(code, options));
  }

  /** Everything an observer could see of the room: its synced state, its clients, its listing. */
  async function snapshot(code: string): Promise<{ state: unknown; clients: number; listing: unknown }> {
    const room = server.colyseus.getRoomById<JamState>(code);
    const listing = await getJson<RoomSummary>(server, `/rooms/${code}`);
    return { state: room.state.toJSON(), clients: room.clients.length, listing: listing.body };
  }

  describe("JamRoom > onJoin > by code", () => {
    it("lets a second musician join by code; both see both participants with every field", async () => {
      const createdAt = clock.time;
      const ann = await create({ instrument: "drums" });
      clock.advance(1500);
      const bob = await join(ann.roomId, { name: "Bob", instrument: "bass" });
      await stateWhere(ann, (s) => s.participants.has(bob.sessionId));

      for (const viewer of [ann, bob]) {
        const { participants, host } = viewer.state;
        assert.equal(participants.size, 2);
        assert.equal(host, ann.sessionId);
        const a = participants.get(ann.sessionId);
        const b = participants.get(bob.sessionId);
        assert.deepEqual(a?.toJSON(), {
          id: ann.sessionId,
          name: "Ann",
          instrument: "drums",
          isHost: true,
          joinedAt: createdAt,
          connected: true,
          muted: false,
        });
        assert.deepEqual(b?.toJSON(), {
          id: bob.sessionId,
          name: "Bob",
          instrument: "bass",
          isHost: false,
          joinedAt: createdAt + 1500,
          connected: true,
          muted: false,
        });
      }
    });

    it("defaults the joiner's instrument to piano and trims its name", async () => {
      const ann = await create();
      const bob = await join(ann.roomId, { name: "  Bob " });
      const me = bob.state.participants.get(bob.sessionId);
      assert.equal(me?.name, "Bob");
      assert.equal(me?.instrument, "piano");
    });

    it("gives a late joiner the room as it is (tempo, pattern, other participants)", async () => {
      const ann = await create({ tempo: 95, loopSteps: 8 });
      ann.send("addTrack", { id: "beat", instrument: "drums" });
      ann.send("setStep", { track: "beat", step: 3, on: true, note: 36 });
      await stateWhere(ann, (s) => s.tracks.get("beat")?.steps[3]?.on === true);
      const bob = await join(ann.roomId, { name: "Bob" });
      assert.equal(bob.state.roomCode, ann.roomId);
      assert.equal(bob.state.tempo, 95);
      assert.equal(bob.state.loopSteps, 8);
      const beat = bob.state.tracks.get("beat");
      assert.equal(beat?.steps.length, 8);
      assert.equal(beat?.steps[3]?.on, true);
      assert.equal(beat?.steps[3]?.note, 36);
      assert.equal(bob.state.participants.get(ann.sessionId)?.name, "Ann");
    });

    it("makes only the creator host, however many join", async () => {
      const ann = await create();
      const bob = await join(ann.roomId, { name: "Bob" });
      const cy = await join(ann.roomId, { name: "Cy" });
      const state = await stateWhere(ann, (s) => s.participants.size === 3);
      const hosts = Array.from(state.participants.values())
        .filter((p) => p.isHost)
        .map((p) => p.id);
      assert.deepEqual(hosts, [ann.sessionId]);
      assert.equal(bob.state.host, ann.sessionId);
      assert.equal(cy.state.host, ann.sessionId);
    });

    it("accepts exactly maxParticipants participants", async () => {
      const ann = await create({ maxParticipants: 3 });
      await join(ann.roomId, { name: "Bob" });
      await join(ann.roomId, { name: "Cy" });
      await stateWhere(ann, (s) => s.participants.size === 3);
    });
  });

  describe("JamRoom > onJoin > refusals", () => {
    it('refuses an unknown code with "not found"', async () => {
      await assert.rejects(server.colyseus.sdk.joinById("ZZZZZZ", { name: "Bob" }), refusal(JoinError.NOT_FOUND, /not found/));
    });

    it('refuses the code of a room that was disposed with "not found"', async () => {
      const ann = await create();
      const code = ann.roomId;
      const disposed = roomDisposed(server.colyseus.getRoomById(code));
      await ann.leave();
      await disposed;
      await assert.rejects(server.colyseus.sdk.joinById(code, { name: "Bob" }), refusal(JoinError.NOT_FOUND, /not found/));
    });

    it('refuses a join into a full room with "full"', async () => {
      const ann = await create({ maxParticipants: 2 });
      await join(ann.roomId, { name: "Bob" });
      await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, { name: "Cy" }), refusal(JoinError.FULL, /full/));
    });

    it("counts a participant within its reconnection grace toward full", async () => {
      const ann = await create({ maxParticipants: 2 });
      const bob = await join(ann.roomId, { name: "Bob" });
      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, { name: "Cy" }), refusal(JoinError.FULL, /full/));
    });

    it("lets a newcomer in once a participant has left a full room", async () => {
      const ann = await create({ maxParticipants: 2 });
      const bob = await join(ann.roomId, { name: "Bob" });
      await bob.leave();
      await stateWhere(ann, (s) => s.participants.size === 1);
      const cy = await join(ann.roomId, { name: "Cy" });
      assert.equal(cy.state.participants.size, 2);
    });

    it("admits only one of two simultaneous joins for the last place", async () => {
      const ann = await create({ maxParticipants: 2 });
      const results = await Promise.allSettled([
        server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Bob" }),
        server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Cy" }),
      ]);
      const admitted = results.filter((r) => r.status === "fulfilled");
      const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      assert.equal(admitted.length, 1);
      assert.equal(refused.length, 1);
      refusal(JoinError.FULL, /full/)(refused[0]);
      await stateWhere(ann, (s) => s.participants.size === 2);
      assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.participants.size, 2);
    });

    const takenNames: [string, string][] = [
      ["the same name", "Ann"],
      ["the name in capitals", "ANN"],
      ["the name in lower case", "ann"],
      ["the name with spaces around it", "  ann "],
    ];
    for (const [what, name] of takenNames) {
      it(`refuses ${what} ("${name}" when "Ann" is in) with "name already taken"`, async () => {
        const ann = await create();
        await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, { name }), refusal(JoinError.NAME_TAKEN, /name already taken/));
      });
    }

    it("keeps the name of a participant within its reconnection grace taken", async () => {
      const ann = await create();
      const bob = await join(ann.roomId, { name: "Bob" });
      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, { name: "bob" }), refusal(JoinError.NAME_TAKEN, /name already taken/));
    });

    it("frees a name when its participant leaves", async () => {
      const ann = await create();
      const bob = await join(ann.roomId, { name: "Bob" });
      await bob.leave();
      await stateWhere(ann, (s) => !s.participants.has(bob.sessionId));
      const again = await join(ann.roomId, { name: "Bob" });
      assert.equal(again.state.participants.get(again.sessionId)?.name, "Bob");
    });

    const invalidNames: [string, Options][] = [
      ["missing", {}],
      ["empty", { name: "" }],
      ["only spaces", { name: "  " }],
      ["33 characters", { name: "B".repeat(33) }],
      ["a control character inside", { name: "Bo\u0000b" }],
      ["a DEL character inside", { name: "Bo\u007fb" }],
      ["not a string", { name: ["Bob"] }],
    ];
    for (const [what, options] of invalidNames) {
      it(`refuses a name that is ${what} with "invalid name"`, async () => {
        const ann = await create();
        await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, options), refusal(JoinError.INVALID_NAME, /invalid name/));
      });
    }

    const badInstruments: [string, unknown][] = [
      ["empty", ""],
      ["33 characters", "i".repeat(33)],
      ["not a string", 3],
      ["a control character inside", "ba\u0007ss"],
    ];
    for (const [what, instrument] of badInstruments) {
      it(`refuses an instrument that is ${what} with "invalid option"`, async () => {
        const ann = await create();
        await assert.rejects(
          server.colyseus.sdk.joinById(ann.roomId, { name: "Bob", instrument }),
          refusal(JoinError.INVALID_OPTION, /invalid option/),
        );
      });
    }

    const refusedJoins: [string, Options, number][] = [
      ["full", { name: "Dee" }, JoinError.FULL],
      ["name taken", { name: "BOB" }, JoinError.NAME_TAKEN],
      ["invalid name", { name: "" }, JoinError.INVALID_NAME],
      ["bad instrument", { name: "Dee", instrument: "" }, JoinError.INVALID_OPTION],
    ];
    for (const [what, options, code] of refusedJoins) {
      it(`a refused join (${what}) changes nothing in the room`, async () => {
        const ann = await create({ maxParticipants: code === JoinError.FULL ? 3 : 10 });
        const bob = await join(ann.roomId, { name: "Bob" });
        const cy = await join(ann.roomId, { name: "Cy" });
        await drop(cy); // one participant within its grace, so "nothing changes" covers it too
        await stateWhere(ann, (s) => s.participants.get(cy.sessionId)?.connected === false);
        const before = await snapshot(ann.roomId);
        clock.advance(1000);

        await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, options), (error: unknown) => {
          assert.equal((error as { code?: unknown }).code, code);
          return true;
        });

        assert.deepEqual(await snapshot(ann.roomId), before);
        // And the room still works for those in it: the next change reaches everyone.
        ann.send("mute", { muted: true });
        const seen = await stateWhere(bob, (s) => s.participants.get(ann.sessionId)?.muted === true);
        assert.deepEqual(Array.from(seen.participants.keys()).sort(), [ann.sessionId, bob.sessionId, cy.sessionId].sort());
      });
    }
  });
});

import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { RoomSummary } from "../../src/http/roomRoutes";
import { JoinError } from "../../src/protocol/errors";
import { ROOM_CODE_ALPHABET } from "../../src/rules/roomCode";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { getJson, refusal } from "../helpers/lifecycle";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

describe("JamRoom > onCreate", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });

  type Options = Record<string, unknown>;

  async function create(options: Options): Promise<Room<JamState>> {
    return synced(await server.colyseus.sdk.create<JamState>("jam", options));
  }

  async function listingOf(code: string): Promise<RoomSummary> {
    const answer = await getJson<RoomSummary>(server, `/rooms/${code}`);
    assert.equal(answer.status, 200);
    return answer.body;
  }

  /** Adds a track and resolves with the length of its `steps` as the creator sees it. */
  async function stepsOfNewTrack(room: Room<JamState>): Promise<number> {
    room.send("addTrack", { id: "beat", instrument: "drums" });
    const state = await stateWhere(room, (s) => s.tracks.has("beat"));
    return state.tracks.get("beat")?.steps.length ?? -1;
  }

  it("gives the room a 6-character code that is its roomId", async () => {
    const room = await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" });
    await synced(room);
    assert.equal(room.state.roomCode, room.roomId);
    assert.match(room.state.roomCode, new RegExp(`^[${ROOM_CODE_ALPHABET}]{6}$`));
  });

  it("applies the defaults of the contract", async () => {
    const room = await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" });
    await synced(room);
    assert.equal(room.state.tempo, 120);
    assert.equal(room.state.loopSteps, 16);
    assert.equal(room.state.transport, "host");
    assert.equal(room.state.isPlaying, false);
    assert.equal(room.state.currentStep, 0);
    assert.equal(room.state.playStartedAt, 0);
    const me = room.state.participants.get(room.sessionId);
    assert.equal(me?.instrument, "piano");
    assert.equal(me?.isHost, true);
    assert.equal(room.state.host, room.sessionId);
  });

  it('refuses an out-of-range tempo with "invalid option"', async () => {
    await assert.rejects(server.colyseus.sdk.create("jam", { name: "Ann", tempo: 301 }), (error: { code: number; message: string }) => {
      assert.equal(error.code, JoinError.INVALID_OPTION);
      assert.match(error.message, /invalid option/);
      return true;
    });
  });

  it("gives the room distinct codes (two live rooms never share one)", async () => {
    const rooms = await Promise.all(["Ann", "Bob", "Cy", "Dee", "Eve"].map((name) => create({ name })));
    assert.equal(new Set(rooms.map((r) => r.roomId)).size, rooms.length);
  });

  describe("JamRoom > onCreate > name", () => {
    it("makes the creator the only participant: trimmed name, host, joinedAt = server time, connected, not muted", async () => {
      const room = await create({ name: "  Ann  " });
      assert.equal(room.state.participants.size, 1);
      const me = room.state.participants.get(room.sessionId);
      assert.equal(me?.id, room.sessionId);
      assert.equal(me?.name, "Ann");
      assert.equal(me?.isHost, true);
      assert.equal(me?.joinedAt, clock.time);
      assert.equal(me?.connected, true);
      assert.equal(me?.muted, false);
    });

    it("accepts a 32-character name", async () => {
      const name = "N".repeat(32);
      const room = await create({ name });
      assert.equal(room.state.participants.get(room.sessionId)?.name, name);
    });

    const invalidNames: [string, Options][] = [
      ["missing", {}],
      ["empty", { name: "" }],
      ["only spaces", { name: "   " }],
      ["33 characters", { name: "N".repeat(33) }],
      ["a control character inside", { name: "A\u0007nn" }],
      ["a line break inside", { name: "Ann\nBob" }],
      ["not a string", { name: 42 }],
    ];
    for (const [what, options] of invalidNames) {
      it(`refuses a name that is ${what} with "invalid name"`, async () => {
        await assert.rejects(server.colyseus.sdk.create("jam", options), refusal(JoinError.INVALID_NAME, /invalid name/));
      });
    }
  });

  describe("JamRoom > onCreate > instrument", () => {
    it("sets the creator's instrument", async () => {
      const room = await create({ name: "Ann", instrument: "drums" });
      assert.equal(room.state.participants.get(room.sessionId)?.instrument, "drums");
    });

    it("accepts a 32-character instrument", async () => {
      const instrument = "i".repeat(32);
      const room = await create({ name: "Ann", instrument });
      assert.equal(room.state.participants.get(room.sessionId)?.instrument, instrument);
    });

    const invalid: [string, unknown][] = [
      ["empty", ""],
      ["33 characters", "i".repeat(33)],
      ["not a string", 7],
    ];
    for (const [what, instrument] of invalid) {
      it(`refuses an instrument that is ${what} with "invalid option"`, async () => {
        await assert.rejects(
          server.colyseus.sdk.create("jam", { name: "Ann", instrument }),
          refusal(JoinError.INVALID_OPTION, /invalid option.*instrument/),
        );
      });
    }
  });

  describe("JamRoom > onCreate > tempo", () => {
    for (const tempo of [20, 97.5, 300]) {
      it(`accepts tempo ${tempo}`, async () => {
        const room = await create({ name: "Ann", tempo });
        assert.equal(room.state.tempo, tempo);
        assert.equal((await listingOf(room.roomId)).tempo, tempo);
      });
    }

    for (const tempo of [19, 19.99, 301, "120", null]) {
      it(`refuses tempo ${JSON.stringify(tempo)} with "invalid option"`, async () => {
        await assert.rejects(
          server.colyseus.sdk.create("jam", { name: "Ann", tempo }),
          refusal(JoinError.INVALID_OPTION, /invalid option.*tempo/),
        );
      });
    }
  });

  describe("JamRoom > onCreate > maxParticipants", () => {
    it("defaults to 10", async () => {
      const room = await create({ name: "Ann" });
      assert.equal((await listingOf(room.roomId)).maxParticipants, 10);
    });

    for (const maxParticipants of [2, 16]) {
      it(`accepts ${maxParticipants}`, async () => {
        const room = await create({ name: "Ann", maxParticipants });
        assert.equal((await listingOf(room.roomId)).maxParticipants, maxParticipants);
      });
    }

    for (const maxParticipants of [1, 17, 2.5, "4", 0, -3]) {
      it(`refuses ${JSON.stringify(maxParticipants)} with "invalid option"`, async () => {
        await assert.rejects(
          server.colyseus.sdk.create("jam", { name: "Ann", maxParticipants }),
          refusal(JoinError.INVALID_OPTION, /invalid option.*maxParticipants/),
        );
      });
    }
  });

  describe("JamRoom > onCreate > private", () => {
    it("defaults to public: the room is listed by GET /rooms", async () => {
      const room = await create({ name: "Ann" });
      const listed = await getJson<RoomSummary[]>(server, "/rooms");
      assert.deepEqual(
        listed.body.map((r) => r.roomCode),
        [room.roomId],
      );
    });

    it("private: true keeps the room out of GET /rooms but reachable by its code", async () => {
      const room = await create({ name: "Ann", private: true });
      const listed = await getJson<RoomSummary[]>(server, "/rooms");
      assert.deepEqual(listed.body, []);
      assert.equal((await listingOf(room.roomId)).roomCode, room.roomId);
    });

    it("private: false lists the room", async () => {
      const room = await create({ name: "Ann", private: false });
      const listed = await getJson<RoomSummary[]>(server, "/rooms");
      assert.deepEqual(
        listed.body.map((r) => r.roomCode),
        [room.roomId],
      );
    });

    for (const value of ["yes", 1]) {
      it(`refuses private: ${JSON.stringify(value)} with "invalid option"`, async () => {
        await assert.rejects(
          server.colyseus.sdk.create("jam", { name: "Ann", private: value }),
          refusal(JoinError.INVALID_OPTION, /invalid option.*private/),
        );
      });
    }
  });

  describe("JamRoom > onCreate > transport", () => {
    it('"host" (the default) keeps a guest from changing the tempo', async () => {
      const host = await create({ name: "Ann" });
      const guest = await synced(await server.colyseus.sdk.joinById<JamState>(host.roomId, { name: "Bob" }));
      const refused = nextMessage(guest, "error");
      guest.send("tempo", { tempo: 90 });
      assert.equal((await refused).code, "NOT_ALLOWED");
      assert.equal(server.colyseus.getRoomById<JamState>(host.roomId).state.tempo, 120);
    });

    it('"everyone" is in the state and lets a guest change the tempo', async () => {
      const host = await create({ name: "Ann", transport: "everyone" });
      assert.equal(host.state.transport, "everyone");
      const guest = await synced(await server.colyseus.sdk.joinById<JamState>(host.roomId, { name: "Bob" }));
      guest.send("tempo", { tempo: 90 });
      await stateWhere(host, (s) => s.tempo === 90);
    });

    it('accepts "host" explicitly', async () => {
      const room = await create({ name: "Ann", transport: "host" });
      assert.equal(room.state.transport, "host");
    });

    for (const transport of ["anyone", "HOST", 1]) {
      it(`refuses transport ${JSON.stringify(transport)} with "invalid option"`, async () => {
        await assert.rejects(
          server.colyseus.sdk.create("jam", { name: "Ann", transport }),
          refusal(JoinError.INVALID_OPTION, /invalid option.*transport/),
        );
      });
    }
  });

  describe("JamRoom > onCreate > loopSteps", () => {
    it("defaults to 16: a new track has 16 steps", async () => {
      const room = await create({ name: "Ann" });
      assert.equal(room.state.loopSteps, 16);
      assert.equal(await stepsOfNewTrack(room), 16);
    });

    for (const loopSteps of [4, 7, 64]) {
      it(`accepts ${loopSteps}: the state says so and a new track has ${loopSteps} steps`, async () => {
        const room = await create({ name: "Ann", loopSteps });
        assert.equal(room.state.loopSteps, loopSteps);
        assert.equal(await stepsOfNewTrack(room), loopSteps);
      });
    }

    for (const loopSteps of [3, 65, 8.5, "16"]) {
      it(`refuses ${JSON.stringify(loopSteps)} with "invalid option"`, async () => {
        await assert.rejects(
          server.colyseus.sdk.create("jam", { name: "Ann", loopSteps }),
          refusal(JoinError.INVALID_OPTION, /invalid option.*loopSteps/),
        );
      });
    }
  });

  describe("JamRoom > onCreate > refused", () => {
    it("a refused create leaves no room behind", async () => {
      await assert.rejects(server.colyseus.sdk.create("jam", { name: "Ann", loopSteps: 3 }));
      await assert.rejects(server.colyseus.sdk.create("jam", { name: "" }));
      const listed = await getJson<RoomSummary[]>(server, "/rooms");
      assert.deepEqual(listed.body, []);
      const health = await getJson<{ rooms: number; clients: number }>(server, "/health");
      assert.equal(health.body.rooms, 0);
      assert.equal(health.body.clients, 0);
    });
  });
});

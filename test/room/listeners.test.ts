/**
 * Listeners as a user sees them: joining with `listener: true`, their own limit, the name rule they
 * share with musicians, the host role they never take, and a room that stays open for them.
 */
import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { RoomSummary } from "../../src/http/roomRoutes";
import { JoinError } from "../../src/protocol/errors";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { eventually } from "../../support/waiting";
import { listen as listenWith } from "../helpers/jam";
import { drop, getJson, refusal, roomDisposed } from "../helpers/lifecycle";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

type Jam = Room<JamState>;

describe("JamRoom > listeners", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });

  async function create(options: Record<string, unknown> = {}): Promise<Jam> {
    return synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann", ...options }));
  }
  /** The clock moves 1 s before each join, so join times tell who came first. */
  async function join(code: string, name: string): Promise<Jam> {
    clock.advance(1000);
    return synced(await server.colyseus.sdk.joinById<JamState>(code, { name }));
  }
  function listen(code: string, name: string): Promise<Jam> {
    clock.advance(1000);
    return listenWith(server, code, name);
  }
  const joinRefused = (code: string, options: Record<string, unknown>, error: number, words: RegExp) =>
    assert.rejects(server.colyseus.sdk.joinById(code, options), refusal(error, words));
  const listing = async (code: string) => (await getJson<RoomSummary>(server, `/rooms/${code}`)).body;

  describe("JamRoom > listeners > join", () => {
    it("joins with listener: true into `listeners`, not `participants`; musicians and the listener see it alike", async () => {
      const ann = await create();
      const lee = await listen(ann.roomId, " Lee ");
      const joinedAt = clock.time;
      for (const viewer of [ann, lee]) {
        const state = await stateWhere(viewer, (s) => s.listeners.has(lee.sessionId));
        assert.deepEqual(state.listeners.get(lee.sessionId)?.toJSON(), { id: lee.sessionId, name: "Lee", joinedAt, connected: true });
        assert.deepEqual(Array.from(state.participants.keys()), [ann.sessionId]);
        assert.equal(state.host, ann.sessionId);
      }
    });

    it("takes listeners into a room full of musicians; GET /rooms/:code counts the musicians only", async () => {
      const ann = await create({ maxParticipants: 2 });
      await join(ann.roomId, "Bob");
      await joinRefused(ann.roomId, { name: "Cy" }, JoinError.FULL, /full/);
      await listen(ann.roomId, "Lee");
      await listen(ann.roomId, "Mo");
      const state = await stateWhere(ann, (s) => s.listeners.size === 2);
      assert.equal(state.participants.size, 2);
      assert.deepEqual(await listing(ann.roomId), {
        roomCode: ann.roomId,
        roomId: ann.roomId,
        participants: 2,
        maxParticipants: 2,
        tempo: 120,
        isPlaying: false,
      });
      await joinRefused(ann.roomId, { name: "Cy" }, JoinError.FULL, /full/);
    });

    it("does not count listeners toward maxParticipants: musicians still join up to it", async () => {
      const ann = await create({ maxParticipants: 2 });
      for (const name of ["Lee", "Mo", "Nia"]) await listen(ann.roomId, name);
      await join(ann.roomId, "Bob");
      await stateWhere(ann, (s) => s.participants.size === 2 && s.listeners.size === 3);
    });

    it("refuses the 51st listener with 4230 full (MAX_LISTENERS 50), changing nothing; musicians still get in", async () => {
      assert.equal(server.settings.maxListeners, 50);
      const ann = await create();
      const names = Array.from({ length: 50 }, (_, i) => `Listener ${i + 1}`);
      await Promise.all(names.map((name) => listenWith(server, ann.roomId, name)));
      await stateWhere(ann, (s) => s.listeners.size === 50);
      await joinRefused(ann.roomId, { name: "Listener 51", listener: true }, JoinError.FULL, /full \(50 listeners\)/);
      const bob = await join(ann.roomId, "Bob");
      const state = await stateWhere(bob, (s) => s.participants.size === 2);
      assert.equal(state.listeners.size, 50);
    });

    for (const listener of ["yes", 1, null, { on: true }]) {
      it(`refuses listener: ${JSON.stringify(listener)} with 4233 invalid option`, async () => {
        const ann = await create();
        await joinRefused(ann.roomId, { name: "Lee", listener }, JoinError.INVALID_OPTION, /invalid option: listener/);
      });
    }

    it("refuses a listener's invalid name with 4232 invalid name", async () => {
      const ann = await create();
      await joinRefused(ann.roomId, { name: " ", listener: true }, JoinError.INVALID_NAME, /invalid name/);
    });

    it("never creates as a listener: create with listener: true is refused with 4233; listener: false creates a musician host", async () => {
      await assert.rejects(
        server.colyseus.sdk.create("jam", { name: "Lee", listener: true }),
        refusal(JoinError.INVALID_OPTION, /invalid option: create never makes a listener/),
      );
      const ann = await create({ listener: false });
      assert.equal(ann.state.host, ann.sessionId);
      assert.equal(ann.state.listeners.size, 0);
    });
  });

  describe("JamRoom > listeners > names", () => {
    it("keeps a name unique among musicians and listeners together (case, width and invisible characters ignored)", async () => {
      const ann = await create();
      await listen(ann.roomId, "Lee");
      await joinRefused(ann.roomId, { name: "ANN", listener: true }, JoinError.NAME_TAKEN, /name already taken/);
      await joinRefused(ann.roomId, { name: "lee" }, JoinError.NAME_TAKEN, /name already taken/);
      await joinRefused(ann.roomId, { name: "Ｌｅｅ", listener: true }, JoinError.NAME_TAKEN, /name already taken/);
      await joinRefused(ann.roomId, { name: "L\u200bee" }, JoinError.NAME_TAKEN, /name already taken/);
      const state = server.colyseus.getRoomById<JamState>(ann.roomId).state;
      assert.equal(state.participants.size + state.listeners.size, 2);
    });

    it("frees a listener's name when it leaves, for a musician as for a listener", async () => {
      const ann = await create();
      const lee = await listen(ann.roomId, "Lee");
      await lee.leave();
      await stateWhere(ann, (s) => s.listeners.size === 0);
      const musician = await join(ann.roomId, "Lee");
      assert.equal(musician.state.participants.get(musician.sessionId)?.name, "Lee");
    });
  });

  describe("JamRoom > listeners > host", () => {
    it("never makes a listener host: a musician who came later takes the role", async () => {
      const ann = await create();
      const lee = await listen(ann.roomId, "Lee");
      const bob = await join(ann.roomId, "Bob");
      await ann.leave();
      const state = await stateWhere(lee, (s) => !s.participants.has(ann.sessionId));
      assert.equal(state.host, bob.sessionId);
      assert.equal(state.participants.get(bob.sessionId)?.isHost, true);
    });

    it("refuses transferHost to a listener with NOT_ALLOWED; the host stays", async () => {
      const ann = await create();
      const lee = await listen(ann.roomId, "Lee");
      const answer = nextMessage(ann, "error");
      ann.send("transferHost", { to: lee.sessionId });
      const error = await answer;
      assert.equal(error.code, "NOT_ALLOWED");
      assert.equal(error.type, "transferHost");
      assert.match(error.message, /listener/);
      assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.host, ann.sessionId);
    });

    it('stays open for its listeners when the musicians have left, with host "", and they still chat', async () => {
      const ann = await create();
      const lee = await listen(ann.roomId, "Lee");
      const mo = await listen(ann.roomId, "Mo");
      await ann.leave();
      const state = await stateWhere(lee, (s) => s.participants.size === 0);
      assert.equal(state.host, "");
      assert.equal(state.listeners.size, 2);
      assert.equal((await listing(ann.roomId)).participants, 0);
      const heard = nextMessage(mo, "chat");
      lee.send("chat", { text: "anyone here?" });
      assert.deepEqual(await heard, { senderId: lee.sessionId, name: "Lee", text: "anyone here?", at: clock.time });
    });

    it("makes the next musician to join a room of listeners its host, with the host's rights", async () => {
      const ann = await create();
      const lee = await listen(ann.roomId, "Lee");
      await ann.leave();
      await stateWhere(lee, (s) => s.host === "");
      const bob = await join(ann.roomId, "Bob");
      const state = await stateWhere(lee, (s) => s.host === bob.sessionId);
      assert.equal(state.participants.get(bob.sessionId)?.isHost, true);
      bob.send("tempo", { tempo: 99 });
      await stateWhere(lee, (s) => s.tempo === 99);
    });

    it("closes the room when its last listener leaves after the musicians", async () => {
      const ann = await create();
      const code = ann.roomId;
      const lee = await listen(code, "Lee");
      await ann.leave();
      await stateWhere(lee, (s) => s.participants.size === 0);
      const disposed = roomDisposed(server.colyseus.getRoomById(code));
      await lee.leave();
      await disposed;
      assert.equal((await getJson(server, `/rooms/${code}`)).status, 404);
    });
  });

  describe("JamRoom > listeners > drop and reconnect", () => {
    it("keeps a dropped listener with connected = false; reconnect gives back the same listener", async () => {
      const ann = await create();
      const lee = await listen(ann.roomId, "Lee");
      await drop(lee);
      await stateWhere(ann, (s) => s.listeners.get(lee.sessionId)?.connected === false);
      const back = await server.colyseus.sdk.reconnect<JamState>(lee.reconnectionToken);
      assert.equal(back.sessionId, lee.sessionId);
      const state = await stateWhere(ann, (s) => s.listeners.get(lee.sessionId)?.connected === true);
      assert.equal(state.listeners.get(lee.sessionId)?.name, "Lee");
      assert.equal(state.participants.has(lee.sessionId), false);
      const answer = nextMessage(back, "error");
      back.send("tempo", { tempo: 90 });
      assert.equal((await answer).code, "NOT_ALLOWED");
    });
  });

  describe("JamRoom > listeners > saved jams", () => {
    it("does not save a listener's name among the jam's musicians", async () => {
      const ann = await create();
      await listen(ann.roomId, "Lee");
      await join(ann.roomId, "Bob");
      const musicians = await eventually(
        async () => {
          const answer = await getJson<{ musicians: string[] }>(server, `/jams/${ann.roomId}`);
          return answer.status === 200 && answer.body.musicians.includes("Bob") ? answer.body.musicians : undefined;
        },
        3000,
        "Bob saved among the musicians",
      );
      assert.deepEqual(musicians, ["Ann", "Bob"]);
    });
  });
});

describe("JamRoom > listeners > reconnection grace expiry", () => {
  const server = useJamServer({ reconnectGraceS: 0.3 });

  it("removes a dropped listener once its grace has run out; the musicians see it go", async () => {
    const ann = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
    const lee = await listenWith(server, ann.roomId, "Lee");
    await drop(lee);
    await stateWhere(ann, (s) => s.listeners.get(lee.sessionId)?.connected === false);
    await stateWhere(ann, (s) => s.listeners.size === 0);
    await assert.rejects(server.colyseus.sdk.reconnect(lee.reconnectionToken));
  });
});

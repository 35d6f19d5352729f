import assert from "node:assert/strict";
import type { Client } from "colyseus.js";
import {
  ConnectionFailed,
  InvalidName,
  InvalidOption,
  InvalidRoomCode,
  JamClient,
  JamError,
  NameTaken,
  RoomFull,
  RoomNotFound,
  type FetchLike,
  type JamSession,
  type StatusDetail,
} from "../../client/src";
import { nextMessage, stateWhere } from "../../support/clients";
import { useJamServer } from "../helpers/suite";
import { nextStatus } from "./helpers";

describe("client > JamClient and JamSession", () => {
  let jam: JamClient;
  const sessions: JamSession[] = [];

  /** Counts colyseus.js matchmaking calls, so a test can prove no socket was opened. */
  let joinByIdCalls: number;

  // Registered before the server fixture, so the sessions leave before its room check.
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.leave()));
  });
  const server = useJamServer();
  beforeEach(() => {
    jam = new JamClient(server.endpoint);
    joinByIdCalls = 0;
    const joinById = jam.colyseus.joinById;
    jam.colyseus.joinById = function (this: Client, ...args: Parameters<Client["joinById"]>) {
      joinByIdCalls++;
      return joinById.apply(this, args);
    } as Client["joinById"];
  });

  async function track<T extends JamSession>(session: Promise<T>): Promise<T> {
    const opened = await session;
    sessions.push(opened);
    return opened;
  }

  describe("create and join", () => {
    it("creates a jam and hands over a connected session with the synced state", async () => {
      const statuses: string[] = [];
      const ann = await track(jam.create({ name: "Ann", tempo: 96, loopSteps: 8 }, { onStatus: (s) => statuses.push(s) }));
      assert.deepEqual(statuses, ["connecting", "connected"]);
      assert.equal(ann.status, "connected");
      assert.match(ann.code, /^[A-HJ-NP-Z2-9]{6}$/);
      assert.equal(ann.state.roomCode, ann.code);
      assert.equal(ann.state.tempo, 96);
      assert.equal(ann.state.loopSteps, 8);
      assert.equal(ann.me?.name, "Ann");
      assert.equal(ann.isHost, true);
    });

    it("joins by code, and both see each other", async () => {
      const ann = await track(jam.create({ name: "Ann" }));
      const bob = await track(jam.join(ann.code, { name: "Bob", instrument: "drums" }));
      assert.equal(bob.code, ann.code);
      assert.equal(bob.me?.instrument, "drums");
      assert.equal(bob.isHost, false);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.name === "Bob");
    });

    it("accepts codes in lower case, with spaces and dashes", async () => {
      const ann = await track(jam.create({ name: "Ann" }));
      const typed = ` ${ann.code.slice(0, 3).toLowerCase()}-${ann.code.slice(3).toLowerCase()} `;
      const bob = await track(jam.join(typed, { name: "Bob" }));
      assert.equal(bob.code, ann.code);
    });

    it("answers roomInfo for any case", async () => {
      const ann = await track(jam.create({ name: "Ann", maxParticipants: 4 }));
      const info = await jam.roomInfo(ann.code.toLowerCase());
      assert.deepEqual(
        { roomCode: info.roomCode, participants: info.participants, maxParticipants: info.maxParticipants },
        { roomCode: ann.code, participants: 1, maxParticipants: 4 },
      );
    });
  });

  describe("refusals, as typed errors", () => {
    it("refuses an unknown code with RoomNotFound before any socket opens", async () => {
      const statuses: [string, StatusDetail][] = [];
      const error = await jam.join("ZZZZ22", { name: "Bob" }, { onStatus: (s, d) => statuses.push([s, d]) }).catch((e: unknown) => e);
      assert.ok(error instanceof RoomNotFound, String(error));
      assert.ok(error instanceof JamError);
      assert.equal(error.code, "ROOM_NOT_FOUND");
      assert.match(error.message, /not found/);
      assert.equal(joinByIdCalls, 0);
      assert.deepEqual(
        statuses.map(([s, d]) => [s, d.reason]),
        [
          ["connecting", undefined],
          ["disconnected", "join-failed"],
        ],
      );
    });

    it("refuses a full room with RoomFull before any socket opens", async () => {
      const ann = await track(jam.create({ name: "Ann", maxParticipants: 2 }));
      await track(jam.join(ann.code, { name: "Bob" }));
      const callsBefore = joinByIdCalls;
      const error = await jam.join(ann.code, { name: "Cy" }).catch((e: unknown) => e);
      assert.ok(error instanceof RoomFull, String(error));
      assert.match(error.message, /full/);
      assert.equal(joinByIdCalls, callsBefore);
    });

    it("maps the server's own 'full' refusal (a room that filled after the preflight) to RoomFull", async () => {
      const ann = await track(jam.create({ name: "Ann", maxParticipants: 2 }));
      await track(jam.join(ann.code, { name: "Bob" }));
      // A preflight answer from before the room filled up.
      const stale: FetchLike = async () => ({
        status: 200,
        json: async () => ({ roomCode: ann.code, roomId: ann.code, participants: 1, maxParticipants: 2, tempo: 120, isPlaying: false }),
      });
      const late = new JamClient(server.endpoint, { fetch: stale });
      const error = await late.join(ann.code, { name: "Cy" }).catch((e: unknown) => e);
      assert.ok(error instanceof RoomFull, String(error));
      assert.equal(error.status, 4230);
    });

    it("refuses a name already in the room with NameTaken", async () => {
      const ann = await track(jam.create({ name: "Ann" }));
      const error = await jam.join(ann.code, { name: "ann" }).catch((e: unknown) => e);
      assert.ok(error instanceof NameTaken, String(error));
      assert.equal(error.code, "NAME_TAKEN");
      assert.equal(error.status, 4231);
      assert.match(error.message, /name already taken/);
    });

    it("refuses an empty or missing name with InvalidName, on join and on create", async () => {
      const ann = await track(jam.create({ name: "Ann" }));
      const onJoin = await jam.join(ann.code, { name: "   " }).catch((e: unknown) => e);
      assert.ok(onJoin instanceof InvalidName, String(onJoin));
      assert.match(onJoin.message, /invalid name/);
      const onCreate = await jam.create({ name: "" }).catch((e: unknown) => e);
      assert.ok(onCreate instanceof InvalidName, String(onCreate));
    });

    it("refuses an out-of-range option with InvalidOption, on create and on join", async () => {
      const onCreate = await jam.create({ name: "Ann", tempo: 1000 }).catch((e: unknown) => e);
      assert.ok(onCreate instanceof InvalidOption, String(onCreate));
      assert.match(onCreate.message, /invalid option/);
      const ann = await track(jam.create({ name: "Ann" }));
      const onJoin = await jam.join(ann.code, { name: "Bob", instrument: "" }).catch((e: unknown) => e);
      assert.ok(onJoin instanceof InvalidOption, String(onJoin));
    });

    it("refuses what cannot be a room code with InvalidRoomCode, without asking the server", async () => {
      let fetched = 0;
      const counting: FetchLike = async () => {
        fetched++;
        return { status: 500, json: async () => ({}) };
      };
      const local = new JamClient(server.endpoint, { fetch: counting });
      for (const typed of ["", "ABC", "O0I1LL", "ABCDEFG"]) {
        const error = await local.join(typed, { name: "Bob" }).catch((e: unknown) => e);
        assert.ok(error instanceof InvalidRoomCode, `${typed}: ${String(error)}`);
      }
      assert.equal(fetched, 0);
    });

    it("says ConnectionFailed when the server cannot be reached", async () => {
      const nowhere = new JamClient("ws://127.0.0.1:9");
      const error = await nowhere.join("ABCDEF", { name: "Bob" }).catch((e: unknown) => e);
      assert.ok(error instanceof ConnectionFailed, String(error));
    });
  });

  describe("typed listeners, senders and state", () => {
    async function duo() {
      const ann = await track(jam.create({ name: "Ann", transport: "host" }));
      const bob = await track(jam.join(ann.code, { name: "Bob", instrument: "bass" }));
      await stateWhere(ann, (s) => s.participants.size === 2);
      return { ann, bob };
    }

    it("relays notes to typed listeners, and a removed listener hears no more", async () => {
      const { ann, bob } = await duo();
      const heard = nextMessage(ann, "note");
      assert.equal(bob.note({ note: 64, at: 123.5, step: 3 }), true);
      const note = await heard;
      assert.deepEqual(note, { note: 64, velocity: 100, on: true, step: 3, at: 123.5, senderId: bob.sessionId, instrument: "bass" });

      const received: number[] = [];
      const stop = ann.on("note", (n) => received.push(n.note));
      bob.note({ note: 1 });
      await nextMessage(ann, "note");
      stop();
      bob.note({ note: 2 });
      await nextMessage(ann, "note");
      assert.deepEqual(received, [1]);
    });

    it("sends chat, events and signals, and hears errors typed", async () => {
      const { ann, bob } = await duo();
      const chat = nextMessage(ann, "chat");
      bob.chat("hi");
      assert.equal((await chat).text, "hi");

      const event = nextMessage(ann, "event");
      bob.event("cursor:move", { x: 1 });
      assert.deepEqual(await event, { eventName: "cursor:move", payload: { x: 1 }, senderId: bob.sessionId });

      const signal = nextMessage(ann, "signal");
      bob.signal(ann.sessionId, "offer", { sdp: "v=0" });
      assert.deepEqual(await signal, { from: bob.sessionId, kind: "offer", data: { sdp: "v=0" } });

      const error = nextMessage(bob, "error");
      bob.tempo(100); // the transport is the host's
      assert.deepEqual(await error, {
        code: "NOT_ALLOWED",
        type: "tempo",
        message: "in this room only the host controls the transport",
      });
    });

    it("drives the transport, own settings, the pattern and the host role", async () => {
      const { ann, bob } = await duo();
      ann.tempo(140);
      ann.play(2);
      await stateWhere(bob, (s) => s.tempo === 140 && s.isPlaying && s.playStartedAt > 0);
      ann.pause();
      await stateWhere(bob, (s) => !s.isPlaying && s.playStartedAt === 0);
      ann.seek(5);
      await stateWhere(bob, (s) => s.currentStep === 5);
      ann.stop();
      await stateWhere(bob, (s) => s.currentStep === 0);

      bob.instrument("synth");
      bob.mute(true);
      await stateWhere(
        ann,
        (s) => s.participants.get(bob.sessionId)?.instrument === "synth" && s.participants.get(bob.sessionId)?.muted === true,
      );

      bob.addTrack("kick", "drums-1");
      await stateWhere(ann, (s) => s.tracks.has("drums-1"));
      bob.setStep({ track: "drums-1", step: 4, on: true, velocity: 90 });
      await stateWhere(ann, (s) => s.tracks.get("drums-1")?.steps[4]?.on === true);
      ann.clearTrack("drums-1");
      await stateWhere(bob, (s) => s.tracks.get("drums-1")?.steps[4]?.on === false);
      ann.removeTrack("drums-1");
      await stateWhere(bob, (s) => !s.tracks.has("drums-1"));

      ann.transferHost(bob.sessionId);
      // Each session sees the change when its own copy of the state has it.
      await stateWhere(ann, (s) => s.host === bob.sessionId);
      assert.equal(ann.isHost, false);
      await stateWhere(bob, (s) => s.host === bob.sessionId);
      assert.equal(bob.isHost, true);
    });

    it("exposes getStateCallbacks for the current room and watchState", async () => {
      const ann = await track(jam.create({ name: "Ann" }));
      const $ = ann.callbacks();
      const added: string[] = [];
      $(ann.state).participants.onAdd((participant) => added.push(participant.name));
      const watched: string[] = [];
      ann.watchState(($$, state) => $$(state).participants.onAdd((p) => watched.push(p.name)));
      const bob = await track(jam.join(ann.code, { name: "Bob" }));
      await stateWhere(ann, (s) => s.participants.size === 2);
      assert.deepEqual(added, ["Ann", "Bob"]);
      assert.deepEqual(watched, ["Ann", "Bob"]);
      assert.ok(bob);
    });

    it("kicks: the kicked session ends as 'kicked', the host's sender works", async () => {
      const { ann, bob } = await duo();
      const ended = nextStatus(bob, "disconnected");
      assert.equal(ann.kick(bob.sessionId), true);
      assert.equal((await ended).reason, "kicked");
      assert.equal(bob.note({ note: 60 }), false, "a disconnected session sends nothing");
    });

    it("leaves: the others see the musician go, and the session ends as 'left'", async () => {
      const { ann, bob } = await duo();
      const ended = nextStatus(bob, "disconnected");
      await bob.leave();
      assert.equal(bob.status, "disconnected");
      assert.equal((await ended).reason, "left");
      await stateWhere(ann, (s) => s.participants.size === 1);
    });
  });
});

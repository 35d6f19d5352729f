import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import type { Room } from "colyseus.js";
import { matchMaker } from "@colyseus/core";
import type { RoomSummary } from "../../src/http/roomRoutes";
import { CloseCode } from "../../src/protocol/codes";
import type { ChatLine } from "../../src/protocol/serverMessages";
import { CODE_KEY_PREFIX } from "../../src/rooms/roomCodes";
import type { JamState } from "../../src/schema/JamState";
import { collect, nextLeave, nextMessage, stateWhere, synced } from "../../support/clients";
import { clientLeft, drop, getJson, roomDisposed } from "../helpers/lifecycle";
import { ManualClock, type JamTestServer } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

type Jam = Room<JamState>;

/** Create/join shortcuts over one booted server; the clock moves 1 s between joins. */
function roomsOf(getServer: () => JamTestServer, clock: ManualClock) {
  async function create(name: string, options: Record<string, unknown> = {}): Promise<Jam> {
    return synced(await getServer().colyseus.sdk.create<JamState>("jam", { name, ...options }));
  }
  async function join(code: string, name: string, instrument?: string): Promise<Jam> {
    clock.advance(1000);
    const options = instrument === undefined ? { name } : { name, instrument };
    return synced(await getServer().colyseus.sdk.joinById<JamState>(code, options));
  }
  /** The creator (host) and the others who joined after it, in order, all seeing everyone. */
  async function band(...names: string[]): Promise<Jam[]> {
    const [first, ...rest] = names;
    const host = await create(first ?? "Ann");
    const members = [host];
    for (const name of rest) members.push(await join(host.roomId, name));
    for (const member of members) await stateWhere(member, (s) => s.participants.size === members.length);
    return members;
  }
  return { create, join, band };
}

/** The room's host as `viewer` sees it, checked both ways: `state.host` and the `isHost` flags. */
function hostSeenBy(viewer: Jam): string {
  const flagged = Array.from(viewer.state.participants.values())
    .filter((p) => p.isHost)
    .map((p) => p.id);
  assert.deepEqual(flagged, [viewer.state.host], "exactly the host has isHost");
  return viewer.state.host;
}

/** Resolves with the first `chat` line with this text that `room` receives from now on. */
function chatLine(room: Jam, text: string): Promise<ChatLine> {
  return new Promise((resolve) => {
    const unbind = room.onMessage("chat", (line: ChatLine) => {
      if (line.text !== text) return;
      unbind();
      resolve(line);
    });
  });
}

async function listedParticipants(server: JamTestServer, code: string): Promise<number> {
  const answer = await getJson<RoomSummary>(server, `/rooms/${code}`);
  assert.equal(answer.status, 200);
  return answer.body.participants;
}

describe("JamRoom > onLeave", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });
  const { create, join, band } = roomsOf(() => server, clock);

  describe("JamRoom > onLeave > leave", () => {
    it("room.leave() removes the participant at once and the others see it go", async () => {
      const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
      assert.ok(ann && bob && cy);
      await bob.leave();
      for (const viewer of [ann, cy]) {
        const state = await stateWhere(viewer, (s) => !s.participants.has(bob.sessionId));
        assert.equal(state.participants.size, 2);
      }
      assert.equal(await listedParticipants(server, ann.roomId), 2);
    });

    it("a reconnection token is no good after a consented leave", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      const token = bob.reconnectionToken;
      await bob.leave();
      await stateWhere(ann, (s) => !s.participants.has(bob.sessionId));
      await assert.rejects(server.colyseus.sdk.reconnect(token));
      assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.participants.has(bob.sessionId), false);
    });
  });

  describe("JamRoom > onLeave > drop and reconnect", () => {
    it("a dropped connection keeps the participant with connected = false", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      await drop(bob);
      const state = await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      assert.equal(state.participants.size, 2);
      assert.equal(state.participants.get(bob.sessionId)?.name, "Bob");
      assert.equal(await listedParticipants(server, ann.roomId), 2);
    });

    it("the host stays host while within its reconnection grace", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      await drop(ann);
      await stateWhere(bob, (s) => s.participants.get(ann.sessionId)?.connected === false);
      assert.equal(hostSeenBy(bob), ann.sessionId);
    });

    it("reconnect within grace restores the same participant (sessionId, name, instrument, host role) and the current state", async () => {
      const ann = await create("Ann", { transport: "everyone" });
      const bob = await join(ann.roomId, "Bob", "bass");
      await stateWhere(ann, (s) => s.participants.size === 2);
      const joinedAt = ann.state.participants.get(ann.sessionId)?.joinedAt;
      ann.send("instrument", { instrument: "rhodes" });
      await stateWhere(bob, (s) => s.participants.get(ann.sessionId)?.instrument === "rhodes");

      await drop(ann);
      await stateWhere(bob, (s) => s.participants.get(ann.sessionId)?.connected === false);
      // The room moves on while the host is away.
      bob.send("tempo", { tempo: 88 });
      bob.send("addTrack", { id: "beat", instrument: "drums" });
      bob.send("setStep", { track: "beat", step: 5, on: true });
      await stateWhere(bob, (s) => s.tempo === 88 && s.tracks.get("beat")?.steps[5]?.on === true);

      const back = await synced(await server.colyseus.sdk.reconnect<JamState>(ann.reconnectionToken));
      assert.equal(back.sessionId, ann.sessionId);
      assert.equal(back.roomId, ann.roomId);
      const me = back.state.participants.get(ann.sessionId);
      assert.equal(me?.name, "Ann");
      assert.equal(me?.instrument, "rhodes");
      assert.equal(me?.isHost, true);
      assert.equal(me?.joinedAt, joinedAt);
      assert.equal(back.state.host, ann.sessionId);
      // The state it comes back to is the current one.
      assert.equal(back.state.tempo, 88);
      assert.equal(back.state.tracks.get("beat")?.steps[5]?.on, true);
      assert.equal(back.state.participants.get(bob.sessionId)?.instrument, "bass");
      assert.equal(back.state.participants.size, 2);
      // Everyone sees it connected again.
      await stateWhere(back, (s) => s.participants.get(ann.sessionId)?.connected === true);
      await stateWhere(bob, (s) => s.participants.get(ann.sessionId)?.connected === true);
    });

    it("a reconnected participant is fully back: its messages act and it receives the others'", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      const back = await synced(await server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken));
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === true);

      const heard = chatLine(ann, "back again");
      const echoed = chatLine(back, "back again");
      back.send("chat", { text: "back again" });
      const line = await heard;
      assert.equal(line.senderId, bob.sessionId);
      assert.equal(line.name, "Bob");
      await echoed;

      const toBack = chatLine(back, "welcome");
      ann.send("chat", { text: "welcome" });
      assert.equal((await toBack).senderId, ann.sessionId);
    });

    it("a reconnected host can still act as host (kick)", async () => {
      const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
      assert.ok(ann && bob && cy);
      await drop(ann);
      await stateWhere(bob, (s) => s.participants.get(ann.sessionId)?.connected === false);
      const back = await synced(await server.colyseus.sdk.reconnect<JamState>(ann.reconnectionToken));
      const kicked = nextLeave(cy);
      back.send("kick", { sessionId: cy.sessionId });
      assert.equal(await kicked, CloseCode.KICKED);
    });

    it("a participant can drop and come back more than once, always with its newest token", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      let current = bob;
      for (let round = 0; round < 2; round++) {
        await drop(current);
        await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
        current = await synced(await server.colyseus.sdk.reconnect<JamState>(current.reconnectionToken));
        assert.equal(current.sessionId, bob.sessionId);
        await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === true);
      }
    });
  });

  describe("JamRoom > onLeave > host succession", () => {
    it("when the host leaves, the longest-present participant becomes host and everyone sees it", async () => {
      const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
      assert.ok(ann && bob && cy);
      await ann.leave();
      for (const viewer of [bob, cy]) {
        await stateWhere(viewer, (s) => !s.participants.has(ann.sessionId));
        assert.equal(hostSeenBy(viewer), bob.sessionId);
      }
    });

    it("passes over a participant within its grace: the longest-present connected one becomes host", async () => {
      const [ann, bob, cy, dee] = await band("Ann", "Bob", "Cy", "Dee");
      assert.ok(ann && bob && cy && dee);
      await drop(bob);
      await stateWhere(cy, (s) => s.participants.get(bob.sessionId)?.connected === false);
      await ann.leave();
      for (const viewer of [cy, dee]) {
        await stateWhere(viewer, (s) => !s.participants.has(ann.sessionId));
        assert.equal(hostSeenBy(viewer), cy.sessionId);
      }
    });

    it("a participant who joined after a leave does not jump the queue", async () => {
      const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
      assert.ok(ann && bob && cy);
      await bob.leave();
      const dee = await join(ann.roomId, "Dee");
      await stateWhere(cy, (s) => s.participants.has(dee.sessionId) && !s.participants.has(bob.sessionId));
      await ann.leave();
      await stateWhere(dee, (s) => !s.participants.has(ann.sessionId));
      assert.equal(hostSeenBy(dee), cy.sessionId);
    });

    it("a former host who reconnects after the role moved on is not host", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      ann.send("transferHost", { to: bob.sessionId });
      await stateWhere(bob, (s) => s.host === bob.sessionId);
      await drop(ann);
      await stateWhere(bob, (s) => s.participants.get(ann.sessionId)?.connected === false);
      const back = await synced(await server.colyseus.sdk.reconnect<JamState>(ann.reconnectionToken));
      assert.equal(back.state.participants.get(ann.sessionId)?.isHost, false);
      assert.equal(hostSeenBy(back), bob.sessionId);
    });
  });

  describe("JamRoom > onLeave > transferHost", () => {
    it("the host hands the role over; everyone sees the new host and the new host can use it", async () => {
      const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
      assert.ok(ann && bob && cy);
      ann.send("transferHost", { to: cy.sessionId });
      for (const viewer of [ann, bob, cy]) {
        await stateWhere(viewer, (s) => s.host === cy.sessionId);
        assert.equal(hostSeenBy(viewer), cy.sessionId);
      }
      // The old host has lost the role…
      const refused = nextMessage(ann, "error");
      ann.send("transferHost", { to: ann.sessionId });
      assert.equal((await refused).code, "NOT_ALLOWED");
      // …and the new one has it.
      cy.send("transferHost", { to: bob.sessionId });
      await stateWhere(ann, (s) => s.host === bob.sessionId);
    });

    it("a non-host's transferHost is refused with NOT_ALLOWED and changes nothing", async () => {
      const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
      assert.ok(ann && bob && cy);
      const refused = nextMessage(bob, "error");
      bob.send("transferHost", { to: bob.sessionId });
      const error = await refused;
      assert.equal(error.code, "NOT_ALLOWED");
      assert.equal(error.type, "transferHost");
      const room = server.colyseus.getRoomById<JamState>(ann.roomId);
      assert.equal(room.state.host, ann.sessionId);
      assert.equal(room.state.participants.get(bob.sessionId)?.isHost, false);
      assert.equal(room.state.participants.get(ann.sessionId)?.isHost, true);
    });

    it("transferHost to an unknown sessionId is refused with NOT_FOUND and changes nothing", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      const refused = nextMessage(ann, "error");
      ann.send("transferHost", { to: "nobody-here" });
      const error = await refused;
      assert.equal(error.code, "NOT_FOUND");
      assert.equal(error.type, "transferHost");
      assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.host, ann.sessionId);
    });
  });

  describe("JamRoom > onLeave > kick", () => {
    it("the host kicks a participant: its connection closes with 4001 and it is gone from the state at once", async () => {
      const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
      assert.ok(ann && bob && cy);
      const closed = nextLeave(bob);
      ann.send("kick", { sessionId: bob.sessionId });
      assert.equal(await closed, CloseCode.KICKED);
      for (const viewer of [ann, cy]) {
        const state = await stateWhere(viewer, (s) => !s.participants.has(bob.sessionId));
        assert.equal(state.participants.size, 2);
      }
      assert.equal(await listedParticipants(server, ann.roomId), 2);
    });

    it("a kicked participant's reconnection token no longer works", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      const token = bob.reconnectionToken;
      const closed = nextLeave(bob);
      ann.send("kick", { sessionId: bob.sessionId });
      await closed;
      await assert.rejects(server.colyseus.sdk.reconnect(token));
      const state = server.colyseus.getRoomById<JamState>(ann.roomId).state;
      assert.equal(state.participants.has(bob.sessionId), false);
    });

    it("kicks a participant within its reconnection grace: gone at once, its token no longer works", async () => {
      const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
      assert.ok(ann && bob && cy);
      const token = bob.reconnectionToken;
      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      const errors = collect(ann, "error");
      ann.send("kick", { sessionId: bob.sessionId });
      for (const viewer of [ann, cy]) await stateWhere(viewer, (s) => !s.participants.has(bob.sessionId));
      assert.deepEqual(errors, []);
      await assert.rejects(server.colyseus.sdk.reconnect(token));
      assert.equal(await listedParticipants(server, ann.roomId), 2);
    });

    it("a kicked name can join again as a new participant (the kick is not a ban)", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      const closed = nextLeave(bob);
      ann.send("kick", { sessionId: bob.sessionId });
      await closed;
      const again = await join(ann.roomId, "Bob");
      assert.notEqual(again.sessionId, bob.sessionId);
      assert.equal(again.state.participants.get(again.sessionId)?.isHost, false);
    });

    it("a non-host's kick is refused with NOT_ALLOWED and the target stays", async () => {
      const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
      assert.ok(ann && bob && cy);
      const refused = nextMessage(bob, "error");
      bob.send("kick", { sessionId: cy.sessionId });
      const error = await refused;
      assert.equal(error.code, "NOT_ALLOWED");
      assert.equal(error.type, "kick");
      const room = server.colyseus.getRoomById<JamState>(ann.roomId);
      assert.equal(room.state.participants.get(cy.sessionId)?.connected, true);
      assert.ok(room.clients.getById(cy.sessionId) !== undefined, "the target's connection is still open");
    });

    it("a non-host cannot kick the host either", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      const refused = nextMessage(bob, "error");
      bob.send("kick", { sessionId: ann.sessionId });
      assert.equal((await refused).code, "NOT_ALLOWED");
      assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.participants.has(ann.sessionId), true);
    });

    it("kicking an unknown sessionId is refused with NOT_FOUND", async () => {
      const [ann] = await band("Ann", "Bob");
      assert.ok(ann);
      const refused = nextMessage(ann, "error");
      ann.send("kick", { sessionId: "nobody-here" });
      const error = await refused;
      assert.equal(error.code, "NOT_FOUND");
      assert.equal(error.type, "kick");
    });
  });

  describe("JamRoom > onLeave > disposal", () => {
    it("an empty room is disposed: GET /rooms/:code answers 404, the code is freed, new rooms can be created", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      const code = ann.roomId;
      assert.equal((await getJson(server, `/rooms/${code}`)).status, 200);
      assert.equal(await matchMaker.presence.exists(CODE_KEY_PREFIX + code), true, "the live room holds its code");

      const disposed = roomDisposed(server.colyseus.getRoomById(code));
      await bob.leave();
      await ann.leave();
      await disposed;

      const answer = await getJson(server, `/rooms/${code}`);
      assert.equal(answer.status, 404);
      assert.deepEqual(answer.body, { error: "Room not found" });
      assert.equal(await matchMaker.presence.exists(CODE_KEY_PREFIX + code), false, "the code is released");
      const health = await getJson<{ rooms: number }>(server, "/health");
      assert.equal(health.body.rooms, 0);

      const next = await create("Cy");
      assert.match(next.roomId, /^[A-Z2-9]{6}$/);
      assert.equal((await getJson(server, `/rooms/${next.roomId}`)).status, 200);
    });

    it("a room is not disposed while a participant is within its reconnection grace", async () => {
      const [ann, bob] = await band("Ann", "Bob");
      assert.ok(ann && bob);
      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      const room = server.colyseus.getRoomById<JamState>(ann.roomId);
      const annProcessed = clientLeft(room, ann.sessionId);
      await ann.leave();
      await annProcessed;
      // Nobody is connected, Bob is within his grace: the room lives on, listed, with Bob in it.
      assert.equal(matchMaker.getLocalRoomById(ann.roomId), room);
      const answer = await getJson<RoomSummary>(server, `/rooms/${ann.roomId}`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.participants, 1);
      const back = await synced(await server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken));
      assert.equal(back.state.participants.size, 1);
      assert.equal(hostSeenBy(back), bob.sessionId);
    });
  });
});

describe("JamRoom > reconnection grace expiry", () => {
  const clock = new ManualClock();
  const graceS = 0.3;
  const server = useJamServer({ now: clock.now, reconnectGraceS: graceS });
  const { band } = roomsOf(() => server, clock);

  it("removes a dropped participant once its grace has run out, and the others see it go", async () => {
    const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
    assert.ok(ann && bob && cy);
    const droppedAt = Date.now();
    await drop(bob);
    await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
    for (const viewer of [ann, cy]) {
      const state = await stateWhere(viewer, (s) => !s.participants.has(bob.sessionId));
      assert.equal(state.participants.size, 2);
    }
    assert.ok(Date.now() - droppedAt >= graceS * 1000 - 50, "not removed before its grace ran out");
    assert.equal(await listedParticipants(server, ann.roomId), 2);
  });

  it("refuses a reconnection after the grace has run out", async () => {
    const [ann, bob] = await band("Ann", "Bob");
    assert.ok(ann && bob);
    await drop(bob);
    await stateWhere(ann, (s) => !s.participants.has(bob.sessionId));
    await assert.rejects(server.colyseus.sdk.reconnect(bob.reconnectionToken));
    assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.participants.size, 1);
  });

  it("keeps the host role through the host's grace; when it runs out the longest-present connected participant becomes host", async () => {
    const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
    assert.ok(ann && bob && cy);
    await drop(ann);
    await stateWhere(cy, (s) => s.participants.get(ann.sessionId)?.connected === false);
    assert.equal(hostSeenBy(cy), ann.sessionId, "still host within its grace");
    for (const viewer of [bob, cy]) {
      await stateWhere(viewer, (s) => !s.participants.has(ann.sessionId));
      assert.equal(hostSeenBy(viewer), bob.sessionId);
    }
  });

  it("passes over a participant within its grace when the host's grace runs out", async () => {
    const [ann, bob, cy] = await band("Ann", "Bob", "Cy");
    assert.ok(ann && bob && cy);
    await drop(ann);
    await stateWhere(cy, (s) => s.participants.get(ann.sessionId)?.connected === false);
    // No event to wait on: Bob must drop later than Ann so that his grace outlasts hers.
    await delay((graceS * 1000) / 2);
    await drop(bob);
    await stateWhere(cy, (s) => s.participants.get(bob.sessionId)?.connected === false);
    const state = await stateWhere(cy, (s) => !s.participants.has(ann.sessionId));
    assert.equal(state.participants.get(bob.sessionId)?.connected, false, "Bob is still within his grace");
    assert.equal(hostSeenBy(cy), cy.sessionId);
  });

  it("disposes a room whose last participant's grace runs out, and frees its code", async () => {
    const [ann] = await band("Ann");
    assert.ok(ann);
    const code = ann.roomId;
    const disposed = roomDisposed(server.colyseus.getRoomById(code));
    await drop(ann);
    await disposed;
    const answer = await getJson(server, `/rooms/${code}`);
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, { error: "Room not found" });
    assert.equal(await matchMaker.presence.exists(CODE_KEY_PREFIX + code), false);
  });
});

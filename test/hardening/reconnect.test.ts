import { CloseCode } from "../../src/protocol/codes";
import assert from "node:assert/strict";
import { matchMaker, type Room as ServerRoom } from "@colyseus/core";
import type { Room } from "colyseus.js";
import type WebSocket from "ws";
import { CODE_KEY_PREFIX } from "../../src/rooms/roomCodes";
import type { JamState } from "../../src/schema/JamState";
import { collect, messageWhere, nextLeave, nextMessage, stateWhere, synced } from "../../support/clients";
import { openJam, type Profile } from "../helpers/jam";
import { getJson, roomDisposed } from "../helpers/lifecycle";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";
import { assertInvariants } from "./fuzz/invariants";

type Jam = Room<JamState>;

/** Close code of a connection that ended without a close handshake (RFC 6455). */
const ABNORMAL_CLOSURE = CloseCode.ABNORMAL;

/**
 * Cuts the client's connection the way a dead network does: the TCP socket is destroyed, no close
 * frame is sent either way. (colyseus.js on Node.js uses the `ws` package, which can do that.)
 */
function cutConnection(room: Room): void {
  const ws = (room.connection.transport as unknown as { ws?: WebSocket }).ws;
  assert.ok(ws !== undefined && typeof ws.terminate === "function", "colyseus.js runs on the ws package here");
  ws.terminate();
}

/** Resolves once the server-side room's state satisfies `predicate`, checking after every patch. */
async function serverSees(room: ServerRoom<JamState>, predicate: (state: JamState) => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(room.state)) {
    if (Date.now() > deadline) throw new Error(`server state of ${room.roomId} not as expected within ${timeoutMs} ms`);
    await room.waitForNextPatch();
  }
}

/** The message a rejected join/reconnect carries, with its code. */
async function rejection(promise: Promise<unknown>): Promise<{ code: unknown; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error, `rejects with an Error, got ${String(error)}`);
    return { code: (error as Error & { code?: unknown }).code, message: error.message };
  }
  assert.fail("resolved, expected a rejection");
}

/** What a participant is, as the contract promises to keep it across a reconnection. */
interface Identity {
  roomId: string;
  sessionId: string;
  name: string;
  instrument: string;
  isHost: boolean;
  muted: boolean;
  joinedAt: number;
}

function identityOf(room: Jam, state: JamState = room.state): Identity {
  const me = state.participants.get(room.sessionId);
  assert.ok(me !== undefined, `${room.sessionId} is in its room's state`);
  return {
    roomId: room.roomId,
    sessionId: room.sessionId,
    name: me.name,
    instrument: me.instrument,
    isHost: me.isHost,
    muted: me.muted,
    joinedAt: me.joinedAt,
  };
}

/** Messages a test does not listen for (server-restart at shutdown, say) are expected: no warnings. */
function quiet<R extends Room>(room: R): R {
  room.onMessage("*", () => undefined);
  return room;
}

const ids = (state: JamState) => [...state.participants.keys()].sort();

describe("hardening > reconnect", () => {
  describe("hardening > reconnect > every connection of 4 rooms × 4 clients cut at once", () => {
    const clock = new ManualClock();
    const server = useJamServer({ now: clock.now });

    const ROOMS = 4;
    const PER_ROOM = 4;

    it("everyone comes back within the grace: same sessionId, name, instrument and host, nobody lost or doubled, the server's state", async function () {
      this.timeout(30_000);
      const bands: Jam[][] = [];
      for (let r = 0; r < ROOMS; r++) {
        const [first, ...others]: Profile[] = Array.from({ length: PER_ROOM }, (_, p) => ({
          name: `R${r}P${p}`,
          instrument: `inst-${r}-${p}`,
        }));
        assert.ok(first);
        bands.push(await openJam(server, first, ...others));
      }
      const everyone = bands.flat();
      const serverRoomOf = (room: Jam) => server.colyseus.getRoomById<JamState>(room.roomId);
      const serverRooms = bands.map((band) => serverRoomOf(band[0] ?? assert.fail()));

      // Give each room something of its own to come back to.
      const [r0, r1, r2, r3] = bands;
      assert.ok(r0?.[0] && r1?.[0] && r2?.[0] && r2[2] && r3?.[3]);
      const newHost = r2[2].sessionId;
      const muted = r3[3].sessionId;
      r0[0].send("addTrack", { id: "drums", instrument: "kit" });
      r0[0].send("setStep", { track: "drums", step: 3, on: true, note: 38 });
      r1[0].send("play", {});
      r2[0].send("transferHost", { to: newHost });
      r3[3].send("instrument", { instrument: "theremin" });
      r3[3].send("mute", { muted: true });
      await serverSees(serverRoomOf(r0[0]), (s) => s.tracks.get("drums")?.steps[3]?.on === true);
      await serverSees(serverRoomOf(r1[0]), (s) => s.isPlaying);
      await serverSees(serverRoomOf(r2[0]), (s) => s.host === newHost);
      await serverSees(
        serverRoomOf(r3[0]),
        (s) => s.participants.get(muted)?.muted === true && s.participants.get(muted)?.instrument === "theremin",
      );
      const sameAsServer = (room: Jam) => (s: JamState) => JSON.stringify(s.toJSON()) === JSON.stringify(serverRoomOf(room).state.toJSON());
      for (const room of everyone) await stateWhere(room, sameAsServer(room));
      const identities = new Map(everyone.map((room) => [room, identityOf(room)] as const));
      const tokens = new Map(everyone.map((room) => [room, room.reconnectionToken] as const));

      // Cut every connection at once; the server takes each for a drop (reconnection grace).
      const closes = everyone.map((room) => nextLeave(room, 5000));
      for (const room of everyone) cutConnection(room);
      assert.deepEqual(
        await Promise.all(closes),
        everyone.map(() => ABNORMAL_CLOSURE),
      );
      for (const room of serverRooms) {
        await serverSees(room, (s) => [...s.participants.values()].every((p) => !p.connected));
        assert.equal(room.clients.length, 0);
        assert.equal(room.state.participants.size, PER_ROOM, "everyone is kept within the grace");
      }
      assert.equal(matchMaker.stats.local.roomCount, ROOMS, "no room was disposed");

      let succeeded = 0;
      let failed = 0;
      const reconnect = async (old: Jam): Promise<Jam> => {
        try {
          const room = quiet(await synced(await server.colyseus.sdk.reconnect<JamState>(tokens.get(old) ?? "")));
          succeeded++;
          return room;
        } catch (error) {
          failed++;
          throw error;
        }
      };
      // The first of each room comes back and changes something; the others come back after it,
      // all at once, and must find that change.
      const firsts = bands.map((band) => band[0] ?? assert.fail());
      const rest = bands.flatMap((band) => band.slice(1));
      const firstsBack = await Promise.all(firsts.map(reconnect));
      for (const room of firstsBack) room.send("addTrack", { id: "after-the-cut", instrument: "bell" });
      for (const room of firstsBack) await serverSees(serverRoomOf(room), (s) => s.tracks.has("after-the-cut"));
      const outcomes = await Promise.allSettled(rest.map(reconnect));
      console.log(`      reconnect: ${succeeded} of ${everyone.length} reconnections succeeded, ${failed} failed`);
      assert.equal(failed, 0, `refused: ${outcomes.flatMap((o) => (o.status === "rejected" ? [String(o.reason)] : [])).join("; ")}`);
      const backs = new Map<Jam, Jam>(firsts.map((old, i) => [old, firstsBack[i] ?? assert.fail()]));
      rest.forEach((old, i) => {
        const outcome = outcomes[i];
        if (outcome?.status === "fulfilled") backs.set(old, outcome.value);
      });

      for (const room of serverRooms) {
        await serverSees(room, (s) => [...s.participants.values()].every((p) => p.connected));
        assertInvariants(room.state, server.settings.maxTracks, `room ${room.roomId} after the reconnections`);
        assert.equal(room.clients.length, PER_ROOM);
        assert.equal(new Set(room.clients.map((c) => c.sessionId)).size, PER_ROOM, "one connection per participant");
      }
      for (const [old, room] of backs) {
        const serverRoom = serverRoomOf(room);
        const state = await stateWhere(
          room,
          (s) => s.tracks.has("after-the-cut") && [...s.participants.values()].every((p) => p.connected),
        );
        assert.deepEqual(identityOf(room, state), identities.get(old), "the same participant came back");
        assert.deepEqual(ids(state), ids(serverRoom.state), "nobody lost, nobody doubled");
        assert.equal(state.participants.size, PER_ROOM);
        assert.deepEqual(state.toJSON(), serverRoom.state.toJSON(), "the client's state is the server's");
      }
      assert.equal(serverRoomOf(r0[0]).state.tracks.get("drums")?.steps[3]?.note, 38);
      assert.equal(serverRoomOf(r1[0]).state.isPlaying, true);
      assert.equal(serverRoomOf(r2[0]).state.host, newHost);
      assert.equal(matchMaker.stats.local.roomCount, ROOMS);

      // And the rooms work: a note from each room's host reaches the rest of its room, and no one else.
      const back = [...backs.values()];
      const notes = new Map(back.map((room) => [room, collect(room, "note")] as const));
      const hosts = back.filter((room) => room.state.host === room.sessionId);
      assert.equal(hosts.length, ROOMS);
      for (const host of hosts) {
        const others = back.filter((room) => room.roomId === host.roomId && room !== host);
        const heard = others.map((room) => messageWhere(room, "note", (note) => note.senderId === host.sessionId));
        host.send("note", { note: 72, seq: 7 });
        await Promise.all(heard);
      }
      for (const room of back) assert.equal(notes.get(room)?.length, hosts.includes(room) ? 0 : 1);
    });
  });

  describe("hardening > reconnect > every connection cut from the server's side", () => {
    const server = useJamServer();

    it("3 rooms × 3 clients whose server-side sockets are destroyed all come back as themselves", async () => {
      const bands: Jam[][] = [];
      for (let r = 0; r < 3; r++)
        bands.push(await openJam(server, { name: `A${r}`, instrument: "keys" }, { name: `B${r}`, instrument: "bass" }, { name: `C${r}` }));
      const everyone = bands.flat();
      const identities = new Map(everyone.map((room) => [room, identityOf(room)] as const));
      const closes = everyone.map((room) => nextLeave(room, 5000));
      for (const band of bands) {
        const room = server.colyseus.getRoomById<JamState>(band[0]?.roomId ?? assert.fail());
        for (const client of [...room.clients]) {
          const ws = client.ref as unknown as Partial<WebSocket>;
          assert.ok(typeof ws.terminate === "function", "the server runs on the ws package");
          ws.terminate();
        }
      }
      assert.deepEqual(
        await Promise.all(closes),
        everyone.map(() => ABNORMAL_CLOSURE),
      );
      for (const band of bands) {
        const room = server.colyseus.getRoomById<JamState>(band[0]?.roomId ?? assert.fail());
        await serverSees(room, (s) => [...s.participants.values()].every((p) => !p.connected));
      }
      const backs = await Promise.all(
        everyone.map(async (old) => quiet(await synced(await server.colyseus.sdk.reconnect<JamState>(old.reconnectionToken)))),
      );
      for (const [i, old] of everyone.entries()) {
        const room = backs[i];
        assert.ok(room !== undefined);
        const serverRoom = server.colyseus.getRoomById<JamState>(room.roomId);
        const state = await stateWhere(room, (s) => [...s.participants.values()].every((p) => p.connected));
        assert.deepEqual(identityOf(room, state), identities.get(old));
        assert.deepEqual(state.toJSON(), serverRoom.state.toJSON());
        assertInvariants(serverRoom.state, server.settings.maxTracks, `room ${serverRoom.roomId} after the reconnections`);
        assert.equal(serverRoom.clients.length, 3);
      }
    });
  });

  describe("hardening > reconnect > after the grace (0.3 s)", () => {
    const server = useJamServer({ reconnectGraceS: 0.3 });

    it("is refused cleanly; the room and the others carry on, and the name is free again", async () => {
      const [ann, bob, cy] = await openJam(server, { name: "Ann" }, { name: "Bob", instrument: "bass" }, { name: "Cy" });
      assert.ok(ann && bob && cy);
      const room = server.colyseus.getRoomById<JamState>(ann.roomId);
      const closed = nextLeave(bob);
      cutConnection(bob);
      assert.equal(await closed, ABNORMAL_CLOSURE);
      await stateWhere(ann, (s) => !s.participants.has(bob.sessionId), 3000);

      const refused = await rejection(server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken));
      assert.match(refused.message, /expired|invalid|not found|disposed/);
      console.log(`      reconnect after the grace: refused with ${String(refused.code)} "${refused.message}"`);

      assert.deepEqual(ids(room.state), [ann.sessionId, cy.sessionId].sort());
      assertInvariants(room.state, server.settings.maxTracks);
      assert.equal(room.clients.length, 2);
      const heard = messageWhere(cy, "note", (note) => note.seq === 1);
      ann.send("note", { note: 60, seq: 1 });
      await heard;
      assert.equal((await getJson<{ status: string }>(server, "/health")).status, 200);
      const again = quiet(await synced(await server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Bob" })));
      assert.notEqual(again.sessionId, bob.sessionId);
      await stateWhere(ann, (s) => s.participants.size === 3);
    });

    it("is refused cleanly once the last participant's grace ended the room; its code is freed", async () => {
      const [ann] = await openJam(server, { name: "Ann" });
      assert.ok(ann);
      const code = ann.roomId;
      const disposed = roomDisposed(server.colyseus.getRoomById(code));
      cutConnection(ann);
      await disposed;

      const refused = await rejection(server.colyseus.sdk.reconnect<JamState>(ann.reconnectionToken));
      assert.match(refused.message, /expired|invalid|not found|disposed/);
      assert.equal(await matchMaker.presence.exists(CODE_KEY_PREFIX + code), false);
      assert.equal(matchMaker.stats.local.roomCount, 0);
      const next = quiet(await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" })));
      assert.equal(next.state.participants.size, 1);
    });
  });

  describe("hardening > reconnect > a token already used", () => {
    const server = useJamServer();

    /** Ann and Bob; Bob's connection cut and noticed by the server. Returns Bob's token. */
    async function bobDropped(): Promise<{ ann: Jam; bob: Jam; room: ServerRoom<JamState> }> {
      const [ann, bob] = await openJam(server, { name: "Ann" }, { name: "Bob" });
      assert.ok(ann && bob);
      const room = server.colyseus.getRoomById<JamState>(ann.roomId);
      cutConnection(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      return { ann, bob, room };
    }

    it("a second reconnect with it is refused and leaves the reconnected participant as it was", async () => {
      const { ann, bob, room } = await bobDropped();
      const back = quiet(await synced(await server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken)));
      assert.equal(back.sessionId, bob.sessionId);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === true);

      const refused = await rejection(server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken));
      assert.match(refused.message, /expired|invalid|consumed/);

      assert.equal(back.connection.isOpen, true);
      assert.deepEqual(ids(room.state), [ann.sessionId, bob.sessionId].sort());
      assertInvariants(room.state, server.settings.maxTracks);
      assert.equal(room.clients.length, 2);
      assert.equal(room.state.participants.get(bob.sessionId)?.connected, true);
      const heard = messageWhere(back, "note", (note) => note.seq === 2);
      ann.send("note", { note: 60, seq: 2 });
      await heard;
      // The newer token still works after a drop.
      cutConnection(back);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      const again = quiet(await synced(await server.colyseus.sdk.reconnect<JamState>(back.reconnectionToken)));
      assert.equal(again.sessionId, bob.sessionId);
    });

    it("the same token used twice at once: one reconnection wins, the other is refused, no duplicate", async () => {
      const { ann, bob, room } = await bobDropped();
      const outcomes = await Promise.allSettled([
        server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken),
        server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken),
      ]);
      const won = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
      assert.equal(won.length, 1, `outcomes: ${outcomes.map((o) => o.status).join(", ")}`);
      const lost = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
      // Colyseus refuses the second connection for the seat: "seat reservation expired." (code 0).
      assert.equal(lost.length, 1);
      assert.ok(lost[0] instanceof Error && /expired|consumed|invalid/.test(lost[0].message), `refused with ${String(lost[0])}`);
      const [winner] = won;
      assert.ok(winner);
      await synced(quiet(winner));
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === true);
      assert.equal(room.clients.length, 2);
      assert.deepEqual(ids(room.state), [ann.sessionId, bob.sessionId].sort());
      assertInvariants(room.state, server.settings.maxTracks);
      const pong = nextMessage(winner, "pong");
      winner.send("ping", { t: 1 });
      assert.equal((await pong).t, 1);
    });
  });
});

import { CloseCode } from "../../src/protocol/codes";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import type { Client } from "colyseus.js";
import { JamClient, type JamClientOptions, type JamSession, type JamState, type StatusDetail } from "../../client/src";
import { nextMessage, stateWhere } from "../../support/clients";
import { useJamServer } from "../helpers/suite";
import { FakeTime, flushPromises } from "./fakeTime";
import { dropConnection, nextStatus, recordStatuses } from "./helpers";

/** Makes `client.reconnect` fail (as given) `times` times, then pass through; records every token used. */
function interceptReconnect(client: Client, failure: (attempt: number) => unknown | undefined) {
  const tokens: string[] = [];
  const original = client.reconnect;
  client.reconnect = function (this: Client, ...args: Parameters<Client["reconnect"]>) {
    tokens.push(args[0]);
    const error = failure(tokens.length);
    return error === undefined ? original.apply(this, args) : Promise.reject(error);
  } as Client["reconnect"];
  return tokens;
}

describe("client > automatic reconnection", () => {
  const sessions: JamSession[] = [];

  // Registered before the server fixture, so the sessions leave before its room check.
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.leave()));
  });
  const server = useJamServer();

  async function duo(options: JamClientOptions = {}) {
    const jam = new JamClient(server.endpoint, { backoffMs: [100, 200, 400], reconnectGraceMs: 5000, ...options });
    const ann = await jam.create({ name: "Ann" });
    const bob = await jam.join(ann.code, { name: "Bob" });
    sessions.push(ann, bob);
    await stateWhere(ann, (s) => s.participants.size === 2);
    return { jam, ann, bob };
  }

  it("keeps serving the last full state while reconnecting, never the new room's empty shell", async () => {
    const { bob } = await duo();
    const seen: boolean[] = [];
    // Sample as often as the event loop allows through the whole reconnection.
    const sampler = setInterval(() => seen.push(bob.state.participants?.size === 2), 0);
    const back = nextStatus(bob, "connected");
    dropConnection(bob);
    await back;
    clearInterval(sampler);
    assert.ok(seen.length > 0);
    assert.deepEqual(
      seen.filter((complete) => !complete),
      [],
    );
  });

  it("reconnects after an abrupt drop: same sessionId, a new room object, listeners still firing", async () => {
    const { ann, bob } = await duo();
    const statuses = recordStatuses(bob);
    const notes: number[] = [];
    bob.on("note", (note) => notes.push(note.note));
    const patches: JamState[] = [];
    bob.onStateChange((state) => patches.push(state));
    const watchedRooms: number[] = [];
    bob.watchState(($, state) => {
      watchedRooms.push(watchedRooms.length);
      $(state).listen("tempo", () => undefined);
    });
    const { sessionId, room: before, state: stateBefore } = bob;
    const tokenBefore = before.reconnectionToken;

    await bob.clock.ready();
    const resynced = new Promise<number>((resolve) => bob.clock.onSync((estimate) => resolve(estimate.at)));
    const back = nextStatus(bob, "connected");
    dropConnection(bob);
    await stateWhere(ann, (s) => s.participants.get(sessionId)?.connected === false);
    const detail = await back;
    const reconnectedAt = bob.clock.now();
    assert.ok((await resynced) >= reconnectedAt, "the clock re-syncs over the new room");

    assert.deepEqual(
      statuses.map((s) => s.status),
      ["reconnecting", "connected"],
    );
    assert.equal(statuses[0]?.detail.previous, "connected");
    assert.equal(statuses[0]?.detail.closeCode, CloseCode.ABNORMAL);
    assert.equal(detail.attempt, 1);
    assert.equal(bob.sessionId, sessionId);
    assert.notEqual(bob.room, before, "colyseus.js hands over a new Room");
    assert.notEqual(bob.room.reconnectionToken, tokenBefore, "with a new token");
    assert.notEqual(bob.state, stateBefore);
    assert.equal(bob.state.participants.get(sessionId)?.name, "Bob");
    assert.deepEqual(watchedRooms, [0, 1], "the state watcher ran again for the new room");
    await stateWhere(ann, (s) => s.participants.get(sessionId)?.connected === true);

    // Listeners registered before the drop hear the new room.
    const heard = nextMessage(bob, "note");
    ann.note({ note: 67 });
    await heard;
    assert.deepEqual(notes, [67]);
    const patchesBefore = patches.length;
    ann.tempo(133);
    await stateWhere(bob, (s) => s.tempo === 133);
    assert.ok(patches.length > patchesBefore);
    // And the senders use the new room.
    const chat = nextMessage(ann, "chat");
    assert.equal(bob.chat("back"), true);
    assert.equal((await chat).senderId, sessionId);
  });

  it("reconnects again and again, each time with the newest token", async () => {
    const { jam, ann, bob } = await duo();
    const tokens = interceptReconnect(jam.colyseus, () => undefined);
    const used: string[] = [];
    for (let i = 0; i < 3; i++) {
      used.push(bob.room.reconnectionToken);
      const back = nextStatus(bob, "connected");
      dropConnection(bob);
      await back;
    }
    assert.deepEqual(tokens, used);
    assert.equal(new Set(used).size, 3);
    const state = await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === true);
    assert.equal(state.participants.size, 2);
  });

  it("keeps trying its token while the server has not yet noticed the drop (4214), and gets its own seat back", async () => {
    const { jam, bob } = await duo({ reopenBackoffMs: [100] });
    const { sessionId } = bob;
    const tokens = interceptReconnect(jam.colyseus, (n) =>
      n <= 2 ? Object.assign(new Error("reconnection token invalid or expired."), { code: 4214 }) : undefined,
    );
    const reopening = nextStatus(bob, "reconnecting");
    const back = nextStatus(bob, "connected");
    dropConnection(bob);
    await reopening;
    const detail = await back;
    // Between the token's tries, joining anew is refused: the seat's name is still held.
    assert.equal(detail.reopened, undefined);
    assert.equal(bob.sessionId, sessionId);
    assert.equal(tokens.length, 3);
  });

  it("does not send while reconnecting", async () => {
    const { jam, bob } = await duo();
    interceptReconnect(jam.colyseus, () => new Error("offline"));
    const reconnecting = nextStatus(bob, "reconnecting");
    dropConnection(bob);
    await reconnecting;
    assert.equal(bob.note({ note: 60 }), false);
    assert.equal(bob.chat("anyone?"), false);
  });

  it("does not retry after a kick: disconnected, reason 'kicked'", async () => {
    const { jam, ann, bob } = await duo();
    const tokens = interceptReconnect(jam.colyseus, () => undefined);
    const statuses = recordStatuses(bob);
    ann.kick(bob.sessionId);
    await nextStatus(bob, "disconnected");
    await delay(400);
    assert.deepEqual(
      statuses.map((s) => [s.status, s.detail.reason, s.detail.closeCode]),
      [["disconnected", "kicked", CloseCode.KICKED]],
    );
    assert.equal(tokens.length, 0);
  });

  it("does not retry after being removed for flooding (4029)", async () => {
    const { jam, bob } = await duo();
    const tokens = interceptReconnect(jam.colyseus, () => undefined);
    const ended = nextStatus(bob, "disconnected");
    server.colyseus.getRoomById(bob.code).clients.getById(bob.sessionId)?.leave(CloseCode.FLOODING, "too many note messages for too long");
    assert.equal((await ended).reason, "flooding");
    await delay(300);
    assert.equal(tokens.length, 0);
  });

  it("with reopening off, ends when the server closes the room for a deploy, and passes on when to come back", async () => {
    const { jam, bob } = await duo({ reopen: false });
    const tokens = interceptReconnect(jam.colyseus, () => undefined);
    const ended = nextStatus(bob, "disconnected");
    server.colyseus.getRoomById(bob.code).onBeforeShutdown();
    const detail = await ended;
    assert.equal(detail.reason, "server-restart");
    assert.equal(detail.closeCode, CloseCode.CONSENTED);
    assert.ok((detail.reconnectInMs ?? 0) > 0);
    assert.equal(tokens.length, 0);
  });

  it("with reopening off, stops at once when the room is gone (4212)", async () => {
    const { jam, bob } = await duo({ reopen: false });
    const tokens = interceptReconnect(jam.colyseus, () => Object.assign(new Error(`room "X" has been disposed.`), { code: 4212 }));
    const ended = nextStatus(bob, "disconnected");
    dropConnection(bob);
    const detail = await ended;
    assert.equal(detail.reason, "reconnect-failed");
    assert.equal(tokens.length, 1);
  });

  it("stops retrying when leave() is called", async () => {
    const { jam, bob } = await duo();
    const tokens = interceptReconnect(jam.colyseus, () => new Error("offline"));
    const reconnecting = nextStatus(bob, "reconnecting");
    dropConnection(bob);
    await reconnecting;
    const ended = nextStatus(bob, "disconnected");
    await bob.leave();
    assert.equal((await ended).reason, "left");
    await delay(500);
    assert.equal(tokens.length, 0);
  });

  it("backs off 1 s, 2 s, 4 s … and makes its last attempt just before the grace ends", async () => {
    const time = new FakeTime(1_000_000);
    const { jam, bob } = await duo({ timers: time, now: time.now, backoffMs: undefined, reconnectGraceMs: 30_000, reopen: false });
    const attemptsAt: number[] = [];
    const droppedAt = time.now();
    interceptReconnect(jam.colyseus, () => {
      attemptsAt.push(time.now() - droppedAt);
      return new Error("offline");
    });
    const statuses: [string, StatusDetail][] = [];
    bob.onStatus((status, detail) => statuses.push([status, detail]));
    dropConnection(bob);
    await nextStatus(bob, "reconnecting");
    for (let i = 0; i < 40 && bob.status === "reconnecting"; i++) await time.advance(1000);
    await flushPromises();
    assert.deepEqual(attemptsAt, [1000, 3000, 7000, 15000, 29000]);
    assert.deepEqual(
      statuses.map(([status, detail]) => [status, detail.reason]),
      [
        ["reconnecting", undefined],
        ["disconnected", "reconnect-failed"],
      ],
    );
  });
});

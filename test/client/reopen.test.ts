/**
 * A session whose room went away with its process (a deploy, a crash) opens its code again — the
 * saved jam — or joins whoever reopened it first, as the same musician; `JamClient.open` does the
 * same for a saved jam's link.
 */
import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import { JamClient, JamNotSaved, RoomNotFound, type JamClientOptions, type JamSession } from "../../client/src";
import { stateWhere } from "../../support/clients";
import { memoryStore } from "../helpers/server";
import { useJamServer } from "../helpers/suite";
import { roomDisposed } from "../helpers/lifecycle";
import { FakeTime } from "./fakeTime";
import { dropConnection, nextStatus } from "./helpers";

const SAVE_DELAY_MS = 50;

describe("client > opening a jam again", function () {
  this.timeout(20_000);
  const sessions: JamSession[] = [];
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.leave()));
  });
  const store = memoryStore();
  const server = useJamServer({ saveDelayMs: SAVE_DELAY_MS, shutdownDrainMs: 100 }, async () => store);

  const jamClient = (options: JamClientOptions = {}) =>
    new JamClient(server.endpoint, { backoffMs: [100, 200], reconnectGraceMs: 5000, reopenBackoffMs: [100, 200], ...options });
  const keep = (session: JamSession) => {
    sessions.push(session);
    return session;
  };
  /** A jam with a bass track, saved, its room closed by its last musician. */
  async function savedJam(): Promise<string> {
    const ann = await jamClient().create({ name: "Ann", tempo: 97 });
    ann.addTrack("bass", "bass");
    ann.setStep({ track: "bass", step: 3, on: true });
    await stateWhere(ann, (s) => s.tracks.get("bass")?.steps[3]?.on === true);
    const closed = roomDisposed(server.colyseus.getRoomById(ann.code));
    await ann.leave();
    await closed;
    return ann.code;
  }

  it("brings both musicians back into one room after a deploy, with the pattern, names and instruments", async () => {
    const jam = jamClient();
    const ann = keep(await jam.create({ name: "Ann", tempo: 97 }));
    const bob = keep(await jam.join(ann.code, { name: "Bob", instrument: "bass" }));
    ann.addTrack("bass", "bass");
    ann.setStep({ track: "bass", step: 3, on: true });
    await stateWhere(bob, (s) => s.tracks.get("bass")?.steps[3]?.on === true);
    const { code } = ann;
    const [annBack, bobBack] = [nextStatus(ann, "connected", 10_000), nextStatus(bob, "connected", 10_000)];
    const reconnecting = nextStatus(bob, "reconnecting");
    server.colyseus.getRoomById(code).onBeforeShutdown();

    assert.equal((await reconnecting).reopening, true);
    assert.equal((await annBack).reopened, true);
    assert.equal((await bobBack).reopened, true);
    assert.equal(ann.code, code);
    assert.equal(bob.code, code);
    const state = await stateWhere(bob, (s) => s.participants.size === 2);
    assert.equal(state.tempo, 97);
    assert.equal(state.tracks.get("bass")?.steps[3]?.on, true);
    assert.deepEqual([ann.me?.name, bob.me?.name, bob.me?.instrument], ["Ann", "Bob", "bass"]);
    assert.equal(matchMaker.stats.local.roomCount, 1, "one room, not one each");
  });

  it("opens the jam again when reconnecting finds its room gone, as after a crash", async () => {
    const bob = keep(await jamClient().create({ name: "Bob", instrument: "drums", tempo: 131 }));
    const { code, sessionId } = bob;
    await stateWhere(bob, (s) => s.tempo === 131);
    const back = nextStatus(bob, "connected", 10_000);
    const reconnecting = nextStatus(bob, "reconnecting");
    dropConnection(bob);
    await reconnecting;
    await server.colyseus.getRoomById(code).disconnect();

    assert.equal((await back).reopened, true);
    assert.equal(bob.code, code);
    assert.notEqual(bob.sessionId, sessionId, "a new room, a new seat");
    assert.equal(bob.state.tempo, 131);
    assert.equal(bob.isHost, true);
    assert.equal(bob.me?.instrument, "drums");
  });

  it("joins the jam a bandmate opened first, when its reconnection is refused by the newer room (4214)", async () => {
    const bob = keep(await jamClient({ backoffMs: [300] }).create({ name: "Bob", tempo: 88 }));
    const { code, sessionId } = bob;
    const statuses: { status: string; reopening?: boolean }[] = [];
    bob.onStatus((status, detail) => statuses.push({ status, ...(detail.reopening !== undefined && { reopening: detail.reopening }) }));
    const back = nextStatus(bob, "connected", 10_000);
    const reconnecting = nextStatus(bob, "reconnecting");
    dropConnection(bob);
    await reconnecting;
    const closed = roomDisposed(server.colyseus.getRoomById(code));
    await server.colyseus.getRoomById(code).disconnect();
    await closed;
    const ann = keep(await jamClient().open(code, { name: "Ann" }));

    assert.equal((await back).reopened, true);
    assert.notEqual(bob.sessionId, sessionId);
    await stateWhere(ann, (s) => s.participants.size === 2);
    assert.equal(ann.isHost, true);
    assert.equal(bob.state.tempo, 88);
    assert.deepEqual(statuses, [{ status: "reconnecting" }, { status: "reconnecting", reopening: true }, { status: "connected" }]);
  });

  it("ends with the reason when the jam can no longer be opened", async () => {
    const bob = keep(await jamClient().create({ name: "Bob" }));
    const ended = nextStatus(bob, "disconnected", 10_000);
    const reconnecting = nextStatus(bob, "reconnecting");
    dropConnection(bob);
    await reconnecting;
    await server.colyseus.getRoomById(bob.code).disconnect();
    await store.deleteUnusedBefore(Date.now() + 60_000, 100);

    const detail = await ended;
    assert.equal(detail.reason, "reconnect-failed");
    assert.ok(detail.error instanceof JamNotSaved, String(detail.error));
  });

  it("keeps trying to reopen on its schedule, then gives up after its window", async () => {
    const time = new FakeTime(1_000_000);
    const lookups: number[] = [];
    const offline = async () => {
      lookups.push(time.now());
      throw new Error("offline");
    };
    const jam = jamClient({ timers: time, now: time.now, backoffMs: [1000], reconnectGraceMs: 3000, reopenBackoffMs: undefined });
    const bob = keep(await jam.create({ name: "Bob" }));
    // The server stays out of reach: reconnections and room lookups fail alike.
    jam.colyseus.reconnect = (() => Promise.reject(new Error("offline"))) as typeof jam.colyseus.reconnect;
    (jam as unknown as { openSteps: { roomInfo: () => Promise<never> } }).openSteps.roomInfo = offline;
    const dropped = nextStatus(bob, "reconnecting");
    dropConnection(bob);
    await dropped;
    // Reconnection attempts at 1 s, 2 s and 2.7 s (the last just before the grace ends), then reopening.
    const reopenedFrom = time.now() + 2700;
    for (let i = 0; i < 70 && bob.status === "reconnecting"; i++) await time.advance(1000);

    assert.equal(bob.status, "disconnected");
    const after = lookups.map((at) => at - reopenedFrom);
    assert.deepEqual(after.slice(0, 5), [0, 500, 1500, 3500, 7500]);
    assert.ok(after.every((at, i) => i < 5 || at - (after[i - 1] ?? 0) === 4000));
    assert.ok((after.at(-1) ?? 0) <= 60_000 && (after.at(-1) ?? 0) > 56_000, `last attempt ${after.at(-1)} ms in`);
  });

  describe("JamClient.open", () => {
    it("joins the room when one has the code", async () => {
      const ann = keep(await jamClient().create({ name: "Ann" }));
      const bob = keep(await jamClient().open(ann.code.toLowerCase(), { name: "Bob" }));
      assert.equal(bob.code, ann.code);
      assert.equal(bob.isHost, false);
      await stateWhere(ann, (s) => s.participants.size === 2);
    });

    it("opens a saved jam nobody is in, with its pattern and tempo, the opener as host", async () => {
      const code = await savedJam();
      const cy = keep(await jamClient().open(code, { name: "Cy" }));
      assert.equal(cy.code, code);
      assert.equal(cy.isHost, true);
      assert.equal(cy.state.tempo, 97);
      assert.equal(cy.state.tracks.get("bass")?.steps[3]?.on, true);
    });

    it("puts several musicians opening one saved jam at once into one room", async () => {
      const code = await savedJam();
      const opened = await Promise.all(["Cy", "Dee", "Eve"].map((name) => jamClient().open(code, { name })));
      opened.forEach(keep);
      await stateWhere(opened[0] as JamSession, (s) => s.participants.size === 3);
      assert.equal(matchMaker.stats.local.roomCount, 1);
      assert.equal(opened.filter((session) => session.isHost).length, 1);
    });

    it("rejects with JamNotSaved (a RoomNotFound) when neither a room nor a saved jam has the code", async () => {
      await assert.rejects(jamClient().open("ZZZZZ2", { name: "Cy" }), (error: unknown) => {
        assert.ok(error instanceof JamNotSaved && error instanceof RoomNotFound);
        assert.match(error.message, /no saved jam/);
        return true;
      });
    });
  });
});

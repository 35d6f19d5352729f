/**
 * Saved jams through the room: saved as played, opened again by code, resumed or stopped, looked up
 * over HTTP; a failing store never stops the jam. Run on SQLite in memory and on PostgreSQL.
 */
import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import { JoinError } from "../../src/protocol/errors";
import type { JamState } from "../../src/schema/JamState";
import type { JamStore, SavedJam } from "../../src/storage/jamStore";
import { stateWhere, synced } from "../../support/clients";
import { eventually } from "../../support/waiting";
import { getJson, refusal, roomDisposed } from "../helpers/lifecycle";
import { ManualClock, memoryStore } from "../helpers/server";
import { STORE_CASES, storeFor } from "../helpers/storeCases";
import { useJamServer } from "../helpers/suite";

interface JamAnswer {
  roomCode: string;
  live: boolean;
  tempo: number;
  loopSteps: number;
  tracks: number;
  musicians: string[];
}

const SAVE_DELAY_MS = 100;
const RESUME_WINDOW_S = 60;

for (const makeCase of STORE_CASES) {
  const target = makeCase();

  describe(`saved jams on ${target.name}`, function () {
    this.timeout(20_000);
    const clock = new ManualClock();
    const store = storeFor(target);
    const server = useJamServer({ now: clock.now, saveDelayMs: SAVE_DELAY_MS, resumeWindowS: RESUME_WINDOW_S }, store.open);
    before(function () {
      if (store.skipped()) this.skip();
    });
    after(async () => target.tearDown());

    const create = (options: Record<string, unknown>) => server.colyseus.sdk.create<JamState>("jam", options);
    const jamAnswer = (code: string) => getJson<JamAnswer>(server, `/jams/${code}`);
    /** Resolves once the store holds what `ready` wants (saves announce nothing a client can await). */
    const savedWhere = (code: string, ready: (jam: JamAnswer) => boolean) =>
      eventually(
        async () => {
          const answer = await jamAnswer(code);
          return answer.status === 200 && ready(answer.body) ? answer.body : undefined;
        },
        SAVE_DELAY_MS + 2000,
        `jam ${code} saved`,
      );
    async function leaveAll(...rooms: Room[]): Promise<void> {
      const disposed = roomDisposed(server.colyseus.getRoomById(rooms[0]?.roomId ?? ""));
      await Promise.all(rooms.map((room) => room.leave()));
      await disposed;
    }

    it("saves settings, tempo and pattern, and opens the jam again by code after everyone left", async () => {
      const ann = await create({ name: "Ann", tempo: 96, loopSteps: 8, transport: "everyone", maxParticipants: 4 });
      await synced(ann);
      ann.send("addTrack", { id: "kick", instrument: "drums" });
      ann.send("setStep", { track: "kick", step: 2, on: true, note: 36, velocity: 110 });
      await stateWhere(ann, (s) => s.tracks.get("kick")?.steps[2]?.on === true);
      const saved = await savedWhere(ann.roomId, (jam) => jam.tracks === 1);
      assert.deepEqual([saved.tempo, saved.loopSteps, saved.musicians, saved.live], [96, 8, ["Ann"], true]);
      const code = ann.roomId;
      await leaveAll(ann);

      assert.equal((await jamAnswer(code.toLowerCase())).body.live, false);
      const bob = await create({ code: code.toLowerCase(), name: "Bob", tempo: 200 });
      const state = await stateWhere(await synced(bob), (s) => s.tracks.has("kick"));
      assert.equal(bob.roomId, code);
      assert.equal(state.tempo, 96, "saved tempo, create options ignored");
      assert.equal(state.loopSteps, 8);
      assert.equal(state.transport, "everyone");
      assert.equal(state.host, bob.sessionId);
      const step = state.tracks.get("kick")?.steps[2];
      assert.deepEqual([step?.on, step?.note, step?.velocity], [true, 36, 110]);
      await savedWhere(code, (jam) => jam.musicians.join() === "Ann,Bob");
      await bob.leave();
    });

    it("refuses an unknown code with 4212, a live one with 4235, a malformed one and code+remixOf with 4233", async () => {
      await assert.rejects(create({ code: "ZZZZZZ", name: "Ann" }), refusal(JoinError.NOT_FOUND, /not found/));
      const ann = await create({ name: "Ann" });
      await savedWhere(ann.roomId, () => true);
      await assert.rejects(create({ code: ann.roomId, name: "Bob" }), refusal(JoinError.ALREADY_OPEN, /already open/));
      await assert.rejects(create({ code: "0O1I", name: "Bob" }), refusal(JoinError.INVALID_OPTION, /invalid option/));
      await assert.rejects(
        create({ code: ann.roomId, remixOf: ann.roomId, name: "Bob" }),
        refusal(JoinError.INVALID_OPTION, /invalid option/),
      );
      await ann.leave();
    });

    it("opens exactly one room for several creates of one code at once", async () => {
      const ann = await create({ name: "Ann" });
      await savedWhere(ann.roomId, () => true);
      const code = ann.roomId;
      await leaveAll(ann);
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => create({ code, name: `P${i}` })));
      const opened = outcomes.filter((o) => o.status === "fulfilled");
      assert.equal(opened.length, 1);
      for (const outcome of outcomes) {
        if (outcome.status === "rejected") refusal(JoinError.ALREADY_OPEN, /already open/)(outcome.reason);
      }
      await Promise.all(opened.map((o) => (o as PromiseFulfilledResult<Room>).value.leave()));
    });

    it("resumes a playing jam on the same timeline within the resume window, stops it after", async () => {
      const ann = await create({ name: "Ann", tempo: 130 });
      await synced(ann);
      ann.send("play", {});
      const playing = await stateWhere(ann, (s) => s.isPlaying);
      const startedAt = playing.playStartedAt;
      const code = ann.roomId;
      // The room's disposal saves the playing transport.
      await leaveAll(ann);

      clock.advance(RESUME_WINDOW_S * 1000 - 1000);
      const bob = await create({ code, name: "Bob" });
      const resumed = (await synced(bob)).state;
      assert.equal(resumed.isPlaying, true);
      assert.equal(resumed.playStartedAt, startedAt);
      assert.equal(resumed.tempo, 130);
      await leaveAll(bob);

      clock.advance(RESUME_WINDOW_S * 1000 + 1000);
      const cy = await create({ code, name: "Cy" });
      const stopped = (await synced(cy)).state;
      assert.equal(stopped.isPlaying, false);
      assert.equal(stopped.currentStep, 0);
      await cy.leave();
    });

    it("GET /jams/:code answers 200, 404 and 400", async () => {
      const ann = await create({ name: "Ann" });
      const saved = await savedWhere(ann.roomId, () => true);
      assert.equal(saved.roomCode, ann.roomId);
      assert.equal((await jamAnswer("ZZZZZZ")).status, 404);
      assert.deepEqual((await jamAnswer("ZZZZZZ")).body, { error: "Jam not found" });
      const invalid = await jamAnswer("nope!");
      assert.deepEqual([invalid.status, invalid.body], [400, { error: "Invalid room code" }]);
      await ann.leave();
    });

    it('/health says "database":"ok"', async () => {
      const health = await getJson<{ database: string }>(server, "/health");
      assert.equal(health.body.database, "ok");
    });
  });
}

/** A store whose saves fail while `failing` is set; everything else is the in-memory store. */
class FlakyStore {
  failing = true;
  saves: SavedJam[] = [];
  constructor(readonly inner: JamStore) {}
  asStore(): JamStore {
    const save = async (jam: SavedJam) => {
      if (this.failing) throw new Error("database unavailable");
      this.saves.push(jam);
      await this.inner.save(jam);
    };
    return new Proxy(this.inner, { get: (target, key, receiver) => (key === "save" ? save : Reflect.get(target, key, receiver)) });
  }
}

describe("saved jams with a failing store", function () {
  this.timeout(20_000);
  const flaky = new FlakyStore(memoryStore());
  const server = useJamServer({ saveDelayMs: 20 }, async () => flaky.asStore());

  it("plays on (notes and patches), counts the failures, and saves once the store is back", async () => {
    flaky.failing = true;
    const ann = await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" });
    const bob = await server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Bob" });
    await Promise.all([synced(ann), synced(bob)]);
    ann.send("addTrack", { id: "hat", instrument: "hat" });
    await stateWhere(bob, (s) => s.tracks.has("hat"));
    const note = new Promise((resolve) => bob.onMessage("note", resolve));
    ann.send("note", { note: 60 });
    await note;
    const failures = await eventually(
      async () => {
        const text = await (await fetch(`${server.endpoint.replace(/^ws/, "http")}/metrics`)).text();
        const count = Number(/^jam_save_failures_total (\d+)/m.exec(text)?.[1] ?? 0);
        return count >= 2 ? count : undefined;
      },
      5000,
      "failures counted and retried",
    );
    assert.ok(failures >= 2);
    flaky.failing = false;
    await eventually(async () => flaky.saves.some((jam) => jam.tracks.length === 1), 15_000, "saved after the store came back");
    await Promise.all([ann.leave(), bob.leave()]);
  });
});

describe("saved jams flushed on dispose", () => {
  const store = memoryStore();
  // The longest window: only the flush on disposal can have written the edit this soon.
  const server = useJamServer({ saveDelayMs: 1000 }, async () => store);

  it("writes the last edits before the room's code is released", async () => {
    const ann = await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" });
    await synced(ann);
    ann.send("addTrack", { id: "bass", instrument: "bass" });
    await stateWhere(ann, (s) => s.tracks.has("bass"));
    const disposed = roomDisposed(server.colyseus.getRoomById(ann.roomId));
    await ann.leave();
    await disposed;
    const saved = await store.load(ann.roomId);
    assert.deepEqual(
      saved?.tracks.map((track) => track.id),
      ["bass"],
    );
  });
});

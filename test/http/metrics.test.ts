import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { eventually } from "../../support/waiting";
import { openJam } from "../helpers/jam";
import { clientLeft, drop, roomDisposed } from "../helpers/lifecycle";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

type Jam = Room<JamState>;
type Labels = Record<string, string>;

interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

/** One scrape of `GET /metrics`, parsed from the Prometheus text format. */
class Scrape {
  constructor(
    readonly text: string,
    readonly samples: Sample[],
  ) {}

  static parse(text: string): Scrape {
    const samples: Sample[] = [];
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("#")) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
      assert.ok(match, `not a Prometheus sample line: ${line}`);
      const [, name = "", rawLabels = "", rawValue = ""] = match;
      const labels: Labels = {};
      for (const [, key = "", value = ""] of rawLabels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
      const value = rawValue === "+Inf" ? Infinity : rawValue === "-Inf" ? -Infinity : Number(rawValue);
      // prom-client writes a NaN (an event-loop lag not measured yet) as "Nan".
      assert.ok(!Number.isNaN(value) || /^nan$/i.test(rawValue), `not a number in: ${line}`);
      samples.push({ name, labels, value });
    }
    return new Scrape(text, samples);
  }

  /** The sample whose name and labels are exactly these; undefined if the series is not there. */
  value(name: string, labels: Labels = {}): number | undefined {
    const wanted = Object.entries(labels).sort().join(",");
    return this.samples.find((s) => s.name === name && Object.entries(s.labels).sort().join(",") === wanted)?.value;
  }

  /** The `# TYPE` of a metric family. */
  typeOf(name: string): string | undefined {
    return new RegExp(`^# TYPE ${name} (\\w+)$`, "m").exec(this.text)?.[1];
  }

  /** How much a counter (or histogram series) grew since `before`; a series not there yet counts as 0. */
  delta(before: Scrape, name: string, labels: Labels = {}): number {
    return (this.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
  }
}

const NOTES_RELAYED = "jam_notes_relayed_total";
const NOTE_DELIVERIES = "jam_note_deliveries_total";
const REJECTED = "jam_messages_rejected_total";
const ROOMS_CREATED = "jam_rooms_created_total";
const RECONNECTIONS = "jam_reconnections_total";
const SESSION = "jam_session_duration_seconds";
const RECORDING_BATCHES = "jam_recording_batches_total";
const RECORDED_EVENTS = "jam_recorded_events_total";

describe("GET /metrics", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });

  const httpUrl = (path: string) => server.endpoint.replace(/^ws/, "http") + path;

  async function scrape(): Promise<Scrape> {
    const response = await fetch(httpUrl("/metrics"));
    assert.equal(response.status, 200);
    return Scrape.parse(await response.text());
  }

  const trio = (): Promise<Jam[]> => openJam(server, { name: "Ann" }, { name: "Bob" }, { name: "Cy" });

  /** Resolves once the server has handled everything `room` sent before (pings are answered in order). */
  async function settled(room: Jam): Promise<void> {
    const pong = nextMessage(room, "pong");
    room.send("ping", { t: 1 });
    await pong;
  }

  /** Sends `payload` as `type` and resolves with the error the sender gets back. */
  async function refused(room: Jam, type: string | number, payload: unknown): Promise<{ code: string; type: string | undefined }> {
    const error = nextMessage(room, "error");
    room.send(type, payload);
    const { code, type: echoed } = await error;
    return { code, type: echoed };
  }

  describe("GET /metrics > format", () => {
    // First test of the file: the registry belongs to this file's server, booted just before.
    it("starts the jam counters at 0 on a freshly booted server", async () => {
      const fresh = await scrape();
      for (const name of [
        NOTES_RELAYED,
        NOTE_DELIVERIES,
        ROOMS_CREATED,
        RECONNECTIONS,
        `${SESSION}_count`,
        `${SESSION}_sum`,
        RECORDING_BATCHES,
        RECORDED_EVENTS,
      ]) {
        assert.equal(fresh.value(name), 0, name);
      }
      assert.deepEqual(
        fresh.samples.filter((s) => s.name === REJECTED),
        [],
        "no rejection series before any rejection",
      );
      assert.equal(fresh.value("jam_rooms"), 0);
      assert.equal(fresh.value("jam_connected_clients"), 0);
    });

    it("answers 200 in the Prometheus text format", async () => {
      const response = await fetch(httpUrl("/metrics"));
      assert.equal(response.status, 200);
      // Media type parameters may come in any order (express puts charset first).
      const [mediaType, ...params] = (response.headers.get("content-type") ?? "").split(";").map((part) => part.trim());
      assert.equal(mediaType, "text/plain");
      assert.deepEqual(params.sort(), ["charset=utf-8", "version=0.0.4"]);
      const body = await response.text();
      // Every non-comment line is a sample (parse asserts it).
      assert.ok(Scrape.parse(body).samples.length > 0);
    });

    it("declares the jam metrics with their types", async () => {
      const metrics = await scrape();
      assert.equal(metrics.typeOf(NOTES_RELAYED), "counter");
      assert.equal(metrics.typeOf(NOTE_DELIVERIES), "counter");
      assert.equal(metrics.typeOf(REJECTED), "counter");
      assert.equal(metrics.typeOf(ROOMS_CREATED), "counter");
      assert.equal(metrics.typeOf(RECONNECTIONS), "counter");
      assert.equal(metrics.typeOf(SESSION), "histogram");
      assert.equal(metrics.typeOf(RECORDING_BATCHES), "counter");
      assert.equal(metrics.typeOf(RECORDED_EVENTS), "counter");
      assert.equal(metrics.typeOf("jam_rooms"), "gauge");
      assert.equal(metrics.typeOf("jam_connected_clients"), "gauge");
    });

    it("includes the default Node.js process metrics", async () => {
      const metrics = await scrape();
      const cpu = metrics.value("process_cpu_user_seconds_total");
      const heap = metrics.value("nodejs_heap_size_used_bytes");
      assert.ok(cpu !== undefined && cpu > 0, `process_cpu_user_seconds_total = ${cpu}`);
      assert.ok(heap !== undefined && heap > 0, `nodejs_heap_size_used_bytes = ${heap}`);
      assert.equal(metrics.typeOf("process_cpu_user_seconds_total"), "counter");
      assert.equal(metrics.typeOf("nodejs_heap_size_used_bytes"), "gauge");
    });
  });

  describe("GET /metrics > after real traffic", () => {
    it("reports exactly what a session of create, join, notes, refusals, drop, reconnect and leave implies", async () => {
      const before = await scrape();

      const [ann, bob, cy] = await trio();
      assert.ok(ann && bob && cy);
      const solo = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Dee" }));
      solo.onMessage("*", () => undefined);

      // Four notes in the trio (two receivers each), one in Dee's room (nobody to hear it).
      for (const seq of [1, 2, 3]) ann.send("note", { note: 60, seq });
      bob.send("note", { note: 62, seq: 4 });
      solo.send("note", { note: 64, seq: 5 });
      await Promise.all([settled(ann), settled(bob), settled(solo)]);

      assert.deepEqual(await refused(ann, "note", { note: 999 }), { code: "BAD_REQUEST", type: "note" });
      assert.deepEqual(await refused(bob, "tempo", { tempo: 100 }), { code: "NOT_ALLOWED", type: "tempo" });
      assert.deepEqual(await refused(cy, "bogus", { x: 1 }), { code: "BAD_REQUEST", type: "bogus" });

      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      const back = await synced(await server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken));
      back.onMessage("*", () => undefined);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === true);

      const room = server.colyseus.getRoomById(ann.roomId);
      const cyGone = clientLeft(room, cy.sessionId);
      await cy.leave();
      await cyGone;

      const after = await scrape();
      assert.equal(after.delta(before, ROOMS_CREATED), 2);
      assert.equal(after.delta(before, NOTES_RELAYED), 5);
      assert.equal(after.delta(before, NOTE_DELIVERIES), 4 * 2 + 0);
      assert.equal(after.delta(before, REJECTED, { reason: "BAD_REQUEST", type: "note" }), 1);
      assert.equal(after.delta(before, REJECTED, { reason: "NOT_ALLOWED", type: "tempo" }), 1);
      assert.equal(after.delta(before, REJECTED, { reason: "BAD_REQUEST", type: "unknown" }), 1);
      const rejectedSeries = after.samples.filter((s) => s.name === REJECTED);
      const rejectedTotal = rejectedSeries.reduce((sum, s) => sum + s.value, 0);
      const rejectedBefore = before.samples.filter((s) => s.name === REJECTED).reduce((sum, s) => sum + s.value, 0);
      assert.equal(rejectedTotal - rejectedBefore, 3, "no other rejection was counted");
      assert.equal(after.delta(before, RECONNECTIONS), 1);
      // Only Cy was removed; Bob's drop ended in a reconnection.
      assert.equal(after.delta(before, `${SESSION}_count`), 1);
      assert.equal(after.value("jam_rooms"), 2);
      // Ann, Bob (back) and Dee.
      assert.equal(after.value("jam_connected_clients"), 3);
    });
  });

  describe("GET /metrics > notes", () => {
    it("counts each relayed note once and one delivery per other connected participant", async () => {
      const [ann, bob, cy] = await trio();
      assert.ok(ann && bob && cy);
      const before = await scrape();

      for (let seq = 0; seq < 7; seq++) ann.send("note", { note: 60, seq });
      cy.send("note", { note: 61 });
      await Promise.all([settled(ann), settled(cy)]);

      const after = await scrape();
      assert.equal(after.delta(before, NOTES_RELAYED), 8);
      assert.equal(after.delta(before, NOTE_DELIVERIES), 16);
    });

    it("does not count deliveries to a participant within its reconnection grace", async () => {
      const [ann, bob, cy] = await trio();
      assert.ok(ann && bob && cy);
      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      const before = await scrape();

      const cyGets = nextMessage(cy, "note");
      ann.send("note", { note: 60 });
      await cyGets;

      const after = await scrape();
      assert.equal(after.delta(before, NOTES_RELAYED), 1);
      assert.equal(after.delta(before, NOTE_DELIVERIES), 1);
    });

    it("does not count a refused note as relayed", async () => {
      const [ann] = await trio();
      assert.ok(ann);
      const before = await scrape();

      await refused(ann, "note", { note: -1 });
      await refused(ann, "note", "C4");

      const after = await scrape();
      assert.equal(after.delta(before, NOTES_RELAYED), 0);
      assert.equal(after.delta(before, NOTE_DELIVERIES), 0);
      assert.equal(after.delta(before, REJECTED, { reason: "BAD_REQUEST", type: "note" }), 2);
    });
  });

  describe("GET /metrics > recordings", () => {
    it("counts the batches of a recording written to the store and the events they hold", async () => {
      const [ann, bob] = await trio();
      assert.ok(ann && bob);
      const before = await scrape();

      const started = stateWhere(bob, (s) => s.recording);
      ann.send("record", { on: true });
      await started;
      for (const seq of [1, 2, 3]) ann.send("note", { note: 60, seq });
      bob.send("note", { note: 62, on: false, seq: 4 });
      await Promise.all([settled(ann), settled(bob)]);
      const stopped = stateWhere(bob, (s) => !s.recording);
      ann.send("record", { on: false });
      await stopped;

      // The last batch is written after the state says the recording stopped.
      const after = await eventually(
        async () => {
          const now = await scrape();
          return now.delta(before, RECORDED_EVENTS) >= 4 && now;
        },
        5000,
        "the recorded notes reached the store",
      );
      // Every note, the note-off too; no tempo or transport change happened.
      assert.equal(after.delta(before, RECORDED_EVENTS), 4);
      // One batch as it stopped, and one for each second it ran before.
      assert.ok(after.delta(before, RECORDING_BATCHES) >= 1, `${after.delta(before, RECORDING_BATCHES)} batches`);
    });
  });

  describe("GET /metrics > rejected messages", () => {
    it("labels every rejection by its error code and message type", async () => {
      const [ann, bob] = await trio();
      assert.ok(ann && bob);
      const before = await scrape();

      assert.deepEqual(await refused(bob, "play", {}), { code: "NOT_ALLOWED", type: "play" });
      assert.deepEqual(await refused(bob, "kick", { sessionId: ann.sessionId }), { code: "NOT_ALLOWED", type: "kick" });
      assert.deepEqual(await refused(ann, "kick", { sessionId: "nobody" }), { code: "NOT_FOUND", type: "kick" });
      assert.deepEqual(await refused(ann, "tempo", { tempo: "fast" }), { code: "BAD_REQUEST", type: "tempo" });

      const after = await scrape();
      assert.equal(after.delta(before, REJECTED, { reason: "NOT_ALLOWED", type: "play" }), 1);
      assert.equal(after.delta(before, REJECTED, { reason: "NOT_ALLOWED", type: "kick" }), 1);
      assert.equal(after.delta(before, REJECTED, { reason: "NOT_FOUND", type: "kick" }), 1);
      assert.equal(after.delta(before, REJECTED, { reason: "BAD_REQUEST", type: "tempo" }), 1);
    });

    it('counts every unknown type under type="unknown", never under the name the client made up', async () => {
      const [ann] = await trio();
      assert.ok(ann);
      const before = await scrape();
      const madeUp = ["bogus", "x-1", "jam_rooms", "__proto__", "a".repeat(200)];

      for (const type of madeUp) assert.deepEqual(await refused(ann, type, {}), { code: "BAD_REQUEST", type });
      await refused(ann, 42, {});

      const after = await scrape();
      assert.equal(after.delta(before, REJECTED, { reason: "BAD_REQUEST", type: "unknown" }), madeUp.length + 1);
      const types = new Set(after.samples.filter((s) => s.name === REJECTED).map((s) => s.labels.type));
      for (const type of [...madeUp, "42"]) assert.equal(types.has(type), false, `a series with type="${type}"`);
    });

    it("counts messages dropped by the rate limit, notified or not", async () => {
      const [ann, bob] = await trio();
      assert.ok(ann && bob);
      const before = await scrape();

      // The clock stands still: the burst of 100 passes, the next 5 are dropped (one notice).
      for (let seq = 0; seq < 105; seq++) ann.send("note", { note: 60, seq });
      await settled(ann);

      const after = await scrape();
      assert.equal(after.delta(before, NOTES_RELAYED), 100);
      assert.equal(after.delta(before, NOTE_DELIVERIES), 200);
      assert.equal(after.delta(before, REJECTED, { reason: "RATE_LIMITED", type: "note" }), 5);
    });
  });

  describe("GET /metrics > rooms and sessions", () => {
    it("counts rooms created, but not a refused create", async () => {
      const before = await scrape();

      await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
      await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Bob", private: true }));
      await assert.rejects(server.colyseus.sdk.create("jam", { name: "Cy", tempo: 9999 }));
      await assert.rejects(server.colyseus.sdk.create("jam", { name: "" }));

      const after = await scrape();
      assert.equal(after.delta(before, ROOMS_CREATED), 2);
      assert.equal(after.value("jam_rooms"), 2);
      assert.equal(after.value("jam_connected_clients"), 2);
    });

    it("counts a reconnection within the grace, and no session end for it", async () => {
      const [ann, bob] = await trio();
      assert.ok(ann && bob);
      const before = await scrape();

      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      const during = await scrape();
      assert.equal(during.value("jam_connected_clients"), 2, "the dropped connection is not counted");
      const back = await synced(await server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken));
      back.onMessage("*", () => undefined);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === true);

      const after = await scrape();
      assert.equal(after.delta(before, RECONNECTIONS), 1);
      assert.equal(after.delta(before, `${SESSION}_count`), 0);
      assert.equal(after.value("jam_connected_clients"), 3);
    });

    it("observes a session's duration from join to removal in the histogram", async () => {
      const [ann, bob] = await trio();
      assert.ok(ann && bob);
      const before = await scrape();

      clock.advance(90_000);
      const room = server.colyseus.getRoomById(ann.roomId);
      const gone = clientLeft(room, bob.sessionId);
      await bob.leave();
      await gone;

      const after = await scrape();
      assert.equal(after.delta(before, `${SESSION}_count`), 1);
      assert.equal(after.delta(before, `${SESSION}_sum`), 90);
      assert.equal(after.delta(before, `${SESSION}_bucket`, { le: "60" }), 0);
      assert.equal(after.delta(before, `${SESSION}_bucket`, { le: "300" }), 1);
      assert.equal(after.delta(before, `${SESSION}_bucket`, { le: "+Inf" }), 1);
    });

    it("goes back to jam_rooms 0 and jam_connected_clients 0 once the rooms are gone", async () => {
      const [ann] = await trio();
      assert.ok(ann);
      const during = await scrape();
      assert.equal(during.value("jam_rooms"), 1);
      assert.equal(during.value("jam_connected_clients"), 3);

      const disposed = roomDisposed(server.colyseus.getRoomById(ann.roomId));
      await server.colyseus.getRoomById(ann.roomId).disconnect();
      await disposed;

      const after = await scrape();
      assert.equal(after.value("jam_rooms"), 0);
      assert.equal(after.value("jam_connected_clients"), 0);
      // The room's disposal ended all three sessions.
      assert.equal(after.delta(during, `${SESSION}_count`), 3);
    });
  });
});

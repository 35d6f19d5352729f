import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { RoomSummary } from "../../src/http/roomRoutes";
import type { JamState } from "../../src/schema/JamState";
import { stateWhere, synced } from "../../support/clients";
import { clientLeft, drop, getJson, roomDisposed } from "../helpers/lifecycle";
import { useJamServer } from "../helpers/suite";

interface Health {
  status: string;
  uptimeS: number;
  rooms: number;
  clients: number;
  redis: string;
  database: string;
}

const SUMMARY_KEYS = ["isPlaying", "maxParticipants", "participants", "roomCode", "roomId", "tempo"];

describe("HTTP routes", () => {
  const server = useJamServer();

  async function create(options: Record<string, unknown> = {}): Promise<Room<JamState>> {
    return synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann", ...options }));
  }

  async function join(code: string, name: string): Promise<Room<JamState>> {
    return synced(await server.colyseus.sdk.joinById<JamState>(code, { name }));
  }

  async function health(): Promise<Health> {
    const answer = await getJson<Health>(server, "/health");
    assert.equal(answer.status, 200);
    return answer.body;
  }

  async function summary(code: string): Promise<RoomSummary> {
    const answer = await getJson<RoomSummary>(server, `/rooms/${code}`);
    assert.equal(answer.status, 200, `GET /rooms/${code}`);
    return answer.body;
  }

  describe("HTTP routes > GET /health", () => {
    it('answers 200 JSON {status: "ok", uptimeS, rooms, clients, redis, database}', async () => {
      const answer = await getJson<Health>(server, "/health");
      assert.equal(answer.status, 200);
      assert.match(answer.contentType ?? "", /^application\/json/);
      assert.deepEqual(Object.keys(answer.body).sort(), ["clients", "database", "redis", "rooms", "status", "uptimeS"]);
      assert.equal(answer.body.status, "ok");
      assert.ok(Number.isInteger(answer.body.uptimeS) && answer.body.uptimeS >= 0, `uptimeS ${answer.body.uptimeS}`);
      assert.equal(answer.body.rooms, 0);
      assert.equal(answer.body.clients, 0);
      assert.equal(answer.body.redis, "none", "no REDIS_URL: not configured");
      assert.equal(answer.body.database, "ok", "the jam store answers");
    });

    it("counts the rooms and the open client connections of this process", async () => {
      const ann = await create();
      await join(ann.roomId, "Bob");
      await create({ name: "Cy" });
      const counts = await health();
      assert.equal(counts.rooms, 2);
      assert.equal(counts.clients, 3);
    });

    it("counts a leave at once", async () => {
      const ann = await create();
      const bob = await join(ann.roomId, "Bob");
      const room = server.colyseus.getRoomById(ann.roomId);
      const left = clientLeft(room, bob.sessionId);
      await bob.leave();
      await left;
      const counts = await health();
      assert.equal(counts.rooms, 1);
      assert.equal(counts.clients, 1);
    });

    it("does not count the connection of a participant within its reconnection grace (it is not open)", async () => {
      const ann = await create();
      const bob = await join(ann.roomId, "Bob");
      assert.equal((await health()).clients, 2);
      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      const counts = await health();
      assert.equal(counts.rooms, 1);
      assert.equal(counts.clients, 1);
    });

    it("goes back to zero once the rooms are disposed", async () => {
      const ann = await create();
      const disposed = roomDisposed(server.colyseus.getRoomById(ann.roomId));
      await ann.leave();
      await disposed;
      const counts = await health();
      assert.equal(counts.rooms, 0);
      assert.equal(counts.clients, 0);
    });
  });

  describe("HTTP routes > GET /ready", () => {
    it("answers 200 {ready: true} when nothing it depends on is configured", async () => {
      const answer = await getJson<{ ready: boolean }>(server, "/ready");
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { ready: true });
    });
  });

  describe("HTTP routes > GET /rooms", () => {
    it("answers [] when there is no room", async () => {
      const answer = await getJson<RoomSummary[]>(server, "/rooms");
      assert.equal(answer.status, 200);
      assert.match(answer.contentType ?? "", /^application\/json/);
      assert.deepEqual(answer.body, []);
    });

    it("lists public rooms only, each as { roomCode, roomId, participants, maxParticipants, tempo, isPlaying }", async () => {
      const open = await create({ tempo: 90, maxParticipants: 4 });
      await join(open.roomId, "Bob");
      const other = await create({ name: "Cy" });
      await create({ name: "Dee", private: true });
      const answer = await getJson<RoomSummary[]>(server, "/rooms");
      assert.equal(answer.status, 200);
      const listed = [...answer.body].sort((a, b) => a.roomCode.localeCompare(b.roomCode));
      const expected = [
        { roomCode: open.roomId, roomId: open.roomId, participants: 2, maxParticipants: 4, tempo: 90, isPlaying: false },
        { roomCode: other.roomId, roomId: other.roomId, participants: 1, maxParticipants: 10, tempo: 120, isPlaying: false },
      ].sort((a, b) => a.roomCode.localeCompare(b.roomCode));
      assert.deepEqual(listed, expected);
      for (const entry of listed) assert.deepEqual(Object.keys(entry).sort(), SUMMARY_KEYS);
    });

    it("follows the transport: tempo and isPlaying", async () => {
      const ann = await create();
      ann.send("tempo", { tempo: 140 });
      ann.send("play", {});
      await stateWhere(ann, (s) => s.tempo === 140 && s.isPlaying);
      const [entry] = (await getJson<RoomSummary[]>(server, "/rooms")).body;
      assert.equal(entry?.tempo, 140);
      assert.equal(entry?.isPlaying, true);
      ann.send("stop", {});
      await stateWhere(ann, (s) => !s.isPlaying);
      assert.equal((await summary(ann.roomId)).isPlaying, false);
    });

    it("drops a disposed room from the list", async () => {
      const ann = await create();
      const disposed = roomDisposed(server.colyseus.getRoomById(ann.roomId));
      await ann.leave();
      await disposed;
      assert.deepEqual((await getJson<RoomSummary[]>(server, "/rooms")).body, []);
    });
  });

  describe("HTTP routes > GET /rooms/:code", () => {
    it("answers 200 with the room's summary", async () => {
      const ann = await create({ tempo: 75, maxParticipants: 6 });
      const answer = await getJson<RoomSummary>(server, `/rooms/${ann.roomId}`);
      assert.equal(answer.status, 200);
      assert.match(answer.contentType ?? "", /^application\/json/);
      assert.deepEqual(answer.body, {
        roomCode: ann.roomId,
        roomId: ann.roomId,
        participants: 1,
        maxParticipants: 6,
        tempo: 75,
        isPlaying: false,
      });
    });

    it("accepts the code in lower case (and mixed case)", async () => {
      const ann = await create();
      const lower = ann.roomId.toLowerCase();
      const mixed = lower.slice(0, 3) + ann.roomId.slice(3);
      for (const typed of [lower, mixed]) {
        const answer = await getJson<RoomSummary>(server, `/rooms/${typed}`);
        assert.equal(answer.status, 200, `GET /rooms/${typed}`);
        assert.equal(answer.body.roomCode, ann.roomId);
      }
    });

    it("answers for private rooms too", async () => {
      const ann = await create({ private: true, maxParticipants: 3 });
      const body = await summary(ann.roomId);
      assert.equal(body.roomCode, ann.roomId);
      assert.equal(body.maxParticipants, 3);
    });

    it('answers 404 {"error":"Room not found"} for a well-formed code of no room', async () => {
      const ann = await create();
      const unknown = ann.roomId === "ZZZZZZ" ? "YYYYYY" : "ZZZZZZ";
      const answer = await getJson(server, `/rooms/${unknown}`);
      assert.equal(answer.status, 404);
      assert.match(answer.contentType ?? "", /^application\/json/);
      assert.deepEqual(answer.body, { error: "Room not found" });
    });

    it("answers 404 once the room is disposed", async () => {
      const ann = await create();
      const code = ann.roomId;
      const disposed = roomDisposed(server.colyseus.getRoomById(code));
      await ann.leave();
      await disposed;
      const answer = await getJson(server, `/rooms/${code}`);
      assert.equal(answer.status, 404);
      assert.deepEqual(answer.body, { error: "Room not found" });
    });

    for (const code of ["abc", "O0O0O0", "ABCDEFG", "ABCDE", "ABCDE1", "ABCDEI", "ABC-EF", "%20ABCDEF%20x"]) {
      it(`answers 400 {"error":"Invalid room code"} for "${code}"`, async () => {
        const answer = await getJson(server, `/rooms/${code}`);
        assert.equal(answer.status, 400);
        assert.match(answer.contentType ?? "", /^application\/json/);
        assert.deepEqual(answer.body, { error: "Invalid room code" });
      });
    }

    it("updates the participants count after a join and after a leave", async () => {
      const ann = await create();
      assert.equal((await summary(ann.roomId)).participants, 1);
      await join(ann.roomId, "Bob");
      assert.equal((await summary(ann.roomId)).participants, 2);
      const cy = await join(ann.roomId, "Cy");
      assert.equal((await summary(ann.roomId)).participants, 3);
      const room = server.colyseus.getRoomById(ann.roomId);
      const left = clientLeft(room, cy.sessionId);
      await cy.leave();
      await left;
      assert.equal((await summary(ann.roomId)).participants, 2);
    });

    it("does not count a refused join", async () => {
      const ann = await create({ maxParticipants: 2 });
      await join(ann.roomId, "Bob");
      await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, { name: "Cy" }));
      await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, { name: "" }));
      assert.equal((await summary(ann.roomId)).participants, 2);
    });
  });
});

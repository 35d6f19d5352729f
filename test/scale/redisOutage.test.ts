/**
 * Redis going away under two real processes (A on 2801, B on 2802) that share it, and coming back
 * empty: the test's own redis-server is killed with SIGKILL and restarted on the same port. The
 * outage lasts REDIS_OUTAGE_MS (3 s by default; the recovery path is the same for 10 s).
 */
import { CloseCode } from "../../src/protocol/codes";
import assert from "node:assert/strict";
import { Client, type Room } from "colyseus.js";
import Redis from "ioredis";
import type { ServerRestart } from "../../src/protocol/serverMessages";
import { CODE_CLAIM_TTL_S, CODE_KEY_PREFIX } from "../../src/rooms/roomCodes";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { OpenRooms } from "../helpers/openRooms";
import { failingRoutes } from "../helpers/outageProbe";
import { RedisServer } from "../../support/redisServer";
import { describeExit, killAll, type LogRecord, type ServerProcess } from "../../support/serverProcess";
import { ownDatabase, type TestDatabase } from "../../support/postgres";
import { startServer } from "../../support/startServer";
import { eventually, within } from "../../support/waiting";

const OUTAGE_MS = Number(process.env.REDIS_OUTAGE_MS ?? 3000);
/** The contract: every route and matchmaking work again this long after Redis is back. */
const RECOVERY_BOUND_MS = 5000;
const DRAIN_MS = 300;

const outageStarted = (record: LogRecord) => record.msg === "redis unreachable: rooms play on, matchmaking waits for it";
const outageEnded = (record: LogRecord) => record.msg === "redis reachable again";

interface Health {
  status: string;
  rooms: number;
  clients: number;
  redis: string;
  database: string;
}

async function timedGet<T>(server: ServerProcess, path: string): Promise<{ status: number; body: T; ms: number }> {
  const startedAt = performance.now();
  const response = await fetch(server.httpUrl + path, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  // An error page is HTML; only the status and the time matter then.
  const body = (response.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : text) as T;
  return { status: response.status, body, ms: performance.now() - startedAt };
}

describe("Redis outage", function () {
  this.timeout(60_000);
  const opened = new OpenRooms();

  after(async () => {
    await opened.leaveAll().catch(() => undefined);
    await killAll();
  });

  describe("two processes, Redis killed and restarted empty", () => {
    let redis: RedisServer;
    let database: TestDatabase | undefined;
    let a: ServerProcess;
    let b: ServerProcess;
    let codes: string[];
    let host: Room<JamState>;
    let guest: Room<JamState>;

    before(async function () {
      this.timeout(45_000);
      redis = await RedisServer.start();
      database = await ownDatabase();
      const env = { REDIS_URL: redis.url, DATABASE_URL: database.url, PUBLIC_ADDRESS: "127.0.0.1:{port}", LOG_LEVEL: "info" };
      [a, b] = await Promise.all([startServer({ port: 2801, label: "A", env }), startServer({ port: 2802, label: "B", env })]);
      host = opened.add(await new Client(a.endpoint).create<JamState>("jam", { name: "Ann" }));
      guest = opened.add(await new Client(b.endpoint).joinById<JamState>(host.roomId, { name: "Bob" }));
      const other = opened.add(await new Client(b.endpoint).create<JamState>("jam", { name: "Cy" }));
      for (const room of [host, guest, other]) await synced(room);
      await stateWhere(host, (state) => state.participants.size === 2);
      codes = [host.roomId, other.roomId];
      assert.deepEqual(await failingRoutes([a, b], { liveCodes: codes, readiness: true }), [], "everything works before the outage");
    });

    after(async () => {
      await opened.leaveAll().catch(() => undefined);
      await killAll();
      await redis.kill();
      await database?.drop();
    });

    describe("while Redis is down", () => {
      before(async () => {
        await redis.kill();
        await Promise.all([a, b].map((server) => server.waitForLog(outageStarted, 5000, "outage line")));
      });

      it('answers GET /health within 100 ms on both processes, with redis "down"', async () => {
        for (const server of [a, b]) {
          const { status, body, ms } = await timedGet<Health>(server, "/health");
          assert.equal(status, 200, `GET /health on ${server.label}`);
          assert.ok(ms < 100, `GET /health on ${server.label} took ${ms.toFixed(0)} ms`);
          assert.equal(body.redis, "down");
          assert.equal(body.database, "ok", "the jam store answers");
          assert.equal(body.status, "ok");
        }
        // The probers of `before` may still be leaving: the counts settle without an event to await.
        await eventually(
          async () => {
            const bodies = await Promise.all([a, b].map(async (server) => (await timedGet<Health>(server, "/health")).body));
            const total = (key: "rooms" | "clients") => bodies.reduce((sum, body) => sum + body[key], 0);
            return total("rooms") === 2 && total("clients") === 3;
          },
          3000,
          "2 rooms and 3 open connections in all, counted from memory",
        );
      });

      it('answers GET /ready with 503 {ready: false, redis: "down", database: "ok"}', async () => {
        for (const server of [a, b]) {
          const { status, body } = await timedGet(server, "/ready");
          assert.equal(status, 503, `GET /ready on ${server.label}`);
          assert.deepEqual(body, { ready: false, redis: "down", database: "ok" });
        }
      });

      it("keeps relaying notes between processes' clients", async () => {
        const heard = nextMessage(guest, "note");
        host.send("note", { note: 62, seq: 7 });
        const note = await heard;
        assert.deepEqual({ note: note.note, seq: note.seq, senderId: note.senderId }, { note: 62, seq: 7, senderId: host.sessionId });
      });

      it("answers room listings quickly instead of hanging (they need Redis)", async () => {
        // These queries fail: the point is that no failed query stays cached once Redis is back.
        for (const server of [a, b]) {
          const { ms } = await timedGet(server, "/rooms");
          assert.ok(ms < 2500, `GET /rooms on ${server.label} took ${ms.toFixed(0)} ms`);
        }
      });
    });

    describe("once Redis is back, empty", () => {
      let recoveredAfterMs: number;

      before(async function () {
        this.timeout(OUTAGE_MS + 30_000);
        // The outage itself is the scenario: its length is a parameter, not a wait for an event.
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
        await redis.restart();
        const backAt = Date.now();
        let failing: string[] = [];
        await eventually(
          async () => {
            failing = await failingRoutes([a, b], { liveCodes: codes, readiness: true });
            return failing.length === 0;
          },
          RECOVERY_BOUND_MS,
          "every route and matchmaking call works again",
          100,
        ).catch((error: Error) => {
          throw new Error(`${error.message}; still failing:\n  ${failing.join("\n  ")}`);
        });
        recoveredAfterMs = Date.now() - backAt;
      });

      it(`serves /health, /ready, /rooms, /rooms/:code, /metrics, create and joinById by code on both processes within ${RECOVERY_BOUND_MS / 1000} s`, () => {
        assert.ok(recoveredAfterMs <= RECOVERY_BOUND_MS, `recovered ${recoveredAfterMs} ms after Redis came back`);
      });

      it("holds every live room's code in Redis again, with an expiry", async () => {
        const direct = new Redis(redis.url, { maxRetriesPerRequest: 0 });
        try {
          for (const code of codes) {
            const ttl = await direct.ttl(CODE_KEY_PREFIX + code);
            assert.ok(ttl > 0 && ttl <= CODE_CLAIM_TTL_S, `claim of ${code} has TTL ${ttl}`);
          }
        } finally {
          direct.disconnect();
        }
      });

      it("logged the outage once when it started (error) and once when it ended (info) on each process", () => {
        for (const server of [a, b]) {
          const started = server.logs.filter(outageStarted);
          const ended = server.logs.filter(outageEnded);
          assert.equal(started.length, 1, `${server.label}: ${started.length} outage lines`);
          assert.equal(started[0]?.level, 50);
          assert.equal(ended.length, 1, `${server.label}: ${ended.length} recovery lines`);
          assert.equal(ended[0]?.level, 30);
          assert.deepEqual(
            server.stderrLines.filter((line) => /Unhandled error event/.test(line)),
            [],
            `${server.label}: ioredis errors are all listened to`,
          );
          assert.equal(server.hasExited, false, `${server.label} is still running`);
        }
      });
    });
  });

  describe("SIGTERM while Redis is down", () => {
    let redis: RedisServer;
    let database: TestDatabase | undefined;
    let server: ServerProcess;
    const told: (ServerRestart | undefined)[] = [];
    const closeCodes: (number | undefined)[] = [];
    let exit: { code: number | null; signal: NodeJS.Signals | null };

    before(async function () {
      this.timeout(45_000);
      redis = await RedisServer.start();
      database = await ownDatabase();
      const env = {
        REDIS_URL: redis.url,
        DATABASE_URL: database.url,
        PUBLIC_ADDRESS: "127.0.0.1:{port}",
        SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      };
      server = await startServer({ port: 2803, label: "S", env });
      const client = new Client(server.endpoint);
      const rooms: Room<JamState>[] = [];
      for (const jam of ["one", "two"]) {
        const first = opened.add(await client.create<JamState>("jam", { name: `Host ${jam}` }));
        rooms.push(first);
        for (const name of ["Guest", "Other"])
          rooms.push(opened.add(await client.joinById<JamState>(first.roomId, { name: `${name} ${jam}` })));
      }
      await Promise.all(rooms.map((room) => synced(room)));
      const closed = rooms.map(
        (room, i) =>
          new Promise<void>((resolve) => {
            room.onMessage("server-restart", (message: ServerRestart) => (told[i] ??= message));
            room.onLeave((code) => {
              closeCodes[i] = code;
              resolve();
            });
          }),
      );

      await redis.kill();
      await server.waitForLog(outageStarted, 5000, "outage line");
      assert.ok(server.kill("SIGTERM"));
      await within(Promise.all(closed), DRAIN_MS + 5000, "every connection closed");
      exit = await within(server.exited, DRAIN_MS + 5000, `exit after SIGTERM\n${server.output()}`);
    });

    after(async () => {
      await killAll();
      await redis.kill();
      await database?.drop();
    });

    it("tells all 6 clients server-restart, then closes them with 4000", () => {
      assert.equal(told.filter((message) => message !== undefined && message.reconnectInMs > 0).length, 6, "clients told");
      assert.deepEqual(closeCodes, Array(6).fill(CloseCode.CONSENTED));
    });

    it("exits with code 0, not by the shutdown deadline", () => {
      assert.deepEqual(exit, { code: 0, signal: null }, `exited with ${describeExit(exit)}\n${server.output()}`);
      assert.ok(!server.logs.some((record) => record.msg === "graceful shutdown did not finish in time, exiting"));
    });
  });
});

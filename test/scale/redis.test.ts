/**
 * Scale-out over Redis with real processes: two servers (A on 2701, B on 2702) share Redis
 * database 9 through RedisPresence + RedisDriver. Clients are plain colyseus.js clients, each
 * pointed at one process, as a browser behind a load balancer would be.
 *
 * A new room is made on the process the create request reached (src/config/scaleOut.ts), as a
 * load balancer spreads them. Tests that need to know where a room lives read it from the
 * processes' own "room created" log lines; each test starts once the room counts the processes
 * save to Redis are back to zero.
 */
import { CloseCode, JoinError } from "../../src/protocol/codes";
import assert from "node:assert/strict";
import { RedisPresence } from "@colyseus/redis-presence";
import { Client, type Room } from "colyseus.js";
import type Redis from "ioredis";
import type { RoomSummary } from "../../src/http/roomRoutes";
import { CODE_CLAIM_TTL_S, CODE_KEY_PREFIX, claimRoomCode, releaseRoomCode } from "../../src/rooms/roomCodes";
import { normalizeRoomCode } from "../../src/rules/roomCode";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { OpenRooms } from "../helpers/openRooms";
import { killAll, type LogRecord, type ServerProcess } from "../../support/serverProcess";
import { ownDatabase, type TestDatabase } from "../../support/postgres";
import { firstToLog, httpGet, startServer } from "../../support/startServer";
import { eventually, within } from "../../support/waiting";
import { connectTestRedis, SKIP_REDIS_TESTS, TEST_REDIS_URL } from "../helpers/redis";

const PORT_A = 2701;
const PORT_B = 2702;

interface Health {
  status: string;
  rooms: number;
  clients: number;
}

const codeKey = (code: string) => CODE_KEY_PREFIX + code;
const roomCreated = (code: string) => (record: LogRecord) => record.msg === "room created" && record.room === code;
const roomDisposed = (code: string) => (record: LogRecord) => record.msg === "room disposed" && record.room === code;

describe("scale-out: two processes sharing Redis", function () {
  this.timeout(20_000);

  let redis: Redis | undefined;
  /** The database both processes share, made for this suite and dropped after it. */
  let database: TestDatabase | undefined;
  let a: ServerProcess;
  let b: ServerProcess;
  const opened = new OpenRooms();

  function db(): Redis {
    if (redis === undefined) throw new Error("no Redis connection");
    return redis;
  }

  const clientOf = (server: ServerProcess) => new Client(server.endpoint);
  const live = () => [a, b].filter((server) => server !== undefined && !server.hasExited);

  async function create(via: ServerProcess, name: string, options: Record<string, unknown> = {}): Promise<Room<JamState>> {
    return opened.add(await clientOf(via).create<JamState>("jam", { name, ...options }));
  }

  async function join(via: ServerProcess, code: string, name: string): Promise<Room<JamState>> {
    return opened.add(await clientOf(via).joinById<JamState>(code, { name }));
  }

  /** The process hosting `code`, from its "room created" log line. */
  function hostOf(code: string): Promise<ServerProcess> {
    return firstToLog([a, b], roomCreated(code), 5000, `"room created" line for ${code}`);
  }

  /**
   * Resolves once the room counts the processes saved to Redis (Colyseus' `roomcount` hash, what its
   * placement reads) add up to `total` for the live processes: placement then sees the truth.
   */
  async function placementCountsAre(total: number): Promise<void> {
    await eventually(
      async () => {
        const saved = Object.values(await db().hgetall("roomcount")).map((entry) => Number(entry.split(",")[0]));
        return saved.length === live().length && saved.reduce((sum, count) => sum + count, 0) === total;
      },
      3000,
      `room counts saved in Redis add up to ${total}`,
    );
  }

  async function health(server: ServerProcess): Promise<Health> {
    const answer = await httpGet<Health>(server, "/health");
    assert.equal(answer.status, 200, `GET /health on ${server.label}`);
    return answer.body;
  }

  before(async function () {
    this.timeout(45_000);
    if (SKIP_REDIS_TESTS) {
      console.warn(
        "    SKIP_REDIS_TESTS=1: the scale-out tests over Redis are skipped (nothing about multi-process behaviour is checked).",
      );
      this.skip();
    }
    const connected = await connectTestRedis();
    if (connected instanceof Error) throw connected;
    redis = connected;
    await redis.flushdb();
    database = await ownDatabase();
    const env = { REDIS_URL: TEST_REDIS_URL, DATABASE_URL: database.url, PUBLIC_ADDRESS: "127.0.0.1:{port}", LOG_LEVEL: "info" };
    [a, b] = await Promise.all([startServer({ port: PORT_A, label: "A", env }), startServer({ port: PORT_B, label: "B", env })]);
  });

  afterEach(async () => {
    if (redis === undefined) return;
    await opened.leaveAll();
    // Every room gone on every live process before the next test: counts and code keys start clean.
    for (const server of live()) {
      await eventually(async () => (await health(server)).rooms === 0, 5000, `rooms on ${server.label} disposed after the test`);
    }
    if (live().length === 2) await placementCountsAre(0);
  });

  after(async function () {
    this.timeout(15_000);
    await opened.leaveAll().catch(() => undefined);
    await killAll();
    await database?.drop();
    if (redis !== undefined) {
      await redis.flushdb();
      await redis.quit();
    }
  });

  it("lets a room created through A be joined by code through B (and through A), with notes flowing both ways", async () => {
    const host = await create(a, "Ann");
    const code = host.roomId;
    const guest = await join(b, code, "Bob");
    const third = await join(a, code, "Cy");
    const all = [host, guest, third];
    await Promise.all(all.map((room) => synced(room)));
    await Promise.all(all.map((room) => stateWhere(room, (state) => state.participants.size === 3)));

    // The room lives on exactly one process; one of the two joins necessarily came through the
    // other, and every connection ended up on the owner.
    const owner = await hostOf(code);
    const other = owner === a ? b : a;
    const load = async (server: ServerProcess) => {
      const { rooms, clients } = await health(server);
      return { rooms, clients };
    };
    assert.deepEqual(await load(owner), { rooms: 1, clients: 3 }, `the owner (${owner.label}) holds the room and all three connections`);
    assert.deepEqual(await load(other), { rooms: 0, clients: 0 }, `the other process (${other.label}) holds nothing`);

    // Host → the guest who came through B, and the third participant.
    const atGuest = nextMessage(guest, "note");
    const atThird = nextMessage(third, "note");
    host.send("note", { note: 60, velocity: 90, seq: 1 });
    for (const received of [await atGuest, await atThird]) {
      assert.deepEqual(
        { note: received.note, velocity: received.velocity, seq: received.seq, senderId: received.senderId },
        { note: 60, velocity: 90, seq: 1, senderId: host.sessionId },
      );
    }

    // The guest who came through B → the others.
    const atHost = nextMessage(host, "note");
    const atThirdAgain = nextMessage(third, "note");
    guest.send("note", { note: 64, seq: 2 });
    for (const received of [await atHost, await atThirdAgain]) {
      assert.deepEqual(
        { note: received.note, seq: received.seq, senderId: received.senderId },
        { note: 64, seq: 2, senderId: guest.sessionId },
      );
    }
  });

  it("keeps room codes unique across processes: 20 rooms created alternately through A and B", async () => {
    const rooms: Room<JamState>[] = [];
    for (let i = 0; i < 20; i++) rooms.push(await create(i % 2 === 0 ? a : b, `Player ${i}`));
    const codes = rooms.map((room) => room.roomId);

    assert.equal(new Set(codes).size, 20, `all codes distinct: ${codes.join(" ")}`);
    for (const code of codes) assert.equal(normalizeRoomCode(code), code, `"${code}" is a valid room code`);

    // Each code is claimed exactly once in Redis, and nothing else is claimed.
    const keys = await db().keys(`${CODE_KEY_PREFIX}*`);
    assert.deepEqual([...keys].sort(), codes.map(codeKey).sort());
    const claims = await Promise.all(codes.map((code) => db().get(codeKey(code))));
    assert.equal(new Set(claims.filter((claim) => claim !== null)).size, 20, "every claim holds an owner token of its own");

    // Both processes host some of them: the codes really came from two processes.
    const owners = await Promise.all(codes.map((code) => hostOf(code)));
    const onA = owners.filter((owner) => owner === a).length;
    assert.ok(onA > 0 && onA < 20, `rooms spread over both processes (A hosts ${onA}, B hosts ${20 - onA})`);
    assert.deepEqual([(await health(a)).rooms, (await health(b)).rooms], [onA, 20 - onA]);
  });

  it("answers GET /rooms and GET /rooms/:code on either process for rooms hosted on the other", async () => {
    // One room on each process: each is made where its create arrived.
    const onA = await create(a, "Host 1", { tempo: 91 });
    const onB = await create(b, "Host 2", { tempo: 92 });
    assert.deepEqual([await hostOf(onA.roomId), await hostOf(onB.roomId)], [a, b]);
    const secret = await create(b, "Hidden", { private: true });

    for (const [asked, room] of [
      [b, onA],
      [a, onB],
      [a, secret],
      [b, secret],
    ] as const) {
      // The listing's participant count is saved to Redis after the join: wait for it.
      const answer = await eventually(
        async () => {
          const got = await httpGet<RoomSummary>(asked, `/rooms/${room.roomId.toLowerCase()}`);
          return got.status === 200 && got.body.participants === 1 ? got : undefined;
        },
        3000,
        `GET /rooms/${room.roomId} on ${asked.label} shows the room with its participant`,
      );
      assert.deepEqual(answer.body, {
        roomCode: room.roomId,
        roomId: room.roomId,
        participants: 1,
        maxParticipants: 10,
        tempo: room.state.tempo,
        isPlaying: false,
      });
    }

    for (const asked of [a, b]) {
      const listed = await httpGet<RoomSummary[]>(asked, "/rooms");
      assert.equal(listed.status, 200);
      const listedCodes = listed.body.map((summary) => summary.roomCode);
      assert.ok(listedCodes.includes(onA.roomId), `GET /rooms on ${asked.label} lists ${onA.roomId} (on A)`);
      assert.ok(listedCodes.includes(onB.roomId), `GET /rooms on ${asked.label} lists ${onB.roomId} (on B)`);
      assert.ok(!listedCodes.includes(secret.roomId), `GET /rooms on ${asked.label} does not list the private room`);
    }
  });

  it("answers a create by code through either process with the refusal's own code (4235, 4212)", async () => {
    const host = await create(b, "Ann");
    const code = host.roomId;
    await eventually(async () => (await httpGet(a, `/jams/${code}`)).status === 200, 5000, "the jam saved");
    for (const via of [a, b]) {
      await assert.rejects(create(via, "Bob", { code }), (error: { code?: number }) => error.code === JoinError.ALREADY_OPEN);
      await assert.rejects(create(via, "Bob", { code: "ZZZZZ2" }), (error: { code?: number }) => error.code === JoinError.NOT_FOUND);
    }
  });

  describe("a saved jam's code held in Redis by a process", () => {
    /** A saved jam no room has open: created through A, saved, left. */
    async function savedJam(): Promise<string> {
      const host = await create(a, "Ann");
      const code = host.roomId;
      await eventually(async () => (await httpGet(a, `/jams/${code}`)).status === 200, 5000, "the jam saved");
      const owner = await hostOf(code);
      const disposed = owner.waitForLog(roomDisposed(code), 5000);
      await host.leave();
      await disposed;
      return code;
    }

    it("that died (no process channel) is taken over once the claim missed a refresh: the jam opens at once", async () => {
      const code = await savedJam();
      // A claim as a killed process leaves it: its owner's process channel is gone, its TTL runs down.
      await db().set(codeKey(code), "process-that-died.token", "EX", 8);
      const room = await create(b, "Bob", { code });
      assert.equal(room.roomId, code);
      const claim = await db().get(codeKey(code));
      assert.ok(claim !== null && !claim.startsWith("process-that-died."), `the claim is the new room's now (${claim})`);
      assert.ok((await db().ttl(codeKey(code))) > 8);
    });

    it("that lives keeps it however low the claim's TTL: 4235", async () => {
      const live = await create(a, "Cy");
      const liveOwner = await db().get(codeKey(live.roomId));
      const processId = liveOwner?.split(".")[0];
      assert.ok(processId !== undefined && processId !== "", `a live claim names its process (${liveOwner})`);
      const code = await savedJam();
      await db().set(codeKey(code), `${processId}.another-room`, "EX", 8);
      await assert.rejects(create(b, "Bob", { code }), (error: { code?: number }) => error.code === JoinError.ALREADY_OPEN);
      await db().del(codeKey(code));
    });
  });

  it("deletes a disposed room's code key in Redis, and both processes then answer 404 for it", async () => {
    const host = await create(a, "Ann");
    const code = host.roomId;
    const owner = await hostOf(code);
    assert.equal(await db().exists(codeKey(code)), 1, "the code is claimed while the room lives");

    await host.leave(true);
    await owner.waitForLog(roomDisposed(code), 5000, `"room disposed" line for ${code}`);
    // The key is deleted by onDispose right after that line; Redis sends no event for it.
    await eventually(async () => (await db().exists(codeKey(code))) === 0, 3000, `${codeKey(code)} deleted from Redis`);
    for (const asked of [a, b]) {
      const answer = await eventually(
        async () => {
          const got = await httpGet<{ error: string }>(asked, `/rooms/${code}`);
          return got.status === 404 ? got : undefined;
        },
        3000,
        `GET /rooms/${code} on ${asked.label} answers 404`,
      );
      assert.deepEqual(answer.body, { error: "Room not found" });
    }
  });

  it("claims a code with a TTL (> 0 and at most the claim TTL), so a claim nobody refreshes expires", async () => {
    const host = await create(b, "Ann");
    const ttl = await db().ttl(codeKey(host.roomId));
    assert.ok(ttl > 0 && ttl <= CODE_CLAIM_TTL_S, `TTL of ${codeKey(host.roomId)} is ${ttl} s`);
  });

  describe("claimRoomCode on two RedisPresence instances", () => {
    const presences: RedisPresence[] = [];

    before(() => {
      presences.push(new RedisPresence(TEST_REDIS_URL), new RedisPresence(TEST_REDIS_URL));
    });

    after(() => {
      for (const presence of presences) presence.shutdown();
    });

    it("lets exactly one of two concurrent claims of the same code win, 20 times over", async () => {
      const [first, second] = presences;
      assert.ok(first !== undefined && second !== undefined);
      for (let round = 0; round < 20; round++) {
        const code = `JAM${"ABCDEFGHJKLMNPQRSTUVWXYZ"[round]}22`;
        const always = () => code;
        const claims = await Promise.all([claimRoomCode(first, always), claimRoomCode(second, always)]);
        assert.equal(claims.filter((claim) => claim === code).length, 1, `round ${round}: ${JSON.stringify(claims)}`);
        assert.equal(claims.filter((claim) => claim === null).length, 1, `round ${round}: the other claim gives up with null`);
        const ttl = await db().ttl(codeKey(code));
        assert.ok(ttl > 0 && ttl <= CODE_CLAIM_TTL_S, `round ${round}: the winner's claim expires (TTL ${ttl})`);

        // Released, the code can be claimed again — by either presence.
        await releaseRoomCode(claims[0] === code ? first : second, code);
        assert.equal(await db().exists(codeKey(code)), 0);
        assert.equal(await claimRoomCode(second, always), code);
        await releaseRoomCode(second, code);
      }
    });
  });

  // Last: it kills a process.
  describe("when a process dies", () => {
    it("leaves the code of a room on a process killed with SIGKILL expiring, then stops listing that room", async () => {
      const host = await create(a, "Ann");
      const code = host.roomId;
      const owner = await hostOf(code);
      const survivor = owner === a ? b : a;
      const dropped = new Promise<number>((resolve) => host.onLeave(resolve));

      assert.ok(owner.kill("SIGKILL"));
      assert.deepEqual(await within(owner.exited, 5000, `server ${owner.label} exits on SIGKILL`), { code: null, signal: "SIGKILL" });
      assert.notEqual(await within(dropped, 5000, "the client sees its connection drop"), CloseCode.CONSENTED);

      // The dead process never ran onDispose: its claim is still there, but with an expiry.
      assert.equal(await db().exists(codeKey(code)), 1);
      const ttl = await db().ttl(codeKey(code));
      assert.notEqual(ttl, -1, "the claim of a dead process must not be permanent");
      assert.ok(ttl > 0 && ttl <= CODE_CLAIM_TTL_S, `TTL of the dead room's code is ${ttl} s`);

      // The survivor keeps serving: a new room can be created through it.
      const next = await create(survivor, "Bob");
      assert.notEqual(next.roomId, code);
      assert.equal(await hostOf(next.roomId), survivor);

      // The dead room's listing outlives its process in Redis; once the claim has expired (done
      // here by hand instead of waiting CODE_CLAIM_TTL_S), it is no longer listed and a join by
      // its code says "not found" instead of timing out on the dead process.
      assert.equal((await httpGet(survivor, `/rooms/${code}`)).status, 200);
      await db().del(codeKey(code));
      const answer = await httpGet<{ error: string }>(survivor, `/rooms/${code}`);
      assert.equal(answer.status, 404);
      assert.deepEqual(answer.body, { error: "Room not found" });
      const listed = await httpGet<RoomSummary[]>(survivor, "/rooms");
      assert.equal(
        listed.body.some((room) => room.roomCode === code),
        false,
      );
      await assert.rejects(clientOf(survivor).joinById(code, { name: "Cy" }), (error: Error) => /not found/.test(error.message));
    });
  });
});

/**
 * Measures what a Redis outage does to two server processes sharing it (any version of the
 * server: it only uses HTTP and colyseus.js), then a SIGTERM while Redis is down.
 *
 *   npm run faults:redis -- [outageSeconds=10]
 *
 * Uses its own redis-server on a free port (killed with SIGKILL, restarted empty) and ports
 * 2810–2812. Prints one JSON object: seconds from Redis' return until every route and matchmaking
 * call of both processes works (`null`: not within 60 s), how many /health probes (one a second
 * per process during the outage) answered 200 within 1 s, the live room codes held in Redis and
 * joinable 5 s after its return, and the shutdown outcome (clients told, close codes, exit).
 */
import { Client, type Room } from "colyseus.js";
import Redis from "ioredis";
import { failingRoutes } from "../../test/helpers/outageProbe";
import { RedisServer } from "../../support/redisServer";
import { killAll } from "../../support/serverProcess";
import { ownDatabase } from "../../support/postgres";
import { startServer } from "../../support/startServer";
import { within } from "../../support/waiting";

const OUTAGE_S = Number(process.argv[2] ?? 10);
const GIVE_UP_MS = 60_000;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** "GET /rooms/ABC234 on A: answered 404" → counts per route: { "GET /rooms/:code": 1 }. */
function byRoute(failing: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of failing) {
    const route = (line.split(" on ")[0] ?? line)
      .split(" through ")[0]
      ?.replace(/\/rooms\/\w+/, "/rooms/:code")
      .replace(/joinById \w+/, "joinById");
    counts[route] = (counts[route] ?? 0) + 1;
  }
  return counts;
}

async function outage() {
  const redis = await RedisServer.start();
  const database = await ownDatabase();
  const env = { REDIS_URL: redis.url, DATABASE_URL: database.url, PUBLIC_ADDRESS: "127.0.0.1:{port}", LOG_LEVEL: "warn" };
  const servers = await Promise.all(
    [2810, 2811].map((port, i) => startServer({ port, label: "AB"[i], env: { ...env, LOG_LEVEL: "info" } })),
  );
  const rooms: Room[] = [];
  for (let i = 0; i < 6; i++) rooms.push(await new Client(servers[i % 2]?.endpoint).create("jam", { name: `Host ${i}` }));
  const codes = rooms.map((room) => room.roomId);

  await redis.kill();
  // A liveness probe asks /health of each process every second, as a process manager would.
  let healthAnswered = 0;
  let healthAsked = 0;
  const probe = setInterval(() => {
    for (const server of servers) {
      healthAsked++;
      fetch(`${server.httpUrl}/health`, { signal: AbortSignal.timeout(1000) }).then(
        (response) => void (response.status === 200 && healthAnswered++),
        () => undefined,
      );
    }
  }, 1000);
  await wait(OUTAGE_S * 1000);
  clearInterval(probe);
  await redis.restart();
  const backAt = Date.now();

  let recoveredS: number | null = null;
  let failingAt5s: string[] | undefined;
  let lastFailing: string[] = [];
  while (Date.now() - backAt < GIVE_UP_MS) {
    const failing = await failingRoutes(servers, { liveCodes: codes, matchmaking: true });
    lastFailing = failing;
    if (failingAt5s === undefined && Date.now() - backAt >= 5000) failingAt5s = failing;
    if (failing.length === 0) {
      recoveredS = (Date.now() - backAt) / 1000;
      break;
    }
    await wait(250);
  }
  if (failingAt5s === undefined) {
    await wait(Math.max(0, backAt + 5000 - Date.now()));
    failingAt5s = await failingRoutes(servers, { liveCodes: codes, matchmaking: false });
  }
  const direct = new Redis(redis.url);
  const claimed = (await Promise.all(codes.map((code) => direct.exists(`jam:code:${code}`)))).filter((n) => n === 1).length;
  direct.disconnect();
  const joinable = codes.filter((code) => !failingAt5s.some((line) => line.includes(code))).length;
  const stderr = servers.flatMap((server) => server.stderrLines).filter((line) => line.includes("Unhandled error event")).length;
  const exited = servers.filter((server) => server.hasExited).length;
  await Promise.all(rooms.map((room) => room.leave(true).catch(() => undefined)));
  await killAll();
  await redis.kill();
  await database.drop();
  return {
    outageS: OUTAGE_S,
    healthWithin1sDuringOutage: `${healthAnswered}/${healthAsked}`,
    recoveredAfterS: recoveredS,
    failingRoutesAt5s: failingAt5s.length,
    failingAt5sByRoute: byRoute(failingAt5s),
    failingExamples: (recoveredS === null ? lastFailing : failingAt5s).slice(0, 3),
    liveCodes: codes.length,
    codesClaimedInRedisAfterRecovery: claimed,
    codesServedAt5s: joinable,
    ioredisUnhandledErrorLines: stderr,
    processesExited: exited,
  };
}

async function shutdownWhileDown() {
  const redis = await RedisServer.start();
  const database = await ownDatabase();
  const server = await startServer({
    port: 2812,
    label: "S",
    env: { REDIS_URL: redis.url, DATABASE_URL: database.url, PUBLIC_ADDRESS: "127.0.0.1:{port}", SHUTDOWN_DRAIN_MS: "300" },
  });
  const client = new Client(server.endpoint);
  const rooms: Room[] = [];
  for (let i = 0; i < 2; i++) {
    const host = await client.create("jam", { name: "Host" });
    rooms.push(host, await client.joinById(host.roomId, { name: "Guest" }), await client.joinById(host.roomId, { name: "Other" }));
  }
  let told = 0;
  const closeCodes: number[] = [];
  const closed = Promise.all(
    rooms.map((room) => {
      room.onMessage("server-restart", () => told++);
      room.onMessage("*", () => undefined);
      return new Promise<void>((resolve) => room.onLeave((code) => resolve(void closeCodes.push(code))));
    }),
  );
  await redis.kill();
  await wait(500);
  const sigtermAt = Date.now();
  server.kill("SIGTERM");
  const exit = await within(server.exited, 30_000, "exit after SIGTERM");
  await within(closed, 5000, "connections closed").catch(() => undefined);
  await killAll();
  await database.drop();
  return {
    clients: rooms.length,
    toldServerRestart: told,
    closeCodes,
    exitCode: exit.code,
    exitSignal: exit.signal,
    exitAfterMs: Date.now() - sigtermAt,
  };
}

async function main() {
  const result = { outage: await outage(), shutdownWhileRedisDown: await shutdownWhileDown() };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

void main();

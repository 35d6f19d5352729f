/**
 * Soak test: many jam rooms full of colyseus.js clients playing for minutes on end, with abrupt
 * drops and reconnections, short note floods and malformed payloads mixed in, against one server
 * process on this machine.
 *
 *   npm run soak -- --rooms 50 --per-room 10 --minutes 10 [--note-rate 4] [--port 2567]
 *   npm run soak -- --endpoint http://127.0.0.1:2567 ...      (a server that is already running)
 *
 * Without `--endpoint` it starts `node build/index.js` itself (server.ts) and stops it at the end.
 * That server runs on a redis-server of the soak's own, which is killed halfway through and started
 * again empty `--redis-down` seconds later (0: no Redis); the soak reports how long until every
 * route, matchmaking and every room's code answered again. `--slow-consumers` connections stop
 * reading (but keep answering pings), each fed 12 KB signals by its room's host; the server must
 * drop them (faults.ts).
 *
 * Every ordinary note is accounted for (noteLedger.ts). Ordinary notes stay far below the note
 * budget; a flooding client pauses its ordinary notes until the server has consumed the flood and
 * its bucket has refilled, and flood notes carry no seq. At the end everyone stops, two rounds of
 * ping barriers flush every socket, and the tail is checked.
 *
 * Output: a start line, a progress line every minute, an end line, then `SUMMARY {json}`.
 * Exit code: 0, or 2 when the server crashed / stopped answering, 1 when the soak could not start.
 */
import { Client } from "colyseus.js";
import type { ServerProcess } from "../../support/serverProcess";
import { sleep, valueWithin } from "../../support/waiting";
import { SoakClient, type RoomGroup } from "./client";
import { ownDatabase, type TestDatabase } from "../../support/postgres";
import { SlowConsumers, SoakRedis, type RedisRestartReport } from "./faults";
import { describeError } from "./format";
import { parseOptions, type SoakOptions } from "./options";
import { seedRandom } from "./random";
import { ProgressReport } from "./report";
import { ensureBuild, sourceVersion, startSoakServer } from "./server";
import { getHealth, sampleServer, type ServerSample } from "./serverView";
import { example, loopDelay, stats } from "./stats";
import { printSummary } from "./summary";

// colyseus.js reports some failures with console.warn (one per failed room): count, show a few.
const originalWarn = console.warn.bind(console);
console.warn = (...args: unknown[]): void => {
  stats.clientWarnings++;
  if (stats.clientWarnings <= 10) originalWarn("[client warn]", ...args);
  else if (stats.clientWarnings === 11) originalWarn("[client warn] (further client warnings are only counted)");
};

process.on("uncaughtException", (error) => {
  stats.exceptions++;
  example("exception", describeError(error));
  if (stats.exceptions <= 10) originalWarn("[soak] uncaught exception:", error);
});
process.on("unhandledRejection", (error) => {
  stats.exceptions++;
  example("exception", `unhandled rejection: ${describeError(error)}`);
  if (stats.exceptions <= 10) originalWarn("[soak] unhandled rejection:", error);
});
process.on("SIGINT", () => {
  console.error("[soak] interrupted");
  process.exit(130);
});

async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(workers);
}

async function withRetries(what: string, attempts: number, action: () => Promise<void>): Promise<boolean> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await action();
      return true;
    } catch (error) {
      example("joinFailed", `${what} attempt ${attempt}: ${describeError(error)}`);
      await sleep(500 * attempt);
    }
  }
  return false;
}

function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  seedRandom(options.seed);
  // Whatever hangs (a join that never answers, say), the soak ends: its minutes plus 5 minutes at most.
  setTimeout(
    () => {
      console.error("[soak] WATCHDOG: still running 5 minutes after the planned end; exiting");
      process.exit(3);
    },
    (options.minutes + 5) * 60_000,
  ).unref();
  return soak(options);
}

async function soak(options: SoakOptions): Promise<number> {
  const endpoint = options.endpoint ?? `http://127.0.0.1:${options.port}`;
  let server: ServerProcess | undefined;
  // Only a soak that starts its own server restarts Redis: it must own the Redis it kills.
  let redis: SoakRedis | undefined;
  // With Redis, the server needs PostgreSQL too: a database of the soak's own, dropped at the end.
  let database: TestDatabase | undefined;
  const { commit, dirty } = sourceVersion();

  if (options.endpoint === undefined) {
    if ((await getHealth(endpoint)) !== undefined) {
      console.error(`[soak] something already answers on ${endpoint}: pass --port P for a free port, or --endpoint to use it`);
      return 1;
    }
    ensureBuild();
    if (options.redisDownS > 0) {
      redis = await SoakRedis.start();
      database = await ownDatabase();
    }
    const scaleOut = redis !== undefined && database !== undefined ? { redisUrl: redis.url, databaseUrl: database.url } : undefined;
    server = startSoakServer(options.port, options.rooms * options.perRoom, scaleOut);
    try {
      await server.ready("health", 30_000);
    } catch {
      console.error("[soak] the server did not come up");
      await server.stop(5000);
      return server.hasExited && !server.stopRequested ? 2 : 1;
    }
  }
  const serverPid = server?.pid;
  const target = options.rooms * options.perRoom;
  stats.clientsTarget = target;
  console.log(
    `[soak] ${options.rooms} rooms × ${options.perRoom} = ${target} clients, ${options.minutes} min, ${options.noteRate} notes/s each; ` +
      `drop every ~${options.dropEveryS}s, flood (${options.floodNotes} notes/1 s) every ~${options.floodEveryS}s, bad payload every ~${options.badEveryS}s per client; ` +
      `${redis === undefined ? "no Redis" : `Redis down ${options.redisDownS}s halfway`}, ${options.slowConsumers} slow consumers; ` +
      `seed ${options.seed}; server ${options.endpoint === undefined ? `pid ${serverPid} (build of ${commit}${dirty ? ", src dirty" : ""})` : "external"} at ${endpoint}`,
  );

  const idle = await sampleServer(endpoint);
  const sdk = new Client(endpoint);
  const groups: RoomGroup[] = Array.from({ length: options.rooms }, (_, index) => ({ index, code: "", clients: [] }));
  for (const group of groups) {
    for (let i = 0; i < options.perRoom; i++) group.clients.push(new SoakClient(sdk, group, `r${group.index}-p${i}`, options));
  }
  const everyone = groups.flatMap((group) => group.clients);

  // ── ramp up: one client creates, the others join by code ──
  const rampStart = Date.now();
  await mapLimit(groups, 10, async (group) => {
    const [host, ...guests] = group.clients;
    if (host === undefined) return;
    if (!(await withRetries(`create ${host.name}`, 3, () => host.create()))) {
      stats.joinsFailed += group.clients.length;
      return;
    }
    stats.joinsOk++;
    for (const guest of guests) {
      if (await withRetries(`join ${guest.name}`, 3, () => guest.join())) stats.joinsOk++;
      else stats.joinsFailed++;
    }
  });
  console.log(`[soak] ramp-up: ${stats.joinsOk} joined, ${stats.joinsFailed} failed in ${((Date.now() - rampStart) / 1000).toFixed(1)} s`);
  const slow = new SlowConsumers();
  if (options.slowConsumers > 0) await slow.start(endpoint, options.slowConsumers);

  // ── play ──
  const serverDown = (): boolean => server?.hasExited === true;
  let unreachable = 0;
  const started = Date.now();
  const startSample = await sampleServer(endpoint);
  loopDelay.enable();
  const progress = new ProgressReport(started, target, everyone, startSample);
  progress.print("start", startSample);

  const endAt = started + options.minutes * 60_000;
  // Halfway through: every room is busy, and there is time left to see the server recover.
  const redisRestartAt = started + (options.minutes * 60_000) / 2;
  let redisRestart: Promise<RedisRestartReport> | undefined;
  let nextReportAt = started + 60_000;
  let crashed = false;
  while (Date.now() < endAt) {
    const now = Date.now();
    for (const client of everyone) client.tick(now);
    if (redis !== undefined && redisRestart === undefined && now >= redisRestartAt) {
      console.log(`[soak] killing Redis for ${options.redisDownS} s`);
      const codes = () => groups.map((group) => group.code).filter((code) => code !== "");
      redisRestart = redis.restart(endpoint, options.redisDownS, codes);
      void redisRestart.then((result) => console.log(`[soak] Redis back: ${JSON.stringify(result)}`));
    }
    if (now >= nextReportAt) {
      nextReportAt += 60_000;
      const sample = await sampleServer(endpoint);
      unreachable = sample.health === undefined ? unreachable + 1 : 0;
      progress.print("progress", sample);
    }
    if (serverDown()) {
      crashed = true;
      break;
    }
    if (options.endpoint !== undefined && unreachable >= 3) {
      console.log("[soak] the server has not answered /health three times in a row");
      crashed = true;
      break;
    }
    await sleep(20);
  }

  // ── wind down: finish what is under way, flush every socket, count the tail ──
  const windDown = Date.now();
  if (!crashed) {
    const busy = everyone.map((c) => c.busy).filter((b): b is Promise<void> => b !== undefined);
    await valueWithin(Promise.allSettled(busy), 60_000, []);
    // Two rounds: after the first the server has read every note; after the second every receiver has them.
    for (let round = 0; round < 2; round++) {
      await Promise.all(everyone.filter((c) => c.connected).map((c) => c.barrier(20_000)));
    }
    for (const client of everyone) client.checkTail();
    for (const client of everyone) stats.badUnanswered += client.unansweredBadPayloads;
  }
  const endSample = await sampleServer(endpoint);
  if (endSample.health === undefined && options.endpoint !== undefined) crashed = true;
  progress.print("end", endSample);
  const heldAtEnd = everyone.filter((c) => c.connected).length;

  const redisReport = redisRestart === undefined ? null : await redisRestart;
  const slowReport = slow.report();
  console.log(`[soak] slow consumers: ${JSON.stringify(slowReport)}`);
  await slow.stop();

  // ── close every client, check the server lets go of everything ──
  await Promise.all(everyone.map((c) => c.leave()));
  let drained: ServerSample = await sampleServer(endpoint);
  const drainBy = Date.now() + 45_000;
  while (!crashed && !serverDown() && Date.now() < drainBy && !(drained.health?.rooms === 0 && drained.health.clients === 0)) {
    await sleep(500);
    drained = await sampleServer(endpoint);
  }
  const drainS = (Date.now() - windDown) / 1000;
  if (drained.health !== undefined && (drained.health.rooms !== 0 || drained.health.clients !== 0)) {
    example("stuck", `after every client left: ${JSON.stringify(drained.health)}`);
  }
  console.log(
    `[soak] all clients closed; server now ${JSON.stringify(drained.health ?? "unreachable")} (${drainS.toFixed(1)} s after wind-down began)`,
  );

  if (serverDown() && server?.stopRequested !== true) crashed = true;
  if (server !== undefined && (await server.stop(20_000))) console.log("[soak] server still running 20000 ms after SIGTERM: SIGKILL");
  await redis?.stop();
  await database?.drop();

  printSummary({
    crashed,
    server,
    options,
    commit,
    dirty,
    started,
    windDown,
    target,
    heldAtEnd,
    samples: { idle, start: startSample, end: endSample, drained },
    redisReport,
    slowReport,
    timeline: progress.timeline,
  });
  return crashed ? 2 : 0;
}

// A hard stop, in case anything hangs on the way out: the soak is bounded whatever happens.
main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    console.error(`[soak] ${describeError(error)}`);
    process.exit(1);
  },
);

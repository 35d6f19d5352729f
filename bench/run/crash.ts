/**
 * The crash scenario (`--only crash`): a server process holding the jams is killed with SIGKILL
 * while they play, and the musicians' own sessions (the client library) bring them back.
 *
 * - "pm2": one process under PM2 (ecosystem.config.js, embedded store in a temporary DATA_DIR);
 *   PM2 restarts it; the musicians' endpoint is its port.
 * - "redis": two processes under PM2 sharing a Redis of the bench's own and a PostgreSQL database
 *   made for the run. Instance 1 is stopped while the jams open, so all of them open on instance
 *   0, then started again. The musicians reach the processes through a front that spreads
 *   connections over both and skips one that refuses (README's nginx `upstream`); a room's socket
 *   goes to its own process. Instance 0 is killed; PM2 restarts it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { ownDatabase } from "../../support/postgres";
import { RedisServer } from "../../support/redisServer";
import { answersHealth } from "../../support/serverProcess";
import { eventually } from "../../support/waiting";
import { crashFigures, type CrashCaseFigures } from "../lib/crashFigures";
import { RECOVERY_TARGET_S } from "../lib/crashRows";
import { DeadProcessWatch, type DeadProcessTimes } from "../lib/deadProcess";
import { Pm2 } from "../lib/pm2";
import type { CrashDriverResult } from "../lib/results";
import { benchJamEnv } from "../lib/servers";
import { round } from "../lib/stats";
import { TcpFront } from "../lib/tcpFront";
import { sleep } from "../lib/wallClock";
import type { BenchReport } from "./benchReport";
import { driver, finish, live, log, noise, track } from "./context";
import type { CrashCase, Options } from "./options";

/** Every change is saved within this (the server's default, set explicitly so the judge knows it). */
const SAVE_DELAY_MS = 250;
/** Load processes for the musicians: the machine has two cores. */
const DRIVERS = 2;

/** How each deployment ran and how its musicians reached it, for the report. */
const METHOD: Record<CrashCase, string> = {
  pm2: "PM2 (the project's ecosystem.config.js, one instance, embedded store in a temporary DATA_DIR) restarts the killed process; the musicians' endpoint is its port.",
  redis:
    "PM2 runs two instances on one Redis and one PostgreSQL database; every jam opened on instance 0 (instance 1 was stopped meanwhile, then started again); the musicians reach both through a front that skips a port refusing connections, as nginx's upstream does; PM2 restarts the killed instance.",
};

interface Victim {
  name: CrashCase;
  setup: string;
  pm2: Pm2;
  /** The PM2 instance that holds the jams and is killed. */
  instance: number;
  /** The musicians' endpoint. */
  url: string;
  /** Runs once the jams play, before the steady phase (case "redis": the second process starts). */
  beforeSteady?: () => Promise<void>;
  /** Instances that must hold no jam when the kill comes. */
  others: number[];
  redis?: Redis;
}

export async function runCrash(options: Options, report: BenchReport): Promise<void> {
  report.jam.crash = [];
  for (const name of options.crashCases) {
    noise.mark(`jam crash ${name}`);
    const figures = name === "pm2" ? await onePm2Process(options) : await twoProcesses(options);
    report.jam.crash.push(figures);
    const calls = Object.entries(figures.calls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([call, n]) => `${call} ×${n}`)
      .join(", ");
    report.meta.notes.push(
      `Crash, ${figures.setup}: ${METHOD[name]} The musicians' matchmaking calls after the kill, by answer: ${calls}.`,
    );
    const target = RECOVERY_TARGET_S[name];
    log(
      `crash [${name}]: ${figures.back}/${figures.sessions} back, max ${figures.recoveryS.max} s (target ≤ ${target}), p50 ${figures.recoveryS.p50}, ` +
        `gave up ${figures.gaveUp}, edits lost before the window ${figures.edits.violations} of ${figures.edits.appliedBeforeWindow}, ` +
        `in the window ${figures.edits.lostInWindow} of ${figures.edits.appliedInWindow}, same timeline ${figures.jamsOnSameTimeline}/${figures.jams}`,
    );
  }
}

function serverEnv(options: Options, extra: Record<string, string>): Record<string, string> {
  return benchJamEnv({ SAVE_DELAY_MS: String(SAVE_DELAY_MS), ...options.jamEnv, ...extra });
}

async function onePm2Process(options: Options): Promise<CrashCaseFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), "jam-crash-data-"));
  const pm2 = track(await Pm2.start({ port: options.port, instances: 1, env: serverEnv(options, { DATA_DIR: dataDir }) }));
  try {
    log(`crash [pm2]: PM2 runs the jam server on port ${options.port} (embedded store in a temporary folder)`);
    return await measure(options, {
      name: "pm2",
      setup: "one process under PM2",
      pm2,
      instance: 0,
      url: `ws://127.0.0.1:${options.port}`,
      others: [],
    });
  } finally {
    pm2.kill();
    live.delete(pm2);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function twoProcesses(options: Options): Promise<CrashCaseFigures> {
  const base = options.port + 1;
  const redisServer = await RedisServer.start(options.port + 4);
  const database = await ownDatabase();
  const redis = new Redis(redisServer.url, { lazyConnect: true });
  let pm2: Pm2 | undefined;
  let front: TcpFront | undefined;
  try {
    await redis.connect();
    const env = serverEnv(options, { REDIS_URL: redisServer.url, DATABASE_URL: database.url, PUBLIC_ADDRESS: "127.0.0.1:{port}" });
    pm2 = track(await Pm2.start({ port: base, instances: 2, env }));
    const running = pm2;
    // Colyseus places a new room on the process with the fewest rooms: with instance 1 stopped,
    // every jam opens on instance 0.
    await running.stop(1);
    front = await TcpFront.listen(options.port + 3, [running.portOf(0), running.portOf(1)]);
    log(
      `crash [redis]: PM2 runs two processes on ${base} and ${base + 1}, Redis on ${redisServer.port}, musicians through the front on ${front.port}`,
    );
    return await measure(options, {
      name: "redis",
      setup: "one of two processes on Redis + PostgreSQL under PM2",
      pm2: running,
      instance: 0,
      url: front.url,
      beforeSteady: () => running.restart(1),
      others: [1],
      redis,
    });
  } finally {
    front?.close();
    if (pm2 !== undefined) {
      pm2.kill();
      live.delete(pm2);
    }
    redis.disconnect();
    await redisServer.kill();
    await database.drop();
  }
}

async function roomsOn(pm2: Pm2, instance: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${pm2.portOf(instance)}/health`);
  return ((await response.json()) as { rooms: number }).rooms;
}

async function measure(options: Options, victim: Victim): Promise<CrashCaseFigures> {
  const { jams, perJam } = options.crashLayout;
  const { pm2, name } = victim;
  const drivers = Array.from({ length: DRIVERS }, (_, d) => {
    const first = Math.floor((jams * d) / DRIVERS);
    const count = Math.floor((jams * (d + 1)) / DRIVERS) - first;
    return driver<CrashDriverResult>("crash", { url: victim.url, jams: count, "first-jam": first, "per-jam": perJam });
  });
  await Promise.all(drivers.map((d) => d.ready));
  log(`crash [${name}]: ${jams} jams × ${perJam} musicians playing, editing and sending notes`);
  await victim.beforeSteady?.();
  await sleep(options.seconds * 1000);

  const held = await roomsOn(pm2, victim.instance);
  const elsewhere = await Promise.all(victim.others.map((other) => roomsOn(pm2, other)));
  if (held !== jams || elsewhere.some((rooms) => rooms !== 0))
    throw new Error(`crash [${name}]: the process to kill holds ${held} rooms, the others ${elsewhere.join(", ")}; expected all ${jams}`);
  const watch = victim.redis === undefined ? undefined : await DeadProcessWatch.of(victim.redis, pm2.portOf(victim.instance));
  const { pid } = await pm2.process(victim.instance);

  const killAt = Date.now();
  process.kill(pid, "SIGKILL");
  watch?.start(killAt);
  log(`crash [${name}]: SIGKILL to pid ${pid}, holding ${held} jams`);
  const httpUrl = `http://127.0.0.1:${pm2.portOf(victim.instance)}`;
  const restarted = eventually(() => answersHealth(httpUrl, 500), 60_000, "the killed process back", 50).then(
    () => round((Date.now() - killAt) / 1000, 2),
    () => undefined,
  );

  const results = await Promise.all(drivers.map((d) => finish(d)));
  const restartS = await restarted;
  const dead: DeadProcessTimes = watch?.stop() ?? {};
  const { restarts } = await pm2.process(victim.instance);
  log(`crash [${name}]: PM2 restarted it (${restarts} restart${restarts === 1 ? "" : "s"}), answering after ${restartS} s`);
  const figures = crashFigures({
    name,
    targetS: RECOVERY_TARGET_S[name] ?? Number.POSITIVE_INFINITY,
    setup: victim.setup,
    sessions: results.flatMap((r) => r.sessions),
    killAt,
    saveDelayMs: SAVE_DELAY_MS,
    notesReceived: results.reduce((sum, r) => sum + r.notesReceived, 0),
    steadyMs: Math.min(...results.map((r) => r.steadyMs)),
    calls: sumCounts(results.map((r) => r.calls)),
  });
  return {
    ...figures,
    ...(restartS !== undefined && { restartS }),
    ...(dead.listingsGoneS !== undefined && { deadListingsGoneS: dead.listingsGoneS }),
    ...(dead.claimsGoneS !== undefined && { deadClaimsGoneS: dead.claimsGoneS }),
  };
}

function sumCounts(counts: readonly Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const each of counts) for (const [key, n] of Object.entries(each)) sum[key] = (sum[key] ?? 0) + n;
  return sum;
}

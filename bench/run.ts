/**
 * `npm run bench`: measures the jam server (build/index.js) and, when the shared bench folder is
 * there, the reference relays (raw ws, Socket.IO) in the same run, one server process at a time,
 * with every load generator and probe in processes of their own. Prints a table and writes
 * bench/results/<date>.json (and .md).
 *
 *   npm run bench -- [--only relay,joins,state,memory,clock,sequencer] [--seconds 10]
 *                    [--sequencer-minutes 10] [--targets jam,ws,socketio] [--ref-dir ../shared/bench]
 *                    [--port 2680] [--relay 50x8x8,100x10x10] [--memory 100x10] [--idle-rooms 200]
 *                    [--warmup 3] [--repeat 3] [--clock-estimator library|bench] [--rate-limits JSON]
 *                    [--out bench/results]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { Flags } from "./lib/args";
import { Driver, REPO_ROOT, type DriverArgs } from "./lib/ipc";
import { NoiseMonitor, busyProcesses, machineInfo, rssBytes, type MachineInfo } from "./lib/proc";
import { buildRows, markdownTable, relayKey, type JamFigures, type RelayConfig, type Row, type TargetFigures } from "./lib/report";
import type { ClockResult, JoinsResult, MemoryResult, RelayResult, SequencerResult, StateResult, Target } from "./lib/results";
import { BenchServer, TARGET_LABEL } from "./lib/servers";
import { sleep } from "./lib/wallClock";
import { referenceDir, runLoadgen } from "./refs/loadgen";

const SCENARIOS = ["relay", "joins", "state", "memory", "clock", "sequencer"] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Options {
  only: Set<Scenario>;
  seconds: number;
  warmup: number;
  /** Relay runs per config and server; the table shows the median. */
  repeat: number;
  sequencerMinutes: number;
  targets: Set<Target>;
  refDir: string;
  port: number;
  relayConfigs: RelayConfig[];
  memoryLayout: { rooms: number; perRoom: number };
  idleRooms: number;
  outDir: string;
  jamEnv: Record<string, string>;
  /** "library": client/src's ServerClock; "bench": the bench's own minimal estimator. */
  clockEstimator: string;
}

interface BenchReport {
  meta: {
    date: string;
    command: string;
    machine: MachineInfo;
    gitCommit: string;
    loadAverageAtStart: number[];
    busyAtStart: { pid: number; command: string; cpuPct: number }[];
    options: Record<string, unknown>;
    refDir?: string;
    notes: string[];
    durationS?: number;
    /** CPU of processes outside the bench, % of one core, per stage of the run. */
    otherCpuPct?: Record<string, { meanPct: number; maxPct: number }>;
  };
  jam: JamFigures;
  ws?: TargetFigures;
  socketio?: TargetFigures;
  rows: Row[];
}

function parseOptions(argv: readonly string[]): Options {
  const flags = new Flags(argv);
  const only = flags.list("only", SCENARIOS);
  for (const name of only)
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`--only: unknown scenario "${name}" (${SCENARIOS.join(", ")})`);
  const targets = flags.list("targets", ["jam", "ws", "socketio"]);
  const layout = (text: string, parts: number): number[] => {
    const numbers = text.split(/x|×/).map(Number);
    if (numbers.length !== parts || numbers.some((n) => !Number.isInteger(n) || n < 1))
      throw new Error(`"${text}" is not ${parts} positive integers joined by x`);
    return numbers;
  };
  const [memRooms, memPerRoom] = layout(flags.string("memory", "100x10"), 2);
  const rateLimits = flags.string("rate-limits", process.env.RATE_LIMITS ?? "");
  return {
    only: new Set(only as Scenario[]),
    seconds: flags.number("seconds", 10),
    warmup: flags.number("warmup", 3),
    repeat: Math.max(1, Math.floor(flags.number("repeat", 3))),
    sequencerMinutes: flags.number("sequencer-minutes", 10),
    targets: new Set(targets as Target[]),
    refDir: resolve(REPO_ROOT, flags.string("ref-dir", process.env.JAM_BENCH_REF_DIR ?? "../shared/bench")),
    port: flags.number("port", 2680),
    relayConfigs: flags.list("relay", ["50x8x8", "100x10x10"]).map((text) => {
      const [rooms, perRoom, rate] = layout(text, 3);
      return { rooms, perRoom, rate };
    }),
    memoryLayout: { rooms: memRooms, perRoom: memPerRoom },
    idleRooms: flags.number("idle-rooms", 200),
    outDir: resolve(REPO_ROOT, flags.string("out", "bench/results")),
    jamEnv: rateLimits === "" ? {} : { RATE_LIMITS: rateLimits },
    clockEstimator: flags.string("clock-estimator", "library"),
  };
}

// ─── bookkeeping ───────────────────────────────────────────────────────────────────────────────

const started = Date.now();
const live = new Set<{ kill(): void }>();
const noise = new NoiseMonitor();

function log(text: string): void {
  const elapsed = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${elapsed}s] ${text}\n`);
}

function track<T extends { kill(): void }>(thing: T): T {
  live.add(thing);
  return thing;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const thing of live) thing.kill();
    process.exit(130);
  });
}
process.once("exit", () => {
  for (const thing of live) thing.kill();
});

async function startServer(target: Target, options: Options): Promise<BenchServer> {
  const port = options.port + (target === "jam" ? 0 : target === "ws" ? 1 : 2);
  const server = track(await BenchServer.start({ target, port, refDir: options.refDir, env: options.jamEnv }));
  log(`${server.label} up (pid ${server.pid}, port ${port})`);
  return server;
}

async function stopServer(server: BenchServer): Promise<void> {
  await server.stop();
  live.delete(server);
}

function driver<R>(scenario: string, args: DriverArgs): Driver<R> {
  return track(new Driver<R>(scenario, args, (text) => log(text)));
}

async function finish<R>(d: Driver<R>): Promise<R> {
  const result = await d.result;
  await d.stop();
  live.delete(d);
  return result;
}

const MiB = 2 ** 20;
const round1 = (value: number): number => Math.round(value * 10) / 10;

// ─── memory ────────────────────────────────────────────────────────────────────────────────────

/** A fresh server, its idle footprint, then the footprint with `rooms × perRoom` idle clients. */
async function measureMemory(target: Target, options: Options, rooms: number, perRoom: number): Promise<MemoryResult> {
  noise.mark(`${target} memory ${rooms}×${perRoom}`);
  const server = await startServer(target, options);
  try {
    await sleep(1000);
    const baselineRss = rssBytes(server.pid);
    const baselineHeap = await server.heapUsedBytes();
    let loadedRss: number;
    let loadedHeap: number | undefined;
    let connectMs: number;
    if (target === "jam") {
      const holder = driver<{ clients: number }>("hold", { url: server.url, rooms, "per-room": perRoom });
      const ready = await holder.ready;
      connectMs = Number(ready.connectMs);
      await sleep(2000);
      loadedRss = rssBytes(server.pid);
      loadedHeap = await server.heapUsedBytes();
      await holder.stop();
      live.delete(holder);
    } else {
      const run = track(
        runLoadgen(options.refDir, { target, url: server.url, rooms, perRoom, rate: 0, seconds: 1, warmup: 2, pid: server.pid }),
      );
      await run.windowOpened;
      loadedRss = rssBytes(server.pid);
      connectMs = (await run.result).connectMs;
      live.delete(run);
    }
    const clients = rooms * perRoom;
    const result: MemoryResult = {
      target,
      rooms,
      perRoom,
      clients,
      connectMs,
      baselineRssMiB: round1(baselineRss / MiB),
      loadedRssMiB: round1(loadedRss / MiB),
      rssKiBPerClient: round1((loadedRss - baselineRss) / 1024 / clients),
      rssKiBPerRoom: round1((loadedRss - baselineRss) / 1024 / rooms),
    };
    if (baselineHeap !== undefined && loadedHeap !== undefined) {
      result.baselineHeapMiB = round1(baselineHeap / MiB);
      result.loadedHeapMiB = round1(loadedHeap / MiB);
      result.heapKiBPerClient = round1((loadedHeap - baselineHeap) / 1024 / clients);
      result.heapKiBPerRoom = round1((loadedHeap - baselineHeap) / 1024 / rooms);
    }
    log(
      `${server.label} memory ${rooms}×${perRoom}: RSS ${result.baselineRssMiB} → ${result.loadedRssMiB} MiB (${result.rssKiBPerClient} KiB/client)`,
    );
    return result;
  } finally {
    await stopServer(server);
  }
}

// ─── jam server ────────────────────────────────────────────────────────────────────────────────

async function runJam(options: Options, report: BenchReport, refsAvailable: boolean): Promise<void> {
  const { only } = options;
  const { jam, meta } = report;
  if (only.has("memory")) {
    jam.memoryClients = await measureMemory("jam", options, options.memoryLayout.rooms, options.memoryLayout.perRoom);
    jam.memoryRooms = await measureMemory("jam", options, options.idleRooms, 1);
  }
  const probesUnderLoad = only.has("joins") || only.has("state") || only.has("clock");
  if (!only.has("relay") && !probesUnderLoad && !only.has("sequencer")) return;

  // The sequencer's listener pings every 5 ms to bracket each patch's send time on the server clock:
  // the only change to the server's configuration, a larger `ping` budget.
  const env = only.has("sequencer") ? withPingBudget(options.jamEnv) : options.jamEnv;
  const server = await startServer("jam", { ...options, jamEnv: env });
  const url = server.url;
  let seq: Driver<SequencerResult> | undefined;
  const phase = (name: string): void => {
    noise.mark(`jam ${name}`);
    seq?.send({ kind: "phase", phase: name });
  };
  try {
    if (only.has("sequencer")) {
      seq = driver<SequencerResult>("sequencer", { url, bpm: 300, minutes: options.sequencerMinutes });
      await seq.ready;
      log(`sequencer playing at 300 BPM for ${options.sequencerMinutes} min`);
    }
    if (only.has("clock")) {
      phase("idle");
      log("clock sync, idle");
      jam.clockIdle = await finish(driver<ClockResult>("clock", { url, seconds: options.seconds, estimator: options.clockEstimator }));
    }

    const [headline, ...others] = options.relayConfigs;
    const load = headline ?? { rooms: 50, perRoom: 8, rate: 8 };
    const ownRun = async (config: RelayConfig, round: number, hold = false, interleave = false): Promise<Driver<RelayResult>> => {
      phase(`relay ${relayKey(config)}${interleave ? " interleaved" : ""}`);
      log(
        `relay ${relayKey(config)} (bench driver${interleave ? ", rooms' notes interleaved" : ""}, run ${round})${hold ? ", then probes under it" : ""}`,
      );
      return driver<RelayResult>("relay", { url, ...relayArgs(config, options), pid: server.pid, hold, interleave });
    };
    const loadgenRun = async (config: RelayConfig, round: number): Promise<void> => {
      phase(`loadgen.js ${relayKey(config)}`);
      log(`relay ${relayKey(config)} (shared loadgen.js --target colyseus, run ${round})`);
      const run = track(
        runLoadgen(options.refDir, { target: "jam", url, ...config, seconds: options.seconds, warmup: options.warmup, pid: server.pid }),
      );
      const result = await run.result;
      live.delete(run);
      logRelay(result);
      jam.relayLoadgen.push(result);
    };

    // Round 1: the first relay config is measured, then keeps running as the load the probes measure under.
    if (only.has("relay") || probesUnderLoad) {
      const relay = await ownRun(load, 1, probesUnderLoad);
      const result = await relay.result;
      logRelay(result);
      if (only.has("relay")) jam.relay.push(result);
      if (probesUnderLoad) {
        phase(`probes under ${relayKey(load)}`);
        if (only.has("joins")) {
          log("joins under load");
          jam.joins = await finish(driver<JoinsResult>("joins", { target: "jam", url, seconds: options.seconds }));
          log(`joins: create p99 ${jam.joins.createMs.p99} ms, joinById p99 ${jam.joins.joinMs.p99} ms`);
        }
        if (only.has("state")) {
          log("tempo changes under load");
          jam.state = await finish(driver<StateResult>("state", { url, seconds: options.seconds }));
          log(`state: seen by all p99 ${jam.state.seenByAllMs.p99} ms`);
        }
        if (only.has("clock")) {
          log("clock sync under load");
          jam.clockLoaded = await finish(
            driver<ClockResult>("clock", { url, seconds: options.seconds, estimator: options.clockEstimator }),
          );
        }
      }
      await relay.stop();
      live.delete(relay);
    }
    if (only.has("relay")) {
      for (let round = 1; round <= options.repeat; round++) {
        for (const config of round === 1 ? others : options.relayConfigs) {
          const result = await finish(await ownRun(config, round));
          logRelay(result);
          jam.relay.push(result);
        }
        if (refsAvailable) for (const config of options.relayConfigs) await loadgenRun(config, round);
        // The same load with each room's notes spread over the period: coalescing's worst case.
        for (const config of options.relayConfigs) {
          const result = await finish(await ownRun(config, round, false, true));
          logRelay(result);
          jam.relayInterleaved.push(result);
        }
      }
    }
    if (seq !== undefined) {
      phase("idle");
      log("waiting for the sequencer run to end");
      jam.sequencer = await seq.result;
      await seq.stop();
      live.delete(seq);
      log(`sequencer: ${jam.sequencer.inconsistent} inconsistent of ${jam.sequencer.patches}, drift ${jam.sequencer.driftSteps} steps`);
      meta.notes.push(
        "The jam server of the relay/probe/sequencer phase ran with RATE_LIMITS ping budget 400/s (the sequencer listener pings every 5 ms); every other budget at its default.",
      );
    }
  } finally {
    seq?.kill();
    await stopServer(server);
  }
}

/** RATE_LIMITS with room for 200 pings/s per client, over whatever overrides were given. */
function withPingBudget(env: Record<string, string>): Record<string, string> {
  const given = env.RATE_LIMITS === undefined ? {} : (JSON.parse(env.RATE_LIMITS) as Record<string, unknown>);
  return { ...env, RATE_LIMITS: JSON.stringify({ ...given, ping: { ratePerS: 400, burst: 400 } }) };
}

function relayArgs(config: RelayConfig, options: Options): DriverArgs {
  return { rooms: config.rooms, "per-room": config.perRoom, rate: config.rate, seconds: options.seconds, warmup: options.warmup };
}

function logRelay(r: RelayResult): void {
  log(
    `  ${TARGET_LABEL[r.target]} [${r.tool}] ${r.rooms}×${r.perRoom}×${r.rate}: ${r.deliveredPerSec} deliveries/s, loss ${r.lossPct} %, ` +
      `p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} max ${r.latencyMs.max} ms, server ${r.serverCpuPct} % = ${r.cpuUsPerDelivery} µs/delivery, generator ${r.generatorCpuPct} %`,
  );
}

// ─── reference relays ──────────────────────────────────────────────────────────────────────────

async function runReference(target: "ws" | "socketio", options: Options): Promise<TargetFigures> {
  const { only } = options;
  const figures: TargetFigures = { relay: [] };
  if (only.has("memory")) {
    figures.memoryClients = await measureMemory(target, options, options.memoryLayout.rooms, options.memoryLayout.perRoom);
    figures.memoryRooms = await measureMemory(target, options, options.idleRooms, 1);
  }
  if (!only.has("relay") && !only.has("joins")) return figures;
  const server = await startServer(target, options);
  try {
    if (only.has("relay")) {
      for (let round = 1; round <= options.repeat; round++) {
        for (const config of options.relayConfigs) {
          noise.mark(`${target} relay ${relayKey(config)}`);
          log(`relay ${relayKey(config)} (shared loadgen.js --target ${target}, run ${round})`);
          const run = track(
            runLoadgen(options.refDir, {
              target,
              url: server.url,
              ...config,
              seconds: options.seconds,
              warmup: options.warmup,
              pid: server.pid,
            }),
          );
          const result = await run.result;
          live.delete(run);
          logRelay(result);
          figures.relay.push(result);
        }
      }
    }
    if (only.has("joins")) {
      // The same background load as the jam server's probes, long enough to outlast the probe.
      const load = options.relayConfigs[0] ?? { rooms: 50, perRoom: 8, rate: 8 };
      noise.mark(`${target} joins`);
      log(`joins under ${relayKey(load)} load`);
      const background = track(
        runLoadgen(options.refDir, {
          target,
          url: server.url,
          ...load,
          seconds: options.seconds + 30,
          warmup: options.warmup,
          pid: server.pid,
        }),
      );
      await background.windowOpened;
      figures.joins = await finish(
        driver<JoinsResult>("joins", { target, url: server.url, seconds: options.seconds, "ref-dir": options.refDir }),
      );
      background.kill();
      live.delete(background);
      log(`joins: connect+join p99 ${figures.joins.createMs.p99} / ${figures.joins.joinMs.p99} ms`);
    }
  } finally {
    await stopServer(server);
  }
  return figures;
}

// ─── main ──────────────────────────────────────────────────────────────────────────────────────

function gitCommit(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: REPO_ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${commit} (src/ modified)` : commit;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  noise.start();
  const date = new Date();
  const report: BenchReport = {
    meta: {
      date: date.toISOString(),
      command: ["npm run bench", ...(argv.length ? ["--", ...argv] : [])].join(" "),
      machine: machineInfo(),
      gitCommit: gitCommit(),
      loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
      busyAtStart: await busyProcesses(new Set([process.pid])),
      options: {
        only: [...options.only],
        seconds: options.seconds,
        warmup: options.warmup,
        repeat: options.repeat,
        sequencerMinutes: options.sequencerMinutes,
        targets: [...options.targets],
        relay: options.relayConfigs.map(relayKey),
        memory: `${options.memoryLayout.rooms}×${options.memoryLayout.perRoom}`,
        idleRooms: options.idleRooms,
        jamEnv: options.jamEnv,
        clockEstimator: options.clockEstimator,
      },
      notes: [],
    },
    jam: { relay: [], relayLoadgen: [], relayInterleaved: [] },
    rows: [],
  };
  const { meta } = report;
  if (meta.busyAtStart.length > 0) {
    log(`warning: other processes are busy: ${meta.busyAtStart.map((p) => `${p.pid} ${p.cpuPct}% ${p.command.slice(0, 60)}`).join("; ")}`);
    meta.notes.push(`Other processes were using CPU when the run started (load average ${meta.loadAverageAtStart.join(", ")}).`);
  }

  const refs = referenceDir(options.refDir);
  const wantRefs = options.targets.has("ws") || options.targets.has("socketio");
  const refsAvailable = "dir" in refs;
  if ("missing" in refs) {
    if (wantRefs) {
      meta.notes.push(`Comparison with the reference relays skipped: ${refs.missing}.`);
      log(`reference relays skipped: ${refs.missing}`);
    }
  } else {
    meta.refDir = refs.dir;
  }

  if (options.targets.has("jam")) await runJam(options, report, refsAvailable);
  if (refsAvailable) {
    if (options.targets.has("ws")) report.ws = await runReference("ws", options);
    if (options.targets.has("socketio")) report.socketio = await runReference("socketio", options);
  }

  const estimator = report.jam.clockIdle?.estimator ?? report.jam.clockLoaded?.estimator;
  if (estimator !== undefined) meta.notes.push(`Clock sync estimator: ${estimator}.`);
  meta.durationS = Math.round((Date.now() - started) / 1000);
  noise.stop();
  meta.otherCpuPct = noise.summary();
  const noisy = Object.entries(meta.otherCpuPct).filter(([, value]) => value.meanPct >= 10);
  if (noisy.length > 0) {
    meta.notes.push(
      `Other work used CPU during: ${noisy.map(([stage, value]) => `${stage} (mean ${value.meanPct} %, max ${value.maxPct} % of a core)`).join("; ")}.`,
    );
  }
  report.rows = buildRows(report.jam, report.ws, report.socketio, options.relayConfigs);
  const table = markdownTable(report.rows, report.jam.relayLoadgen.length > 0);
  const header = [
    `jam-server bench — ${meta.date}`,
    `machine: ${meta.machine.nproc} CPUs, ${meta.machine.cpuModel}, ${meta.machine.memTotalMiB} MiB, Node.js ${meta.machine.node}; commit ${meta.gitCommit}`,
    `command: ${meta.command}; ${meta.durationS} s`,
    ...meta.notes.map((note) => `note: ${note}`),
  ];
  process.stdout.write(`\n${header.join("\n")}\n\n${table}\n\n`);

  mkdirSync(options.outDir, { recursive: true });
  const stamp = meta.date.replace(/[:]/g, "-").replace(/\.\d+Z$/, "Z");
  const jsonPath = join(options.outDir, `${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(options.outDir, `${stamp}.md`), `${header.join("  \n")}\n\n${table}\n`);
  log(`wrote ${jsonPath}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);

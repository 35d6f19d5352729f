/**
 * `npm run bench`: measures the jam server (build/index.js) and, when the shared bench folder is
 * there, the reference relays (raw ws, Socket.IO) in the same run, one server process at a time,
 * with every load generator and probe in processes of their own. Prints a table and writes
 * bench/results/<date>.json (and .md).
 *
 *   npm run bench -- [--only relay,joins,state,memory,clock,sequencer,saving,crash,recording,listeners,capacity,network]
 *                    [--seconds 10] [--sequencer-minutes 10] [--network-minutes 10] [--targets jam,ws,socketio] [--ref-dir ../shared/bench]
 *                    [--port 2680] [--relay 50x8x8,100x10x10] [--memory 100x10] [--idle-rooms 500]
 *                    [--warmup 3] [--repeat 3] [--clock-estimator library|bench] [--rate-limits JSON]
 *                    [--saved-jams 10000] [--crash 50x8] [--crash-cases pm2,redis] [--fanout 10x10x50]
 *                    [--out bench/results]
 *
 * `saving` (bench/run/saving.ts) runs servers of its own on stores of its own: the embedded
 * database in memory, in a temporary folder, and a PostgreSQL database it creates and drops
 * (PostgreSQL on 127.0.0.1:5432, user postgres, trust; without it those figures are skipped).
 * `recording` and `listeners` (bench/run/jamMemory.ts, "A jam's memory") also run servers of their
 * own: the relay with every room recording against none, on a file store and on PostgreSQL, and
 * --fanout rooms × musicians × listeners against the musicians alone.
 * `capacity` (bench/run/capacity.ts) raises the room count (rooms of 8 at 8 notes/s) on each
 * target, driven by the shared loadgen.js, until relay p99 passes 20 ms or a note is lost.
 * `network` (bench/run/network.ts, bench/scenarios/network.ts) runs a server of its own and one
 * driver holding a jam at 120 BPM for --network-minutes: musicians on the client library (JamClient,
 * the session's clock, StepScheduler) behind emulated links (support/networkEmulator.ts, seeded):
 * A 40 ± 10 ms each way with a clock 50 ppm fast, B 5 ± 1 ms, a late joiner C 40 ± 10 ms joining
 * and leaving several times; 20 tempo changes and stalls of A's link. It reports how far apart A and
 * B play the same step, tempo switches, skipped and doubled steps, A's drift, C's and A's time back
 * within 3 ms, and the estimator's claimed error against the actual one (--network-minutes 1: a
 * quick check).
 * Relay rounds run both traffic shapes: notes together and spread (loadgen.js --interleave 1).
 * The crash scenario uses ports --port … --port + 4 (one process; two processes, their front and
 * their Redis) and PostgreSQL on 127.0.0.1:5432 (a database it creates and drops).
 */
import { referenceDir } from "./refs/loadgen";
import { startReport, writeReport } from "./run/benchReport";
import { killOnExit, log, noise, started } from "./run/context";
import { runCrash } from "./run/crash";
import { runJam } from "./run/jam";
import { parseOptions } from "./run/options";
import { runReference } from "./run/reference";

killOnExit();

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  noise.start();
  const report = await startReport(options, argv);
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
  if (options.targets.has("jam") && options.only.has("crash")) await runCrash(options, report);
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
  writeReport(report, options.relayConfigs, options.outDir);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);

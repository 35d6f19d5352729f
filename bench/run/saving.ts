/**
 * The saving scenario: what saving jams costs the note relay (embedded file and PostgreSQL against
 * the embedded store in memory), a storm of pattern edits with every jam read back afterwards, and
 * start-up with many saved jams (savingStartup.ts). One server at a time, each on a store of the
 * run's own; the load generator and the store readers in processes of their own.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Driver, DriverArgs } from "../lib/ipc";
import { relayKey, type RelayConfig } from "../lib/report";
import type { EditedRelayResult, ReadbackResult, SavingFigures, SavingRelayResult, StormResult, StoreVariant } from "../lib/results";
import type { StopOutcome } from "../lib/servers";
import { driver, finish, live, log, logRelay, noise, relayOnFreshServer, startServer, stopServer } from "./context";
import { relayArgs } from "./jam";
import type { Options } from "./options";
import { measureStartups } from "./savingStartup";
import { type BenchStore, openBenchStore, STORE_LABEL } from "./stores";

/** Pattern edits a second in each room while the relay cost is measured: notes alone never mark a jam dirty. */
const EDITS_PER_ROOM_PER_S = 1;
/** The storm: every musician of every room edits this often (the default pattern budget is 30/s, burst 60). */
const STORM_EDITS_PER_MUSICIAN_PER_S = 10;
const VARIANTS: readonly StoreVariant[] = ["memory", "file", "postgres"];

type Readback = ReadbackResult & { readAt: number };

export async function runSaving(options: Options): Promise<SavingFigures> {
  const figures: SavingFigures = { relay: [], storms: [], startups: [], notes: [] };
  const stores: BenchStore[] = [];
  try {
    for (const variant of VARIANTS) {
      const store = await openBenchStore(variant);
      if (store instanceof Error) {
        figures.notes.push(`${STORE_LABEL[variant]} skipped: ${store.message}`);
        log(`saving: ${STORE_LABEL[variant]} skipped: ${store.message}`);
      } else {
        stores.push(store);
      }
    }
    await relayCost(options, stores, figures);
    for (const store of stores) if (store.variant !== "memory") figures.storms.push(await storm(options, store));
  } finally {
    for (const store of stores) await store.remove();
  }
  figures.startups = await measureStartups(options, figures.notes);
  return figures;
}

export function loadOf(options: Options): RelayConfig {
  return options.relayConfigs[0] ?? { rooms: 50, perRoom: 8, rate: 8 };
}

/** The run's options with the server on `store`. */
export function onStore(options: Options, store: BenchStore): Options {
  return { ...options, jamEnv: { ...options.jamEnv, ...store.env } };
}

/** Rounds go through every store in turn, so a busy spell of the machine falls on all of them alike. */
async function relayCost(options: Options, stores: readonly BenchStore[], figures: SavingFigures): Promise<void> {
  const config = loadOf(options);
  for (let round = 1; round <= options.repeat; round++) {
    for (const store of stores) {
      noise.mark(`saving relay ${store.variant}`);
      log(
        `saving: relay ${relayKey(config)}, ${EDITS_PER_ROOM_PER_S} pattern edit/s per room, ${STORE_LABEL[store.variant]} (run ${round})`,
      );
      const result = await relayOnFreshServer(onStore(options, store), {
        ...relayArgs(config, options),
        "edit-rate": EDITS_PER_ROOM_PER_S,
        editors: 1,
        "save-metrics": true,
        ...cpuOf(store),
      });
      figures.relay.push(logSavingRun(store.variant, result));
    }
  }
}

/**
 * Every musician edits while the relay runs; then every jam is read back twice and compared with
 * the pattern the clients saw last: with the rooms still open, and after the clients left and the
 * server stopped on SIGTERM.
 */
async function storm(options: Options, store: BenchStore): Promise<StormResult> {
  const config = loadOf(options);
  noise.mark(`saving storm ${store.variant}`);
  log(`saving: storm, ${relayKey(config)} with ${STORM_EDITS_PER_MUSICIAN_PER_S} setStep/s per musician, ${STORE_LABEL[store.variant]}`);
  const server = await startServer("jam", onStore(options, store));
  let run: Driver<EditedRelayResult> | undefined;
  let stopped: StopOutcome | undefined;
  const expected = join(store.scratch, "patterns-seen.json");
  // Ready before the edits end, so that the first read follows them closely.
  const reader = driver<Readback>("readback", { ...store.args, expected, wait: true });
  try {
    await reader.ready;
    run = driver<EditedRelayResult>("relay", {
      url: server.url,
      ...relayArgs(config, options),
      pid: server.pid,
      "edit-rate": STORM_EDITS_PER_MUSICIAN_PER_S,
      editors: config.perRoom,
      "save-metrics": true,
      hold: true,
      ...cpuOf(store),
    });
    const result = await run.result;
    const { patternsSeen, editsEndedAt } = result;
    if (patternsSeen === undefined || editsEndedAt === undefined) throw new Error("the relay driver reported no patterns");
    writeFileSync(expected, JSON.stringify(patternsSeen));
    await reader.stop();
    const whileOpen = await reader.result;
    // The clients leave (each room saves as it closes), then SIGTERM: the server saves every jam before it exits.
    await run.stop();
    live.delete(run);
    stopped = await stopServer(server);
    const afterStop = await finish(driver<Readback>("readback", { ...store.args, expected }));
    const outcome: StormResult = {
      store: store.variant,
      relay: logSavingRun(store.variant, result),
      whileOpen: withoutTime(whileOpen),
      whileOpenAfterMs: whileOpen.readAt - editsEndedAt,
      afterStop: withoutTime(afterStop),
      stoppedCleanly: !stopped.killed && stopped.exit?.code === 0,
    };
    log(
      `  read back ${afterStop.jams} jams: ${whileOpen.stepsDiffering} steps differ ${outcome.whileOpenAfterMs} ms after the last edit (rooms open), ` +
        `${afterStop.stepsDiffering} after the server stopped (${afterStop.missing} missing); stopped cleanly: ${outcome.stoppedCleanly}`,
    );
    return outcome;
  } finally {
    live.delete(reader);
    reader.kill();
    run?.kill();
    if (stopped === undefined) await stopServer(server);
  }
}

/** The relay driver's `--cpu-of`: the store's own processes, measured with the server (PostgreSQL's backends). */
export function cpuOf(store: BenchStore): DriverArgs {
  return store.processText === undefined ? {} : { "cpu-of": store.processText };
}

function withoutTime({ readAt: _readAt, ...result }: Readback): ReadbackResult {
  return result;
}

/** The run as the report keeps it (without the patterns), after logging it. */
function logSavingRun(store: StoreVariant, result: EditedRelayResult): SavingRelayResult {
  const { patternsSeen: _patterns, editsEndedAt: _ended, edits, ...relay } = result;
  if (edits === undefined) throw new Error("the relay driver reported no pattern edits");
  logRelay(relay);
  if (relay.storeCpuPct !== undefined) log(`  PostgreSQL backends of the run's database: ${relay.storeCpuPct} % CPU`);
  const saves = result.saves;
  log(
    `  edits ${edits.sentPerSec}/s (${edits.refused} refused), ` +
      (saves === undefined
        ? "no save figures"
        : `saves ${saves.savesPerSec}/s (${saves.failures} failed), save p50 ${saves.latencyMs.p50} p99 ${saves.latencyMs.p99} mean ${saves.latencyMs.mean} ms`),
  );
  return { ...relay, store, edits };
}

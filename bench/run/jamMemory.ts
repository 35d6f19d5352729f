/**
 * A jam's memory (issue 13), measured with the relay driver on servers of the scenario's own, one at
 * a time, each fresh:
 * - `recording`: the relay at the first --relay config (50×8×8) with every room recording against
 *   none recording, on the embedded store in a temporary folder and on a PostgreSQL database of
 *   the run's own (skipped with a note when PostgreSQL does not answer);
 * - `listeners`: --fanout (10 rooms × 10 musicians × 50 listeners) against the same musicians alone.
 * Variants alternate within each of --repeat rounds (the order flips every round), so a busy spell
 * of the machine falls on both sides alike; the report shows each figure's median.
 */
import type { EditedRelayResult, JamMemoryFigures, ListenerRelayResult, RecordingRelayResult } from "../lib/results";
import { log, logRelay, noise, relayOnFreshServer } from "./context";
import { relayArgs } from "./jam";
import type { Options } from "./options";
import { cpuOf, loadOf, onStore } from "./saving";
import { type BenchStore, openBenchStore, STORE_LABEL } from "./stores";

/** Notes a second from each musician in the listeners scenario: the relay's headline rate. */
export const FANOUT_RATE = 8;

/** Both sides of a comparison, the baseline first in odd rounds and second in even ones. */
function inTurn<T>(round: number, baseline: T, variant: T): T[] {
  return round % 2 === 1 ? [baseline, variant] : [variant, baseline];
}

export async function runJamMemory(options: Options): Promise<JamMemoryFigures> {
  const figures: JamMemoryFigures = { recording: [], listeners: [], notes: [] };
  if (options.only.has("recording")) await recordingCost(options, figures);
  if (options.only.has("listeners")) await fanout(options, figures);
  return figures;
}

async function recordingCost(options: Options, figures: JamMemoryFigures): Promise<void> {
  const stores: { variant: RecordingRelayResult["store"]; store: BenchStore }[] = [];
  try {
    for (const variant of ["file", "postgres"] as const) {
      const store = await openBenchStore(variant);
      if (store instanceof Error) {
        figures.notes.push(`Recording on ${STORE_LABEL[variant]} skipped: ${store.message}`);
        log(`recording: ${STORE_LABEL[variant]} skipped: ${store.message}`);
      } else {
        stores.push({ variant, store });
      }
    }
    const config = loadOf(options);
    for (let round = 1; round <= options.repeat; round++) {
      for (const { variant, store } of stores) {
        for (const recording of inTurn(round, false, true)) {
          noise.mark(`recording ${variant} ${recording ? "on" : "off"}`);
          log(
            `recording: relay ${config.rooms}×${config.perRoom}×${config.rate}, ${recording ? "every room recording" : "no recording"}, ${STORE_LABEL[variant]} (run ${round})`,
          );
          const result = await relayOnFreshServer(onStore(options, store), {
            ...relayArgs(config, options),
            "save-metrics": true,
            record: recording,
            ...cpuOf(store),
          });
          logMemoryRun(result);
          figures.recording.push({ ...withoutPatterns(result), store: variant, recording });
        }
      }
    }
  } finally {
    for (const { store } of stores) await store.remove();
  }
}

async function fanout(options: Options, figures: JamMemoryFigures): Promise<void> {
  const { rooms, musicians, listeners } = options.fanout;
  // The jams are saved as in production (to a file); nothing here edits or records them.
  const store = await openBenchStore("file");
  if (store instanceof Error) throw store;
  try {
    for (let round = 1; round <= options.repeat; round++) {
      for (const audience of inTurn(round, 0, listeners)) {
        noise.mark(`listeners ${audience} per room`);
        log(`listeners: ${rooms} rooms × ${musicians} musicians × ${FANOUT_RATE} notes/s, ${audience} listeners per room (run ${round})`);
        const result = await relayOnFreshServer(onStore(options, store), {
          ...relayArgs({ rooms, perRoom: musicians, rate: FANOUT_RATE }, options),
          listeners: audience,
        });
        logMemoryRun(result);
        figures.listeners.push({ ...withoutPatterns(result), listenersPerRoom: audience } satisfies ListenerRelayResult);
      }
    }
  } finally {
    await store.remove();
  }
}

/** The run as the report keeps it: the patterns the clients saw are only for the saving scenario's readback. */
function withoutPatterns({
  patternsSeen: _patterns,
  editsEndedAt: _ended,
  ...result
}: EditedRelayResult): Omit<EditedRelayResult, "patternsSeen" | "editsEndedAt"> {
  return result;
}

function logMemoryRun(result: EditedRelayResult): void {
  logRelay(result);
  const { recordingWrites: writes, recordedNotes: notes, byRole, storeCpuPct } = result;
  if (storeCpuPct !== undefined) log(`  PostgreSQL backends of the run's database: ${storeCpuPct} % CPU`);
  if (writes !== undefined) log(`  recording batches ${writes.batchesPerSec}/s, events ${writes.eventsPerSec}/s`);
  if (notes !== undefined) log(`  stored recordings hold ${notes.stored} of ${notes.sent} notes sent (${notes.roomsShort} rooms short)`);
  if (byRole !== undefined) {
    for (const [role, figures] of Object.entries(byRole)) {
      log(
        `  to ${role}: ${figures.deliveredPerSec}/s, loss ${figures.lossPct} %, p50 ${figures.latencyMs.p50} p99 ${figures.latencyMs.p99} ms`,
      );
    }
  }
}

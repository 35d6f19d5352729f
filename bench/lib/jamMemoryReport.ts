/**
 * A jam's memory as tables (stdout, bench/results/<date>.md, BENCHMARKS.md): what recording costs
 * the relay on each store against not recording, and note fan-out to listeners against the
 * musicians alone. Every figure is the median of its variant's runs unless it says otherwise.
 */
import { type Column, ComparisonTable, RELAY_P99_LIMIT_MS, withStoreCpu, worstOf } from "./comparison";
import type { JamMemoryFigures, ListenerRelayResult, RecordingRelayResult } from "./results";

/** Recording may cost at most this × the relay's CPU per delivered note without it (issue 13). */
export const RECORDING_CPU_LIMIT = 1.2;

const STORE: Record<RecordingRelayResult["store"], string> = { file: "embedded file", postgres: "PostgreSQL" };

function recordingTable(runs: readonly RecordingRelayResult[]): string | undefined {
  const first = runs[0];
  if (first === undefined) return undefined;
  const columns: Column<RecordingRelayResult>[] = [];
  for (const store of ["file", "postgres"] as const) {
    const of = (recording: boolean) => runs.filter((r) => r.store === store && r.recording === recording);
    if (of(false).length === 0 && of(true).length === 0) continue;
    const baseline = { label: `${STORE[store]}, not recording`, runs: of(false) };
    columns.push(baseline, { label: `${STORE[store]}, recording`, runs: of(true), baseline });
  }
  const table = new ComparisonTable(columns);
  table.relayRows(RECORDING_CPU_LIMIT);
  table.plainRows([
    ["notes sent/s", (r) => r.sentPerSec],
    ["deliveries/s", (r) => r.deliveredPerSec],
    ["server CPU %", (r) => r.serverCpuPct],
  ]);
  if (runs.some((r) => r.storeCpuPct !== undefined)) {
    table.plainRows([
      ["PostgreSQL backends' CPU % (the run's database)", (r) => r.storeCpuPct],
      ["server + PostgreSQL backends CPU µs / delivered note", withStoreCpu, "ratio"],
    ]);
  }
  table.plainRows([
    ["load generator CPU %", (r) => r.generatorCpuPct],
    [
      `recording batches written/s (jam_recording_batches_total; one a second per recording room: ${first.rooms})`,
      (r) => r.recordingWrites?.batchesPerSec,
    ],
    ["recorded events written/s (jam_recorded_events_total)", (r) => r.recordingWrites?.eventsPerSec],
    ["saves/s (jam_saves_total)", (r) => r.saves?.savesPerSec],
  ]);
  // Summed over the runs: a note missing from any recording shows.
  const total = (column: Column<RecordingRelayResult>, pick: (r: RecordingRelayResult) => number | undefined): number | undefined =>
    column.runs.every((r) => pick(r) !== undefined) ? column.runs.reduce((sum, r) => sum + (pick(r) ?? 0), 0) : undefined;
  table.judge(
    "notes in the stored recordings, of notes sent while recording (all runs)",
    (column) => {
      const stored = total(column, (r) => r.recordedNotes?.stored);
      return stored === undefined
        ? "—"
        : `${stored.toLocaleString("en")} of ${(total(column, (r) => r.recordedNotes?.sent) ?? 0).toLocaleString("en")}`;
    },
    "all",
    (column) => column.runs.every((r) => r.recordedNotes !== undefined && r.recordedNotes.stored === r.recordedNotes.sent),
    table.judged,
  );
  table.add(
    "rooms whose recording lacks notes, worst run",
    table.plain((r) => r.recordedNotes?.roomsShort, worstOf),
  );
  return table.render(
    `A jam's memory: relay ${first.rooms}×${first.perRoom}×${first.rate}, every room recording against none, median of ${table.runs} runs per column`,
  );
}

function listenersTable(runs: readonly ListenerRelayResult[]): string | undefined {
  const alone = runs.filter((r) => r.listenersPerRoom === 0);
  const withAudience = runs.filter((r) => r.listenersPerRoom > 0);
  const first = withAudience[0] ?? alone[0];
  if (first === undefined) return undefined;
  const baseline = { label: `${first.perRoom} musicians`, runs: alone };
  const audience = withAudience[0]?.listenersPerRoom ?? 0;
  const table = new ComparisonTable<ListenerRelayResult>([
    baseline,
    { label: `${first.perRoom} musicians + ${audience} listeners`, runs: withAudience, baseline },
  ]);
  // Without listeners every delivery is to a musician.
  const musicians = (r: ListenerRelayResult) => r.byRole?.musicians ?? (r.listenersPerRoom === 0 ? r : undefined);
  const listeners = (r: ListenerRelayResult) => r.byRole?.listeners;
  table.plainRows([
    ["notes sent/s", (r) => r.sentPerSec],
    ["deliveries/s, all", (r) => r.deliveredPerSec, "ratio"],
    ["deliveries/s to musicians", (r) => musicians(r)?.deliveredPerSec],
    ["deliveries/s to listeners", (r) => listeners(r)?.deliveredPerSec],
    ["server CPU µs / delivery", (r) => r.cpuUsPerDelivery, "ratio"],
  ]);
  table.spreadRow((r) => r.cpuUsPerDelivery);
  table.plainRows([
    ["server CPU µs / sent note (all its copies)", (r) => r.cpuUsPerSentNote, "ratio"],
    ["server CPU %", (r) => r.serverCpuPct, "ratio"],
    ["latency p50 ms to musicians", (r) => musicians(r)?.latencyMs.p50],
    ["latency p50 ms to listeners", (r) => listeners(r)?.latencyMs.p50],
  ]);
  const p99Target = `≤ ${RELAY_P99_LIMIT_MS} (the relay's)`;
  table.limitRow("latency p99 ms to musicians", (r) => musicians(r)?.latencyMs.p99, RELAY_P99_LIMIT_MS, p99Target);
  table.spreadRow((r) => musicians(r)?.latencyMs.p99);
  table.limitRow("latency p99 ms to listeners", (r) => listeners(r)?.latencyMs.p99, RELAY_P99_LIMIT_MS, p99Target, table.judged);
  table.lossRow("loss % to musicians, worst run", (r) => musicians(r)?.lossPct);
  table.lossRow("loss % to listeners, worst run", (r) => listeners(r)?.lossPct, table.judged);
  table.plainRows([
    ["latency max ms, all", (r) => r.latencyMs.max],
    ["load generator CPU %", (r) => r.generatorCpuPct],
    ["server RSS MiB at the window's end", (r) => r.serverRssMiB],
  ]);
  return table.render(
    `A jam's memory: note fan-out, ${first.rooms} rooms × ${first.perRoom} musicians × ${first.rate} notes/s, without and with ${audience} listeners per room, median of ${table.runs} runs per column`,
  );
}

/** The section's tables and notes, ready to print; "" when neither scenario ran. */
export function jamMemorySection(figures: JamMemoryFigures | undefined): string {
  if (figures === undefined) return "";
  const parts = [recordingTable(figures.recording), listenersTable(figures.listeners)].filter((part): part is string => part !== undefined);
  return [...parts, ...figures.notes.map((note) => `note: ${note}`)].join("\n\n");
}

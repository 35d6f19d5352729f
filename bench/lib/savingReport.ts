/**
 * The saving scenario's figures as tables (stdout, bench/results/<date>.md, BENCHMARKS.md): what
 * saving costs the relay on each store against the in-memory baseline, the edit storm, and
 * start-up with saved jams. Every figure of several runs is the median of its runs.
 */
import {
  type Column,
  ComparisonTable,
  medianOf,
  type Pick,
  RELAY_P99_LIMIT_MS,
  show,
  verdictOf,
  verdicts as labelledVerdicts,
  withStoreCpu,
  worstOf,
} from "./comparison";
import { markdownGrid } from "./markdownTable";
import type { Verdict } from "./report";
import type { SavingFigures, SavingRelayResult, StartupResult, StoreVariant } from "./results";
import { median, round } from "./stats";

/** With saving on, CPU per delivered note may be at most this × the baseline's. */
export const CPU_RATIO_LIMIT = 1.05;
/** SAVE_DELAY_MS's default: a room writes at most once per window. */
export const DEFAULT_SAVE_DELAY_MS = 250;

const LABEL: Record<StoreVariant, string> = { memory: "in memory (baseline)", file: "embedded file", postgres: "PostgreSQL" };

/** "file met, PostgreSQL NOT met" */
function verdicts(entries: readonly [StoreVariant, Verdict][]): string {
  return labelledVerdicts(entries.map(([variant, verdict]) => [LABEL[variant], verdict]));
}

function relayTable(figures: SavingFigures): string | undefined {
  const first = figures.relay[0];
  if (first === undefined) return undefined;
  const runsOf = (variant: StoreVariant): SavingRelayResult[] => figures.relay.filter((run) => run.store === variant);
  const baseline: Column<SavingRelayResult> = { label: LABEL.memory, runs: runsOf("memory") };
  const columns = (["memory", "file", "postgres"] as const)
    .filter((variant) => runsOf(variant).length > 0)
    .map((variant) => (variant === "memory" ? baseline : { label: LABEL[variant], runs: runsOf(variant), baseline }));
  const table = new ComparisonTable(columns);
  table.relayRows(CPU_RATIO_LIMIT);
  table.plainRows([
    ["deliveries/s", (r) => r.deliveredPerSec],
    ["server CPU %", (r) => r.serverCpuPct],
  ]);
  if (figures.relay.some((r) => r.storeCpuPct !== undefined)) {
    table.plainRows([
      ["PostgreSQL backends' CPU % (the run's database)", (r) => r.storeCpuPct],
      ["server + PostgreSQL backends CPU µs / delivered note", withStoreCpu, "ratio"],
    ]);
  }
  table.plainRows([
    ["load generator CPU %", (r) => r.generatorCpuPct],
    ["pattern edits sent/s", (r) => r.edits.sentPerSec],
  ]);
  table.add(
    "pattern edits refused, worst run",
    table.plain((r) => r.edits.refused, worstOf),
    "0",
  );
  table.plainRows([
    ["saves/s (jam_saves_total)", (r) => r.saves?.savesPerSec],
    ["save latency p50 ms (jam_save_duration_seconds)", (r) => r.saves?.latencyMs.p50],
    ["save latency p99 ms (jam_save_duration_seconds)", (r) => r.saves?.latencyMs.p99],
    ["save latency mean ms (sum ÷ count)", (r) => r.saves?.latencyMs.mean],
  ]);
  table.add(
    "save failures, worst run",
    table.plain((r) => r.saves?.failures, worstOf),
    "0",
  );
  return table.render(
    `Saved jams: relay ${first.rooms}×${first.perRoom}×${first.rate}, one client per room also editing the pattern (${first.edits.ratePerS} setStep/s), median of ${table.runs} runs per store`,
  );
}

function stormTable(figures: SavingFigures, saveDelayMs: number): string | undefined {
  const storms = figures.storms;
  const first = storms[0]?.relay;
  if (first === undefined) return undefined;
  const rows: string[][] = [];
  const add = (
    figure: string,
    pick: (s: (typeof storms)[number]) => string | number | undefined,
    target = "—",
    ok?: (s: (typeof storms)[number]) => boolean,
  ) => {
    const verdict = ok === undefined ? "n/a" : verdicts(storms.map((s) => [s.store, verdictOf(ok(s))]));
    rows.push([
      figure,
      ...storms.map((s) => {
        const v = pick(s);
        return typeof v === "string" ? v : show(v);
      }),
      target,
      verdict,
    ]);
  };
  const zero = (figure: string, pick: (s: (typeof storms)[number]) => number | undefined) => add(figure, pick, "0", (s) => pick(s) === 0);
  const planned = first.rooms * first.perRoom * first.edits.ratePerS;
  const saveCeiling = first.rooms * (1000 / saveDelayMs);
  const quiet = (store: StoreVariant, pick: Pick<SavingRelayResult>) =>
    medianOf(
      figures.relay.filter((r) => r.store === store),
      pick,
    );
  add(
    "setStep sent/s, all musicians",
    (s) => s.relay.edits.sentPerSec,
    `≥ 95 % of ${planned}`,
    (s) => s.relay.edits.sentPerSec >= 0.95 * planned,
  );
  zero("setStep refused (default budget 30/s, burst 60)", (s) => s.relay.edits.refused);
  add(
    "saves/s (jam_saves_total)",
    (s) => s.relay.saves?.savesPerSec,
    `≤ ${saveCeiling} (${first.rooms} rooms × one per ${saveDelayMs} ms)`,
    (s) => (s.relay.saves?.savesPerSec ?? Infinity) <= saveCeiling,
  );
  const latency = (q: "p50" | "p99") => (s: (typeof storms)[number]) => {
    const saves = s.relay.saves;
    if (saves === undefined) return undefined;
    // Infinity (above the last bound) arrives as null through the drivers' JSON.
    const bucket = saves.bucketMs[q];
    return `${saves.latencyMs[q]} (${Number.isFinite(bucket) ? `bucket ≤ ${bucket}` : "above the last bucket"})`;
  };
  add("save latency p50 ms, interpolated (its histogram bucket)", latency("p50"));
  add("save latency p99 ms, interpolated (its histogram bucket)", latency("p99"));
  add("save latency mean ms (sum ÷ count)", (s) => s.relay.saves?.latencyMs.mean);
  zero("save failures", (s) => s.relay.saves?.failures);
  add(
    "relay latency p99 ms, storm",
    (s) => s.relay.latencyMs.p99,
    `≤ ${RELAY_P99_LIMIT_MS}`,
    (s) => s.relay.latencyMs.p99 <= RELAY_P99_LIMIT_MS,
  );
  add("relay latency p99 ms, no storm (the runs above)", (s) => quiet(s.store, (r) => r.latencyMs.p99));
  zero("loss %, storm", (s) => s.relay.lossPct);
  add("server CPU µs / delivered note, storm", (s) => s.relay.cpuUsPerDelivery);
  add("server CPU µs / delivered note, no storm (the runs above)", (s) => quiet(s.store, (r) => r.cpuUsPerDelivery));
  add("server CPU %, storm", (s) => s.relay.serverCpuPct);
  add("PostgreSQL backends' CPU %, storm (the run's database)", (s) => s.relay.storeCpuPct);
  add("load generator CPU %, storm", (s) => s.relay.generatorCpuPct);
  zero("clients whose pattern differed from their host's", (s) => s.relay.edits.clientsDisagreeing);
  add(
    "steps not yet saved, rooms still open",
    (s) => `${s.whileOpen.stepsDiffering + s.whileOpen.tracksDiffering} (read ${s.whileOpenAfterMs} ms after the last edit)`,
  );
  add(
    "jams read back after the server stopped / missing",
    (s) => `${s.afterStop.jams} / ${s.afterStop.missing}`,
    "0 missing",
    (s) => s.afterStop.missing === 0,
  );
  zero("edits lost (steps and tracks differing after the server stopped)", (s) => s.afterStop.stepsDiffering + s.afterStop.tracksDiffering);
  add(
    "server exited 0 on SIGTERM (no SIGKILL)",
    (s) => (s.stoppedCleanly ? "yes" : "no"),
    "yes",
    (s) => s.stoppedCleanly,
  );
  const title = `Saved jams: pattern-edit storm, ${first.rooms}×${first.perRoom} musicians × ${first.edits.ratePerS} setStep/s with the ${first.rooms}×${first.perRoom}×${first.rate} relay, one run per store`;
  return `${title}\n\n${markdownGrid(["figure", ...storms.map((s) => LABEL[s.store]), "target", "met?"], rows)}`;
}

function startupTable(startups: readonly StartupResult[]): string | undefined {
  const stores = [...new Set(startups.map((s) => s.store))];
  const counts = [...new Set(startups.map((s) => s.jams))].sort((a, b) => a - b);
  if (stores.length === 0) return undefined;
  const find = (store: StoreVariant, jams: number) => startups.find((s) => s.store === store && s.jams === jams);
  const runs = (values: readonly number[]) => (values.length < 2 ? show(values[0]) : `${round(median(values), 1)} (${values.join(", ")})`);
  const describe = (jams: number) => (jams === 0 ? "empty store" : `${jams.toLocaleString("en")} jams`);
  const rows: string[][] = [];
  for (const jams of counts) {
    rows.push([
      `spawn → GET /ready 200 ms, ${describe(jams)}: median (each start)`,
      ...stores.map((s) => runs(find(s, jams)?.startMs ?? [])),
    ]);
    rows.push([`RSS MiB at ready, ${describe(jams)}`, ...stores.map((s) => runs(find(s, jams)?.rssMiB ?? []))]);
    rows.push([`store size MiB, ${describe(jams)}`, ...stores.map((s) => show(round((find(s, jams)?.storeBytes ?? NaN) / 2 ** 20, 1)))]);
    if (jams > 0) rows.push([`seeding ${describe(jams)} through the store API, s`, ...stores.map((s) => show(find(s, jams)?.seedS))]);
  }
  return `Saved jams: start-up of the production build\n\n${markdownGrid(["figure", ...stores.map((s) => LABEL[s])], rows)}`;
}

/** The saving tables and notes, ready to print; "" when the scenario did not run. */
export function savingSection(figures: SavingFigures | undefined, saveDelayMs = DEFAULT_SAVE_DELAY_MS): string {
  if (figures === undefined) return "";
  const parts = [relayTable(figures), stormTable(figures, saveDelayMs), startupTable(figures.startups)].filter(
    (part): part is string => part !== undefined,
  );
  const notes = figures.notes.map((note) => `note: ${note}`);
  return [...parts, ...(notes.length > 0 ? [notes.join("\n")] : [])].join("\n\n");
}

/**
 * The saving scenario's figures as tables (stdout, bench/results/<date>.md, BENCHMARKS.md): what
 * saving costs the relay on each store against the in-memory baseline, the edit storm, and
 * start-up with saved jams. Every figure of several runs is the median of its runs.
 */
import { markdownGrid } from "./markdownTable";
import type { Verdict } from "./report";
import type { SavingFigures, SavingRelayResult, StartupResult, StoreVariant } from "./results";
import { median, round } from "./stats";

/** With saving on, CPU per delivered note may be at most this × the baseline's. */
export const CPU_RATIO_LIMIT = 1.05;
/** p99 counts as unchanged within this share of the baseline's, or within the baseline's own spread over its runs when larger. */
export const P99_TOLERANCE = 0.1;
/** The relay's own p99 target at 50×8×8. */
const RELAY_P99_LIMIT_MS = 10;
/** SAVE_DELAY_MS's default: a room writes at most once per window. */
export const DEFAULT_SAVE_DELAY_MS = 250;

const LABEL: Record<StoreVariant, string> = { memory: "in memory (baseline)", file: "embedded file", postgres: "PostgreSQL" };

type Pick = (run: SavingRelayResult) => number | undefined;

const show = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? "—" : String(value));
const verdictOf = (ok: boolean | undefined): Verdict => (ok === undefined ? "n/a" : ok ? "met" : "NOT met");

function finite(runs: readonly SavingRelayResult[], pick: Pick): number[] {
  return runs.map(pick).filter((value): value is number => value !== undefined && Number.isFinite(value));
}
function medianOf(runs: readonly SavingRelayResult[], pick: Pick): number | undefined {
  const values = finite(runs, pick);
  return values.length === 0 ? undefined : round(median(values));
}
function spreadOf(runs: readonly SavingRelayResult[], pick: Pick): number | undefined {
  const values = finite(runs, pick);
  return values.length < 2 ? undefined : round(Math.max(...values) - Math.min(...values));
}
function worstOf(runs: readonly SavingRelayResult[], pick: Pick): number | undefined {
  const values = finite(runs, pick);
  return values.length === 0 ? undefined : Math.max(...values);
}

/** "file met, PostgreSQL NOT met" */
function verdicts(entries: readonly [StoreVariant, Verdict][]): string {
  if (entries.length === 0) return "n/a";
  return entries.map(([variant, verdict]) => `${LABEL[variant]} ${verdict}`).join(", ");
}

/** The server's CPU per delivered note plus that of the database's own processes (PostgreSQL). */
const withStoreCpu: Pick = (r) => round(r.cpuUsPerDelivery + ((r.storeCpuPct ?? 0) * 1e4) / r.deliveredPerSec);

function relayTable(figures: SavingFigures): string | undefined {
  const byStore = new Map<StoreVariant, SavingRelayResult[]>();
  for (const run of figures.relay) byStore.set(run.store, [...(byStore.get(run.store) ?? []), run]);
  const variants = (["memory", "file", "postgres"] as const).filter((v) => byStore.has(v));
  const first = figures.relay[0];
  if (first === undefined) return undefined;
  const runsOf = (variant: StoreVariant): SavingRelayResult[] => byStore.get(variant) ?? [];
  const baseline = runsOf("memory");
  const others = variants.filter((v) => v !== "memory");
  const rows: string[][] = [];
  const add = (figure: string, values: (variant: StoreVariant) => string, target = "—", verdict = "n/a"): void => {
    rows.push([figure, ...variants.map(values), target, verdict]);
  };
  const plain =
    (pick: Pick, of: typeof medianOf = medianOf) =>
    (variant: StoreVariant) =>
      show(of(runsOf(variant), pick));
  const withRatio = (pick: Pick) => (variant: StoreVariant) => {
    const value = medianOf(runsOf(variant), pick);
    const base = medianOf(baseline, pick);
    if (variant === "memory" || value === undefined || base === undefined) return show(value);
    return `${value} (${round(value / base)}×)`;
  };
  const runs = Math.max(...variants.map((v) => runsOf(v).length));
  const cpu: Pick = (r) => r.cpuUsPerDelivery;
  const p99: Pick = (r) => r.latencyMs.p99;
  const baseCpu = medianOf(baseline, cpu);
  const baseP99 = medianOf(baseline, p99);
  const p99Allowance = baseP99 === undefined ? undefined : Math.max(P99_TOLERANCE * baseP99, spreadOf(baseline, p99) ?? 0);
  // A verdict on a 5 % margin means little when the baseline's own runs differ by more.
  const cpuSpread = baseCpu === undefined ? undefined : (spreadOf(baseline, cpu) ?? 0) / baseCpu;
  const cpuCaveat =
    cpuSpread !== undefined && cpuSpread > CPU_RATIO_LIMIT - 1
      ? ` (within noise: the baseline's runs spread ${Math.round(cpuSpread * 100)} % of it)`
      : "";
  add(
    "server CPU µs / delivered note",
    withRatio(cpu),
    `≤ ${CPU_RATIO_LIMIT} × baseline`,
    verdicts(
      others.map((v) => {
        const value = medianOf(runsOf(v), cpu);
        return [v, verdictOf(value === undefined || baseCpu === undefined ? undefined : value <= CPU_RATIO_LIMIT * baseCpu)];
      }),
    ) + cpuCaveat,
  );
  if (runs > 1) add(`  its spread (max − min) over the ${runs} runs`, plain(cpu, spreadOf));
  add(
    "relay latency p99 ms",
    withRatio(p99),
    `unchanged: ≤ baseline + max(${P99_TOLERANCE * 100} %, baseline's spread)${p99Allowance === undefined ? "" : ` = ${round((baseP99 ?? 0) + p99Allowance)}`}`,
    // A baseline over the relay's own target measures the machine's other work, not saving.
    baseP99 !== undefined && baseP99 > RELAY_P99_LIMIT_MS
      ? `inconclusive: the baseline's p99 is over the relay's ${RELAY_P99_LIMIT_MS} ms target (a busy machine)`
      : verdicts(
          others.map((v) => {
            const value = medianOf(runsOf(v), p99);
            const ok =
              value === undefined || baseP99 === undefined || p99Allowance === undefined ? undefined : value <= baseP99 + p99Allowance;
            return [v, verdictOf(ok)];
          }),
        ),
  );
  if (runs > 1) add(`  its spread (max − min) over the ${runs} runs`, plain(p99, spreadOf));
  add(
    "loss %, worst run",
    plain((r) => r.lossPct, worstOf),
    "0",
    verdicts(variants.map((v) => [v, verdictOf(worstOf(runsOf(v), (r) => r.lossPct) === 0)])),
  );
  add(
    "deliveries/s",
    plain((r) => r.deliveredPerSec),
  );
  add(
    "server CPU %",
    plain((r) => r.serverCpuPct),
  );
  if (figures.relay.some((r) => r.storeCpuPct !== undefined)) {
    add(
      "PostgreSQL backends' CPU % (the run's database)",
      plain((r) => r.storeCpuPct),
    );
    add("server + PostgreSQL backends CPU µs / delivered note", withRatio(withStoreCpu));
  }
  add(
    "load generator CPU %",
    plain((r) => r.generatorCpuPct),
  );
  add(
    "pattern edits sent/s",
    plain((r) => r.edits.sentPerSec),
  );
  add(
    "pattern edits refused, worst run",
    plain((r) => r.edits.refused, worstOf),
    "0",
  );
  add(
    "saves/s (jam_saves_total)",
    plain((r) => r.saves?.savesPerSec),
  );
  add(
    "save latency p50 ms (jam_save_duration_seconds)",
    plain((r) => r.saves?.latencyMs.p50),
  );
  add(
    "save latency p99 ms (jam_save_duration_seconds)",
    plain((r) => r.saves?.latencyMs.p99),
  );
  add(
    "save latency mean ms (sum ÷ count)",
    plain((r) => r.saves?.latencyMs.mean),
  );
  add(
    "save failures, worst run",
    plain((r) => r.saves?.failures, worstOf),
    "0",
  );
  const title = `Saved jams: relay ${first.rooms}×${first.perRoom}×${first.rate}, one client per room also editing the pattern (${first.edits.ratePerS} setStep/s), median of ${runs} runs per store`;
  return `${title}\n\n${markdownGrid(["figure", ...variants.map((v) => LABEL[v]), "target", "met?"], rows)}`;
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
  const quiet = (store: StoreVariant, pick: Pick) =>
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

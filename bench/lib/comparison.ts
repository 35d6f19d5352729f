/**
 * Tables that set relay runs of variants side by side, each figure the median of its variant's
 * runs, and judge some variants against a baseline measured in the same run (saving on a store
 * against in memory, recording against not recording, listeners against musicians only).
 */
import { markdownGrid } from "./markdownTable";
import type { Verdict } from "./report";
import type { RelayResult } from "./results";
import { median, round } from "./stats";

/** p99 counts as unchanged within this share of the baseline's, or within the baseline's own spread over its runs when larger. */
export const P99_TOLERANCE = 0.1;
/** The relay's own p99 target at 50×8×8. */
export const RELAY_P99_LIMIT_MS = 10;

export type Pick<R> = (run: R) => number | undefined;

export const show = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? "—" : String(value));
export const verdictOf = (ok: boolean | undefined): Verdict => (ok === undefined ? "n/a" : ok ? "met" : "NOT met");

function finite<R>(runs: readonly R[], pick: Pick<R>): number[] {
  return runs.map(pick).filter((value): value is number => value !== undefined && Number.isFinite(value));
}
export function medianOf<R>(runs: readonly R[], pick: Pick<R>): number | undefined {
  const values = finite(runs, pick);
  return values.length === 0 ? undefined : round(median(values));
}
export function spreadOf<R>(runs: readonly R[], pick: Pick<R>): number | undefined {
  const values = finite(runs, pick);
  return values.length < 2 ? undefined : round(Math.max(...values) - Math.min(...values));
}
export function worstOf<R>(runs: readonly R[], pick: Pick<R>): number | undefined {
  const values = finite(runs, pick);
  return values.length === 0 ? undefined : Math.max(...values);
}

/** "embedded file met, PostgreSQL NOT met" */
export function verdicts(entries: readonly (readonly [string, string])[]): string {
  if (entries.length === 0) return "n/a";
  return entries.map(([label, verdict]) => `${label} ${verdict}`).join(", ");
}

/** The server's CPU per delivered note plus that of the database's own processes (PostgreSQL's backends). */
export function withStoreCpu(run: RelayResult & { storeCpuPct?: number }): number {
  return round(run.cpuUsPerDelivery + ((run.storeCpuPct ?? 0) * 1e4) / run.deliveredPerSec);
}

/** One column: a variant's runs, and the column it is judged against (none: it is a baseline). */
export interface Column<R> {
  label: string;
  runs: readonly R[];
  baseline?: Column<R>;
}

export class ComparisonTable<R extends RelayResult> {
  private readonly rows: string[][] = [];

  constructor(private readonly columns: readonly Column<R>[]) {}

  /** The columns judged against a baseline. */
  get judged(): Column<R>[] {
    return this.columns.filter((column) => column.baseline !== undefined);
  }

  /** The distinct baselines the judged columns refer to. */
  get baselines(): Column<R>[] {
    return [...new Set(this.judged.map((column) => column.baseline))].filter((b): b is Column<R> => b !== undefined);
  }

  /** How a baseline is named in a verdict: "the baseline" when the table has only one. */
  private named(baseline: Column<R> | undefined): string {
    return this.baselines.length === 1 || baseline === undefined ? "the baseline" : baseline.label;
  }

  /** The most runs any column has. */
  get runs(): number {
    return Math.max(...this.columns.map((column) => column.runs.length));
  }

  add(figure: string, values: (column: Column<R>) => string, target = "—", verdict = "n/a"): void {
    this.rows.push([figure, ...this.columns.map(values), target, verdict]);
  }

  /** Each column's median (or `of`) of `pick`. */
  plain(pick: Pick<R>, of: typeof medianOf = medianOf): (column: Column<R>) => string {
    return (column) => show(of(column.runs, pick));
  }

  /** Figures without a target: each column's median, with its ratio to its baseline's where `ratio` says so. */
  plainRows(rows: readonly (readonly [figure: string, pick: Pick<R>, ratio?: "ratio"])[]): void {
    for (const [figure, pick, ratio] of rows) this.add(figure, ratio === undefined ? this.plain(pick) : this.withRatio(pick));
  }

  /** Each column's median of `pick`, with its ratio to its baseline's. */
  withRatio(pick: Pick<R>): (column: Column<R>) => string {
    return (column) => {
      const value = medianOf(column.runs, pick);
      const base = column.baseline === undefined ? undefined : medianOf(column.baseline.runs, pick);
      if (value === undefined || base === undefined) return show(value);
      return `${value} (${round(value / base)}×)`;
    };
  }

  /** A figure judged by `ok` on each column of `among` (default: every column). */
  judge(
    figure: string,
    values: (column: Column<R>) => string,
    target: string,
    ok: (column: Column<R>) => boolean | undefined,
    among = this.columns,
  ): void {
    this.add(figure, values, target, verdicts(among.map((column) => [column.label, verdictOf(ok(column))])));
  }

  /**
   * One verdict per judged column, with what makes a column's verdict doubtful (`doubt`, about its
   * baseline): said once at the end when the table has one baseline, after each verdict otherwise.
   */
  private judgedVerdicts(ok: (column: Column<R>) => boolean | undefined, doubt: (baseline: Column<R>) => string | undefined): string {
    const single = this.baselines.length === 1;
    const entries = this.judged.map((column): [string, string] => {
      const why = single || column.baseline === undefined ? undefined : doubt(column.baseline);
      return [column.label, `${verdictOf(ok(column))}${why === undefined ? "" : ` (${why})`}`];
    });
    const why = single ? doubt(this.baselines[0]) : undefined;
    return `${verdicts(entries)}${why === undefined ? "" : ` (${why})`}`;
  }

  /** `pick` at most `limit` × its baseline's, on every judged column; with the baselines' spread when it exceeds the margin. */
  ratioRow(figure: string, pick: Pick<R>, limit: number): void {
    const ratioOk = (column: Column<R>): boolean | undefined => {
      const value = medianOf(column.runs, pick);
      const base = column.baseline === undefined ? undefined : medianOf(column.baseline.runs, pick);
      return value === undefined || base === undefined ? undefined : value <= limit * base;
    };
    // A verdict on a small margin means little when the baseline's own runs differ by more.
    const noise = (baseline: Column<R>): string | undefined => {
      const base = medianOf(baseline.runs, pick);
      const spread = base === undefined ? undefined : (spreadOf(baseline.runs, pick) ?? 0) / base;
      return spread !== undefined && spread > limit - 1
        ? `within noise: ${this.named(baseline)}'s runs spread ${Math.round(spread * 100)} % of it`
        : undefined;
    };
    const target = `≤ ${limit} × ${this.baselines.length > 1 ? "its baseline" : "baseline"}`;
    this.add(figure, this.withRatio(pick), target, this.judgedVerdicts(ratioOk, noise));
  }

  /**
   * Relay p99 unchanged: at most the baseline's plus the larger of P99_TOLERANCE of it and its own
   * spread over its runs. Inconclusive when a baseline's p99, or its spread, is over the relay's own
   * target: the machine's other work is then what the figure measures.
   */
  p99Row(figure = "relay latency p99 ms", pick: Pick<R> = (r) => r.latencyMs.p99): void {
    const allowance = (baseline: Column<R>): { base: number; spread: number; limit: number } | undefined => {
      const base = medianOf(baseline.runs, pick);
      const spread = spreadOf(baseline.runs, pick) ?? 0;
      return base === undefined ? undefined : { base, spread, limit: round(base + Math.max(P99_TOLERANCE * base, spread)) };
    };
    const unjudgeable = (baseline: Column<R>): string | undefined => {
      const known = allowance(baseline);
      if (known === undefined) return undefined;
      if (known.base > RELAY_P99_LIMIT_MS)
        return `${this.named(baseline)}'s p99 is over the relay's ${RELAY_P99_LIMIT_MS} ms target (a busy machine)`;
      if (known.spread > RELAY_P99_LIMIT_MS)
        return `${this.named(baseline)}'s runs spread ${known.spread} ms, more than the relay's ${RELAY_P99_LIMIT_MS} ms target (a busy machine)`;
      return undefined;
    };
    const limits = this.baselines.map((b) => allowance(b)?.limit).filter((limit): limit is number => limit !== undefined);
    const target = `unchanged: ≤ baseline + max(${P99_TOLERANCE * 100} %, baseline's spread)${limits.length > 0 ? ` = ${limits.join(", ")}` : ""}`;
    const single = this.baselines.length === 1 ? unjudgeable(this.baselines[0]) : undefined;
    const verdict =
      single !== undefined
        ? `inconclusive: ${single}`
        : verdicts(
            this.judged.map((column) => {
              const why = column.baseline === undefined ? undefined : unjudgeable(column.baseline);
              if (why !== undefined) return [column.label, `inconclusive (${why})`];
              const value = medianOf(column.runs, pick);
              const limit = column.baseline === undefined ? undefined : allowance(column.baseline)?.limit;
              return [column.label, verdictOf(value === undefined || limit === undefined ? undefined : value <= limit)];
            }),
          );
    this.add(figure, this.withRatio(pick), target, verdict);
  }

  /** "  its spread (max − min) over the N runs" under the row before, when there are several. */
  spreadRow(pick: Pick<R>): void {
    if (this.runs > 1) this.add(`  its spread (max − min) over the ${this.runs} runs`, this.plain(pick, spreadOf));
  }

  /** Loss in the worst run of each column of `among`, which must be 0. */
  lossRow(figure = "loss %, worst run", pick: Pick<R> = (r) => r.lossPct, among = this.columns): void {
    this.judge(
      figure,
      this.plain(pick, worstOf),
      "0",
      (column) => {
        const worst = worstOf(column.runs, pick);
        return worst === undefined ? undefined : worst === 0;
      },
      among,
    );
  }

  /** The median of `pick` at most `limit` on each column of `among`. */
  limitRow(figure: string, pick: Pick<R>, limit: number, target: string, among = this.columns): void {
    this.judge(
      figure,
      this.withRatio(pick),
      target,
      (column) => {
        const value = medianOf(column.runs, pick);
        return value === undefined ? undefined : value <= limit;
      },
      among,
    );
  }

  /**
   * The rows every comparison of relay runs starts with: CPU per delivered note (at most
   * `cpuLimit` × the baseline's), relay p99 unchanged, each with its spread, and no loss.
   */
  relayRows(cpuLimit: number): void {
    const cpu: Pick<R> = (r) => r.cpuUsPerDelivery;
    this.ratioRow("server CPU µs / delivered note", cpu, cpuLimit);
    this.spreadRow(cpu);
    this.p99Row();
    this.spreadRow((r) => r.latencyMs.p99);
    this.lossRow();
  }

  render(title: string): string {
    return `${title}\n\n${markdownGrid(["figure", ...this.columns.map((c) => c.label), "target", "met?"], this.rows)}`;
  }
}

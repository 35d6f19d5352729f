/** A row of the bench's table, and what builds one: the figure per target, its ratios and verdict. */
import type { RelayResult } from "./results";

export type Verdict = "met" | "NOT met" | "n/a";

export interface Row {
  section: string;
  figure: string;
  jam?: number;
  /** jam-server measured by the shared loadgen.js (relay rows only). */
  jamLoadgen?: number;
  ws?: number;
  socketio?: number;
  /** Ratios: jam (loadgen.js figure when there is one, the same tool as the references) ÷ reference. */
  ratioWs?: number;
  ratioSocketio?: number;
  target: string;
  verdict: Verdict;
}

export const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? undefined : Math.round((a / b) * 100) / 100;

export function row(
  partial: Omit<Row, "ratioWs" | "ratioSocketio" | "verdict" | "target"> & { target?: string; verdict?: Verdict },
  withRatios = true,
): Row {
  const base = partial.jamLoadgen ?? partial.jam;
  return {
    ...partial,
    ratioWs: withRatios ? ratio(base, partial.ws) : undefined,
    ratioSocketio: withRatios ? ratio(base, partial.socketio) : undefined,
    target: partial.target ?? "—",
    verdict: partial.verdict ?? "n/a",
  };
}

export const atMost = (value: number | undefined, limit: number): Verdict =>
  value === undefined || !Number.isFinite(value) ? "n/a" : value <= limit ? "met" : "NOT met";

/** The run with the median server CPU per delivery (the lower middle one of an even count). */
export function medianRun(runs: readonly RelayResult[]): RelayResult | undefined {
  if (runs.length === 0) return undefined;
  const sorted = [...runs].sort((a, b) => a.cpuUsPerDelivery - b.cpuUsPerDelivery);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function worst(...verdicts: Verdict[]): Verdict {
  if (verdicts.includes("NOT met")) return "NOT met";
  if (verdicts.includes("met")) return "met";
  return "n/a";
}

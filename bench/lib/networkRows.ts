/** The network scenario's rows of the bench table, each target with its verdict. */
import type { ClientFigures, NetworkResult } from "./networkFigures";
import { atMost, type Row, type Verdict } from "./rows";

/** The targets. */
export const NETWORK_TARGETS = {
  apartP95Ms: 3,
  apartMaxMs: 6,
  driftMs: 2,
  joinSettleS: 1,
  stallRecoveryS: 2,
} as const;

const equals = (value: number, wanted: number): Verdict => (value === wanted ? "met" : "NOT met");

export function networkRows(result: NetworkResult | undefined): Row[] {
  if (result === undefined) return [];
  const rows: Row[] = [];
  let section = "";
  const add = (figure: string, value: number | null | undefined, target = "—", verdict: Verdict = "n/a"): void => {
    // NaN comes back from the driver as null (JSON): both are "no figure".
    rows.push({ section, figure, jam: value === undefined || value === null || Number.isNaN(value) ? undefined : value, target, verdict });
  };
  const { pairs, switches, drift, joins, stalls } = result;

  const { links } = result;
  section = `Network: A (${links.a}, clock ${result.skewPpm} ppm fast) and B (${links.b}), ${result.bpm} BPM, ${result.minutes} min`;
  add("steps both scheduled", pairs.paired);
  add(`  left out: committed during a stall of A's link or 2 s after it`, pairs.excluded);
  add("same step's true instant, A − B, p50 ms", pairs.apartMs.p50);
  add("  p95 ms", pairs.apartMs.p95, `≤ ${NETWORK_TARGETS.apartP95Ms}`, atMost(pairs.apartMs.p95, NETWORK_TARGETS.apartP95Ms));
  add("  max ms", pairs.apartMs.max, `≤ ${NETWORK_TARGETS.apartMaxMs}`, atMost(pairs.apartMs.max, NETWORK_TARGETS.apartMaxMs));
  for (const [name, client] of [
    ["A", result.a],
    ["B", result.b],
  ] as const) {
    add(`${name}'s error (absolute), p50 ms`, client.errorMs.p50);
    add(`  p95 ms`, client.errorMs.p95);
    add(`  max ms`, client.errorMs.max);
  }

  section = `Network: ${result.tempoChanges} tempo changes while playing (control client on loopback)`;
  add("changes after which both played", switches.changes, String(result.tempoChanges), equals(switches.changes, result.tempoChanges));
  add("  A and B switched on the same step", switches.sameStep, String(switches.changes), equals(switches.sameStep, switches.changes));
  add("  both on the server's switch step", switches.serverStep, String(switches.changes), equals(switches.serverStep, switches.changes));
  add("steps A and B scheduled at different tempos", pairs.differentTempo, "0", equals(pairs.differentTempo, 0));
  const counts = (name: string, client: ClientFigures, judged: boolean): void => {
    const verdict = (value: number): Verdict => (judged ? equals(value, 0) : "n/a");
    add(`${name}: steps off the server's tempo`, client.wrongTempo, judged ? "0" : "—", verdict(client.wrongTempo));
    add(`${name}: steps skipped`, client.skipped, judged ? "0" : "—", verdict(client.skipped));
    add(`${name}: steps doubled`, client.doubled, judged ? "0" : "—", verdict(client.doubled));
  };
  counts("A", result.a, true);
  counts("B", result.b, true);
  counts("C (every join)", result.c, false);
  add("musicians' process: timers late, p99 ms", result.eventLoopLateMs.p99);
  add("  max ms (over 30: a scheduler tick skips steps)", result.eventLoopLateMs.max);

  section = `Network: A's error minute by minute (device clock ${result.skewPpm} ppm fast; stall windows left out)`;
  for (const minute of drift.byMinute) {
    add(`minute ${minute.minute}: median error ms`, minute.medianMs);
    add(`  largest absolute error ms`, minute.maxAbsMs);
  }
  const minutes = drift.byMinute.length;
  add(
    "drift: largest − smallest minute median ms",
    drift.driftMs,
    `≤ ${NETWORK_TARGETS.driftMs}`,
    minutes < 2 ? "n/a" : atMost(drift.driftMs, NETWORK_TARGETS.driftMs),
  );
  add("fitted slope of A's error, ppm", drift.slopePpm);

  section = `Network: late joiner C (${links.c}, staying ${result.joinStayS} s each time)`;
  add("joins", joins.joins);
  add("  failed", result.failedJoins.length, "0", equals(result.failedJoins.length, 0));
  add("  within 3 ms for 10 s before leaving", joins.settled, String(joins.joins), equals(joins.settled, joins.joins));
  add("s from join until within 3 ms (and for 10 s), p50", joins.settleS.p50);
  add(
    "  max",
    joins.settleS.max,
    `≤ ${NETWORK_TARGETS.joinSettleS}`,
    slowestVerdict(joins.settled, joins.joins, joins.settleS.max, NETWORK_TARGETS.joinSettleS),
  );
  add("s from join until the clock's first estimate, p50", joins.firstEstimateS.p50);
  add("  max", joins.firstEstimateS.max);

  section = `Network: A's link stalled ${result.stallMs} ms`;
  add("stalls", stalls.stalls);
  add("  back within 3 ms (for 10 s) before the next", stalls.recovered, String(stalls.stalls), equals(stalls.recovered, stalls.stalls));
  add("s from the stall's end until back within 3 ms, p50", stalls.recoveryS.p50);
  add(
    "  max",
    stalls.recoveryS.max,
    `≤ ${NETWORK_TARGETS.stallRecoveryS}`,
    slowestVerdict(stalls.recovered, stalls.stalls, stalls.recoveryS.max, NETWORK_TARGETS.stallRecoveryS),
  );
  add("largest absolute error from a stall until back, ms", stalls.maxErrorMs);

  section = "Network: the estimator's claimed error (clock.estimate.errorMs) against the actual";
  for (const [name, client, pings] of [
    ["A", result.a, result.pingsPerMin.a],
    ["B", result.b, result.pingsPerMin.b],
    ["C", result.c, result.pingsPerMin.c],
  ] as const) {
    add(`${name}: steps whose absolute error was within the claim then, %`, client.withinClaimPct);
    add(`  claimed error p50 ms`, client.claimMs.p50);
    add(`  pings per minute`, pings);
  }
  add("pings refused (RATE_LIMITED)", result.rateLimited, "0", equals(result.rateLimited, 0));
  return rows;
}

/**
 * The verdict on the slowest of `of` events (joins settling, stalls recovering), `done` of which
 * got there at all: one that never did is over any limit.
 */
function slowestVerdict(done: number, of: number, slowest: number, limit: number): Verdict {
  if (of === 0) return "n/a";
  return done === of ? atMost(slowest, limit) : "NOT met";
}

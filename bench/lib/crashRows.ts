/** The crash scenario's rows of the bench table, each with its target. */
import type { CrashCaseFigures } from "./crashFigures";
import type { Row, Verdict } from "./report";

/** The recovery targets: one process under PM2, and two processes bounded by the code expiry. */
export const RECOVERY_TARGET_S: Record<string, number> = { pm2: 5, redis: 20 };

const atMost = (value: number, limit: number): Verdict => (!Number.isFinite(value) ? "n/a" : value <= limit ? "met" : "NOT met");
const equals = (value: number, wanted: number): Verdict => (value === wanted ? "met" : "NOT met");

export function crashRows(cases: readonly CrashCaseFigures[]): Row[] {
  const rows: Row[] = [];
  for (const c of cases) {
    const section = `Crash: SIGKILL of ${c.setup}, ${c.jams} jams × ${c.sessions / Math.max(1, c.jams)}`;
    const add = (figure: string, value: number | undefined, target = "—", verdict: Verdict = "n/a"): void => {
      if (value !== undefined) rows.push({ section, figure, jam: value, target, verdict });
    };
    const limit = RECOVERY_TARGET_S[c.name];
    const everyoneBack = c.back === c.sessions;
    add("sessions back in their jam", c.back, String(c.sessions), equals(c.back, c.sessions));
    add("sessions that gave up", c.gaveUp, "0", equals(c.gaveUp, 0));
    add("sessions back in another jam", c.wrongJam, "0", equals(c.wrongJam, 0));
    add(
      "s from the kill until every session was back (max)",
      c.recoveryS.max,
      limit === undefined ? "—" : `≤ ${limit}`,
      limit === undefined ? "n/a" : everyoneBack ? atMost(c.recoveryS.max, limit) : "NOT met",
    );
    add("  p50 s", c.recoveryS.p50);
    add("  p99 s", c.recoveryS.p99);
    if (limit !== undefined) add(`  sessions back within ${limit} s`, c.backWithinTarget);
    add("s until a session began to open its jam again, p50", c.reopeningFromS.p50);
    add("  max", c.reopeningFromS.max);
    add("sessions whose reconnection was refused 4214 (their jam had been opened again)", c.refused);
    add("  s until every other session was back (max)", c.othersMaxS);
    add(`edits applied > ${c.saveDelayMs} ms before the kill`, c.edits.appliedBeforeWindow);
    add("  of them missing from the reopened jam", c.edits.violations, "0", equals(c.edits.violations, 0));
    add(`edits applied in the last ${c.saveDelayMs} ms`, c.edits.appliedInWindow);
    add("  of them missing (allowed)", c.edits.lostInWindow);
    add("edits in flight at the kill (sent, not seen applied)", c.edits.unconfirmed);
    add("  of them in the reopened jam all the same", c.edits.unconfirmedKept);
    add(
      "jams playing on after it, same playStartedAt and tempo",
      c.jamsOnSameTimeline,
      String(c.jams),
      equals(c.jamsOnSameTimeline, c.jams),
    );
    add("s until the killed process answered /health again", c.restartS);
    add("s until the dead process's room listings were gone", c.deadListingsGoneS);
    add("s until its first code claim expired", c.deadClaimsGoneS?.first);
    add("s until its last code claim expired", c.deadClaimsGoneS?.last);
    add("notes delivered per s before the kill", c.notesPerS);
  }
  return rows;
}

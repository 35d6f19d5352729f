/**
 * The network scenario's figures over time, from the steps each musician's scheduler committed
 * (each with its error: see networkSteps.ts): drift minute by minute, how long a late joiner and a
 * stalled link take to be within 3 ms of the truth and stay so, and the estimator's claimed error
 * against the actual one. Pure (test/unit/networkFigures.test.ts).
 */
import {
  type CommittedStep,
  inAny,
  type Listening,
  type PairFigures,
  pairFigures,
  type Segment,
  type Span,
  type StepCounts,
  stepCounts,
  type SwitchFigures,
  switchFigures,
  Timeline,
} from "./networkSteps";
import { median, round, summarize, type Summary } from "./stats";

/** Within this of the truth counts as in time, ms. */
export const WITHIN_MS = 3;
/** … and must stay so this long, ms. */
export const HOLD_MS = 10_000;
/** Steps committed during a stall and this long after it are left out of the A–B comparison and the drift, ms. */
export const AFTER_STALL_MS = 2_000;

export interface MinuteFigures {
  minute: number;
  steps: number;
  medianMs: number;
  maxAbsMs: number;
}

export interface DriftFigures {
  byMinute: MinuteFigures[];
  /** Largest − smallest of the minutes' median errors (NaN with fewer than two minutes), ms. */
  driftMs: number;
  /** Least-squares slope of the error over the run, ppm (µs per s). */
  slopePpm: number;
}

/** One musician's error minute by minute from `start`, and its fitted slope, steps in `exclude` left out. */
export function driftFigures(steps: readonly CommittedStep[], start: number, exclude: readonly Span[]): DriftFigures {
  const kept = steps.filter((step) => !inAny(exclude, step.committedAt));
  const minutes = new Map<number, number[]>();
  for (const step of kept) {
    const minute = Math.floor((step.committedAt - start) / 60_000) + 1;
    const errors = minutes.get(minute) ?? [];
    errors.push(step.errorMs);
    minutes.set(minute, errors);
  }
  const byMinute = [...minutes.entries()]
    .sort(([x], [y]) => x - y)
    .map(([minute, errors]) => ({
      minute,
      steps: errors.length,
      medianMs: round(median(errors), 3),
      maxAbsMs: round(Math.max(...errors.map(Math.abs)), 3),
    }));
  const medians = byMinute.map((m) => m.medianMs);
  const driftMs = medians.length < 2 ? NaN : round(Math.max(...medians) - Math.min(...medians), 3);
  return { byMinute, driftMs, slopePpm: round(slope(kept) * 1e6, 2) };
}

/** Least-squares slope of errorMs against committedAt (ms per ms). */
function slope(steps: readonly CommittedStep[]): number {
  if (steps.length < 2) return NaN;
  const t0 = steps[0]?.committedAt ?? 0;
  const n = steps.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const step of steps) {
    const x = step.committedAt - t0;
    sx += x;
    sy += step.errorMs;
    sxx += x * x;
    sxy += x * step.errorMs;
  }
  const denominator = n * sxx - sx * sx;
  return denominator === 0 ? NaN : (n * sxy - sx * sy) / denominator;
}

/**
 * The commit time of the first step from `from` on that starts a stretch of `holdMs` in which every
 * committed step is within `withinMs` of the truth, the stretch ending by `until`; NaN if none does.
 */
export function settledAt(steps: readonly CommittedStep[], from: number, until: number, withinMs = WITHIN_MS, holdMs = HOLD_MS): number {
  let start = NaN;
  for (const step of steps) {
    if (step.committedAt < from) continue;
    if (step.committedAt > until) break;
    if (Math.abs(step.errorMs) > withinMs) {
      start = NaN;
      continue;
    }
    if (Number.isNaN(start)) start = step.committedAt;
    if (step.committedAt - start >= holdMs) return start;
  }
  return !Number.isNaN(start) && until - start >= holdMs ? start : NaN;
}

export interface JoinFigures {
  joins: number;
  /** Joins whose steps settled within 3 ms (for 10 s) before they left. */
  settled: number;
  /** From `join` resolving until the first step of that stretch, s (settled joins). */
  settleS: Summary;
  /** From `join` resolving until the clock's first estimate, s. */
  firstEstimateS: Summary;
  /**
   * Per join; `lastOverS`: from the join until the last step more than 3 ms off (null: none), and
   * `maxErrorMs` the largest absolute error, which say why a join did not settle.
   */
  each: { joinedAt: number; settleS: number | null; firstEstimateS: number; steps: number; lastOverS: number | null; maxErrorMs: number }[];
}

export function joinFigures(joins: readonly Listening[]): JoinFigures {
  const each = joins.map((join) => {
    const at = settledAt(join.steps, join.joinedAt, join.endedAt);
    const lastOver = join.steps.filter((step) => Math.abs(step.errorMs) > WITHIN_MS).at(-1);
    return {
      joinedAt: join.joinedAt,
      settleS: Number.isNaN(at) ? null : round((at - join.joinedAt) / 1000, 3),
      firstEstimateS: round((join.readyAt - join.joinedAt) / 1000, 3),
      steps: join.steps.length,
      lastOverS: lastOver === undefined ? null : round((lastOver.committedAt - join.joinedAt) / 1000, 3),
      maxErrorMs: round(Math.max(...join.steps.map((step) => Math.abs(step.errorMs))), 3),
    };
  });
  const settled = each.flatMap((join) => (join.settleS === null ? [] : [join.settleS]));
  return {
    joins: joins.length,
    settled: settled.length,
    settleS: summarize(settled),
    firstEstimateS: summarize(each.map((join) => join.firstEstimateS)),
    each,
  };
}

export interface StallFigures {
  stalls: number;
  /** Stalls after which the musician was back within 3 ms (for 10 s) before the next one or the end. */
  recovered: number;
  /** From the stall's end until that stretch began (0: never left it), s (recovered stalls). */
  recoveryS: Summary;
  /** Largest |error| from a stall's start until it was back (at least 2 s after its end), ms. */
  maxErrorMs: number;
  each: { from: number; recoveryS: number | null; maxErrorMs: number }[];
}

export function stallFigures(steps: readonly CommittedStep[], stalls: readonly Span[], endedAt: number): StallFigures {
  const each = stalls.map((stall, j) => {
    const limit = stalls[j + 1]?.from ?? endedAt;
    const back = settledAt(steps, stall.from, limit);
    const windowEnd = Math.max(Number.isNaN(back) ? limit : back, stall.until + AFTER_STALL_MS);
    const errors = steps.filter((s) => s.committedAt >= stall.from && s.committedAt <= windowEnd).map((s) => Math.abs(s.errorMs));
    return {
      from: stall.from,
      recoveryS: Number.isNaN(back) ? null : round(Math.max(0, back - stall.until) / 1000, 3),
      maxErrorMs: round(errors.length > 0 ? Math.max(...errors) : NaN, 3),
    };
  });
  const recovered = each.flatMap((stall) => (stall.recoveryS === null ? [] : [stall.recoveryS]));
  return {
    stalls: stalls.length,
    recovered: recovered.length,
    recoveryS: summarize(recovered),
    maxErrorMs: each.length === 0 ? NaN : round(Math.max(...each.map((stall) => stall.maxErrorMs)), 3),
    each,
  };
}

export interface ClaimFigures {
  /** Steps committed with an estimate (and so a claimed error). */
  claimed: number;
  /** Share of those whose |error| was within the claim then, %. */
  withinClaimPct: number;
  claimMs: Summary;
  /** |error| of every step, ms. */
  errorMs: Summary;
}

/** The estimator's claimed error against the actual one, and the actual one, over `steps`. */
export function claimFigures(steps: readonly CommittedStep[]): ClaimFigures {
  const claimed = steps.filter((step) => Number.isFinite(step.claimMs));
  const within = claimed.filter((step) => Math.abs(step.errorMs) <= step.claimMs).length;
  return {
    claimed: claimed.length,
    withinClaimPct: claimed.length === 0 ? NaN : round((100 * within) / claimed.length, 1),
    claimMs: summarize(claimed.map((step) => step.claimMs)),
    errorMs: summarize(steps.map((step) => Math.abs(step.errorMs))),
  };
}

/** What the scenario recorded: the server's timeline, each session's steps, the stalls of A's link. */
export interface NetworkRecord {
  /** True server times the jam started playing and the run ended. */
  start: number;
  end: number;
  timeline: Segment[];
  a: Listening;
  b: Listening;
  joins: Listening[];
  stalls: Span[];
}

export type ClientFigures = StepCounts & ClaimFigures;

export interface NetworkJudgement {
  pairs: PairFigures;
  switches: SwitchFigures;
  a: ClientFigures;
  b: ClientFigures;
  /** Every join of C together (skips and doubles counted within each join). */
  c: ClientFigures;
  drift: DriftFigures;
  joins: JoinFigures;
  stalls: StallFigures;
}

export function judgeNetwork(record: NetworkRecord): NetworkJudgement {
  const timeline = new Timeline(record.timeline);
  const afterStalls = record.stalls.map((stall) => ({ from: stall.from, until: stall.until + AFTER_STALL_MS }));
  const client = (sessions: readonly Listening[]): ClientFigures => {
    const counts = sessions.map((session) => stepCounts(timeline, session.steps));
    const sum = (pick: (c: StepCounts) => number) => counts.reduce((total, c) => total + pick(c), 0);
    return {
      steps: sum((c) => c.steps),
      skipped: sum((c) => c.skipped),
      doubled: sum((c) => c.doubled),
      wrongTempo: sum((c) => c.wrongTempo),
      gaps: counts.flatMap((c) => c.gaps),
      ...claimFigures(sessions.flatMap((session) => session.steps)),
    };
  };
  return {
    pairs: pairFigures(timeline, record.a.steps, record.b.steps, afterStalls),
    switches: switchFigures(timeline, record.a.steps, record.b.steps),
    a: client([record.a]),
    b: client([record.b]),
    c: client(record.joins),
    drift: driftFigures(record.a.steps, record.start, afterStalls),
    joins: joinFigures(record.joins),
    stalls: stallFigures(record.a.steps, record.stalls, record.a.endedAt),
  };
}

/** The scenario's result: the judgement, and how the run was set up. */
export interface NetworkResult extends NetworkJudgement {
  minutes: number;
  bpm: number;
  seed: number;
  /** Each musician's link, and its device clock, in words. */
  links: { a: string; b: string; c: string };
  clocks: { a: string; b: string; c: string };
  /** How fast A's device clock runs, ppm. */
  skewPpm: number;
  /** C's joins: how many, and how long each stays, s. */
  joinStayS: number;
  tempoChanges: number;
  stallMs: number;
  /** Pings each musician's clock sent per minute (pongs counted). */
  pingsPerMin: { a: number; b: number; c: number };
  /** Pings the server refused (RATE_LIMITED). */
  rateLimited: number;
  /** Late joins that failed, with their error. */
  failedJoins: string[];
  /**
   * How late the musicians' process ran its timers, ms: every scheduler ticks on it, and a tick
   * more than 30 ms late (the default lookahead − a tick) skips the steps that went by meanwhile.
   */
  eventLoopLateMs: { p99: number; max: number };
}

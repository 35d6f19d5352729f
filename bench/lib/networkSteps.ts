/**
 * The network scenario's steps on the server's timeline: which instant each committed step is,
 * whether two musicians scheduled the same step at the same tempo, where each switched tempo,
 * and what a session skipped or doubled. Pure (test/unit/networkFigures.test.ts).
 *
 * Every committed step carries its error: the true server time (Date.now()'s scale) of the local
 * instant the musician would play it at, minus the step's `at`. Steps are keyed by the server's
 * timeline (the segments the control client saw: the play, then each tempo change from its
 * `nextAt`), not by the loop's step: the server anchors a tempo change so the step *of the loop*
 * runs on (`setTempo`: nextPlayStartedAt = nextAt − (boundary mod loopSteps) × the new step), so a
 * loop step repeats within one play. A step's ordinal is its place on that timeline; a step whose
 * `at` is no instant of the timeline, or whose tempo is not the timeline's there, was scheduled
 * at a tempo the server did not play.
 */
import { stepMs } from "../../client/src/sequencer";
import { summarize, type Summary } from "./stats";

/** Two instants this close are the same (clients compute `at` with the server's own arithmetic), ms. */
const SAME_INSTANT_MS = 0.5;

/** A stretch of the server's timeline: from `from` on, step k starts at `anchor + k × stepMs(tempo)`. */
export interface Segment {
  from: number;
  anchor: number;
  tempo: number;
}

export interface CommittedStep {
  /** The step of the loop. */
  step: number;
  at: number;
  tempo: number;
  /** True server time when the scheduler committed it. */
  committedAt: number;
  /** True server time of the instant it will play at, minus `at`, ms. */
  errorMs: number;
  /** The estimator's `errorMs` at the commit; NaN before its first estimate. */
  claimMs: number;
}

/** One session of one musician: its steps in commit order. */
export interface Listening {
  joinedAt: number;
  /** The clock's first estimate (the scheduler starts then). */
  readyAt: number;
  endedAt: number;
  steps: CommittedStep[];
}

export interface Span {
  from: number;
  until: number;
}

interface Located {
  ordinal: number;
  /** `at` is an instant of the server's timeline. */
  onTimeline: boolean;
  /** … and the step's tempo is the timeline's there. */
  rightTempo: boolean;
}

/** The server's timeline: each step's ordinal, the switch of each tempo change. */
export class Timeline {
  private readonly firsts: number[] = [];
  private readonly bases: number[] = [];

  constructor(readonly segments: readonly Segment[]) {
    let base = 0;
    segments.forEach((segment, i) => {
      const ms = stepMs(segment.tempo);
      const first = Math.round((segment.from - segment.anchor) / ms);
      this.firsts.push(first);
      this.bases.push(base);
      const next = segments[i + 1];
      if (next !== undefined) base += Math.round((next.from - segment.anchor) / ms) - first;
    });
  }

  /** The ordinal of the first step at segment `i`'s tempo: where every client should switch. */
  switchOrdinal(i: number): number {
    return this.bases[i] ?? NaN;
  }

  locate(step: Pick<CommittedStep, "at" | "tempo">): Located {
    let i = this.segments.length - 1;
    while (i > 0 && (this.segments[i]?.from ?? 0) > step.at + SAME_INSTANT_MS) i--;
    const segment = this.segments[i];
    if (segment === undefined) return { ordinal: NaN, onTimeline: false, rightTempo: false };
    const ms = stepMs(segment.tempo);
    const k = Math.round((step.at - segment.anchor) / ms);
    const first = this.firsts[i] ?? 0;
    const serverAt = k === first ? segment.from : segment.anchor + k * ms;
    const onTimeline = Math.abs(step.at - serverAt) <= SAME_INSTANT_MS;
    return { ordinal: (this.bases[i] ?? 0) + k - first, onTimeline, rightTempo: onTimeline && step.tempo === segment.tempo };
  }
}

export const inAny = (spans: readonly Span[], t: number): boolean => spans.some((span) => t >= span.from && t < span.until);

export interface StepCounts {
  steps: number;
  /** Instants of the timeline between its first and last step it never scheduled. */
  skipped: number;
  /** Instants it scheduled more than once. */
  doubled: number;
  /** Steps at no instant of the timeline, or at the wrong tempo there. */
  wrongTempo: number;
  /** Where steps were skipped or doubled (the first 20): `at` of the step after the gap (or doubled) and the steps missing (0: doubled). */
  gaps: { at: number; missing: number }[];
}

const MAX_GAPS_KEPT = 20;

/** Skips, doubles and wrong tempos of one session. */
export function stepCounts(timeline: Timeline, steps: readonly CommittedStep[]): StepCounts {
  const placed: { ordinal: number; at: number }[] = [];
  let wrongTempo = 0;
  for (const step of steps) {
    const located = timeline.locate(step);
    if (!located.rightTempo) wrongTempo++;
    if (located.onTimeline) placed.push({ ordinal: located.ordinal, at: step.at });
  }
  placed.sort((x, y) => x.ordinal - y.ordinal);
  let skipped = 0;
  let doubled = 0;
  const gaps: StepCounts["gaps"] = [];
  for (let i = 1; i < placed.length; i++) {
    const gap = (placed[i]?.ordinal ?? 0) - (placed[i - 1]?.ordinal ?? 0);
    if (gap === 1) continue;
    if (gap === 0) doubled++;
    else skipped += gap - 1;
    if (gaps.length < MAX_GAPS_KEPT) gaps.push({ at: placed[i]?.at ?? NaN, missing: Math.max(0, gap - 1) });
  }
  return { steps: steps.length, skipped, doubled, wrongTempo, gaps };
}

export interface PairFigures {
  /** Instants both A and B scheduled. */
  paired: number;
  /** … of them left out of `apartMs` (committed during a stall or right after it). */
  excluded: number;
  /** |A's true instant − B's true instant| for the same step, ms. */
  apartMs: Summary;
  /** Instants A and B scheduled at different tempos. */
  differentTempo: number;
}

function byOrdinal(timeline: Timeline, steps: readonly CommittedStep[]): Map<number, CommittedStep> {
  const map = new Map<number, CommittedStep>();
  for (const step of steps) {
    const { ordinal, onTimeline } = timeline.locate(step);
    if (onTimeline && !map.has(ordinal)) map.set(ordinal, step);
  }
  return map;
}

export function pairFigures(
  timeline: Timeline,
  a: readonly CommittedStep[],
  b: readonly CommittedStep[],
  exclude: readonly Span[],
): PairFigures {
  const ofB = byOrdinal(timeline, b);
  const apart: number[] = [];
  let paired = 0;
  let excluded = 0;
  let differentTempo = 0;
  for (const [ordinal, stepA] of byOrdinal(timeline, a)) {
    const stepB = ofB.get(ordinal);
    if (stepB === undefined) continue;
    paired++;
    if (stepA.tempo !== stepB.tempo) differentTempo++;
    if (inAny(exclude, stepA.committedAt) || inAny(exclude, stepB.committedAt)) excluded++;
    else apart.push(Math.abs(stepA.errorMs - stepB.errorMs));
  }
  return { paired, excluded, apartMs: summarize(apart), differentTempo };
}

export interface SwitchFigures {
  /** Tempo changes while both played. */
  changes: number;
  /** … where A's and B's first step at the new tempo was the same step. */
  sameStep: number;
  /** … where it was the server's switch step for both. */
  serverStep: number;
  /**
   * Per change: the server's switch ordinal, A's and B's first step at the new tempo (ordinal; null:
   * none), and the loop step A's was.
   */
  each: { tempo: number; server: number; a: number | null; b: number | null; loopStepA: number | null }[];
}

/** The first step at segment i's tempo each scheduled from its `from` on, against the server's. */
export function switchFigures(timeline: Timeline, a: readonly CommittedStep[], b: readonly CommittedStep[]): SwitchFigures {
  const each: SwitchFigures["each"] = [];
  const segments = timeline.segments;
  const firstAtTempo = (steps: readonly CommittedStep[], i: number): { ordinal: number; loopStep: number } | null => {
    const segment = segments[i];
    const until = segments[i + 1]?.from ?? Number.POSITIVE_INFINITY;
    let first: { ordinal: number; loopStep: number } | null = null;
    for (const step of steps) {
      if (segment === undefined || step.at < segment.from - SAME_INSTANT_MS || step.at >= until || step.tempo !== segment.tempo) continue;
      const { ordinal, onTimeline } = timeline.locate(step);
      if (onTimeline && (first === null || ordinal < first.ordinal)) first = { ordinal, loopStep: step.step };
    }
    return first;
  };
  for (let i = 1; i < segments.length; i++) {
    const firstA = firstAtTempo(a, i);
    each.push({
      tempo: segments[i]?.tempo ?? NaN,
      server: timeline.switchOrdinal(i),
      a: firstA?.ordinal ?? null,
      b: firstAtTempo(b, i)?.ordinal ?? null,
      loopStepA: firstA?.loopStep ?? null,
    });
  }
  return {
    changes: each.length,
    sameStep: each.filter((change) => change.a !== null && change.a === change.b).length,
    serverStep: each.filter((change) => change.a === change.server && change.b === change.server).length,
    each,
  };
}

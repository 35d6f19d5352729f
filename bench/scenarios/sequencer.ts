/**
 * The authoritative sequencer against the contract's formula
 *   currentStep = floor((serverNow − playStartedAt) / stepMs) mod loopSteps,  stepMs = 60000 / tempo / 4
 * One room plays at `bpm` for `minutes`; a listener records every patch that carries a new currentStep.
 *
 * When was a patch sent? The listener pings every few ms; each pong carries the server's clock
 * (`serverTime`, Date.now() when the ping was handled). The server handles messages and sends patches
 * on one thread and one socket keeps their order, so a patch that arrives between two pongs was
 * computed and sent between their two serverTimes: its send time lies in [before, after + 1 ms).
 * That bracket is read on the server's own clock, so delays on the way or in this process do not
 * blur it. A patch is "exact" when the formula gives its currentStep at some instant of the bracket;
 * "off by one near a boundary" when the step boundary is within 2 ms of the bracket; otherwise
 * "inconsistent".
 *
 * Drift: over the last 10 s the steps received are compared with the formula from the *first*
 * anchor (playStartedAt and tempo as of the start) at their arrival; the median difference is the
 * drift in steps.
 */
import { Client } from "colyseus.js";
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import { stateWhere } from "../../support/clients";
import { JAM_ROOM, ignoreOtherMessages, leaveAll, onServerMessage } from "../lib/jamClients";
import type { SequencerPhaseCounts, SequencerResult } from "../lib/results";
import { median, round, summarize } from "../lib/stats";
import { WallClock, sleep } from "../lib/wallClock";
import type { JamState } from "../../src/schema/JamState";

const TOLERANCE_MS = 2;
const SETTLE_MS = 1000;
const DRIFT_WINDOW_MS = 10_000;
/** Patches whose pongs are further apart than this (pinging paused) are not judged. */
const MAX_BRACKET_MS = 25;
/**
 * While the runner measures relay CPU the pinging pauses, so the jam server's figure carries no
 * work the reference relays do not do; patches of those phases are left unjudged.
 */
const QUIET_PHASES = /^(relay|loadgen)/;

interface Anchor {
  playStartedAt: number;
  tempo: number;
  loopSteps: number;
}

interface Patch extends Anchor {
  step: number;
  receivedAt: number;
  phase: string;
  /** serverTime of the last pong before and the first pong after it (filled in afterwards). */
  after?: number;
  before?: number;
}

const stepMs = (tempo: number): number => 60000 / tempo / 4;
const wrap = (step: number, loop: number): number => ((step % loop) + loop) % loop;

/** Signed difference a − b in steps on a loop, in [−loop/2, loop/2). */
function loopDifference(a: number, b: number, loop: number): number {
  const d = wrap(a - b, loop);
  return d >= loop / 2 ? d - loop : d;
}

/** Unwrapped step index (steps since playStartedAt) at server time t. */
const stepIndex = (t: number, anchor: Anchor): number => Math.floor((t - anchor.playStartedAt) / stepMs(anchor.tempo));

interface Judgement {
  /** 0 when the step occurs in the bracket; else the signed step difference at the bracket's edge. */
  stepError: number;
  /** 0 when exact; else how far (ms) the bracket is from the nearest instant the formula gives the step. */
  msFromBracket: number;
}

/** Does the formula give `step` somewhere in [from, to)? If not, how far off is it? */
export function judge(step: number, from: number, to: number, anchor: Anchor): Judgement {
  const ms = stepMs(anchor.tempo);
  const first = stepIndex(from, anchor);
  const last = stepIndex(to - 1e-6, anchor);
  for (let k = first; k <= last; k++) if (wrap(k, anchor.loopSteps) === step) return { stepError: 0, msFromBracket: 0 };
  const behind = loopDifference(step, wrap(first, anchor.loopSteps), anchor.loopSteps);
  if (behind < 0) {
    // The step ended before the bracket began: by how much?
    const endOfStep = anchor.playStartedAt + (first + behind + 1) * ms;
    return { stepError: behind, msFromBracket: from - endOfStep };
  }
  const ahead = loopDifference(step, wrap(last, anchor.loopSteps), anchor.loopSteps);
  const startOfStep = anchor.playStartedAt + (last + ahead) * ms;
  return { stepError: ahead, msFromBracket: startOfStep - to };
}

export async function sequencer(flags: Flags, link: RunnerLink): Promise<SequencerResult> {
  const url = serverUrl(flags);
  const bpm = flags.number("bpm", 300);
  const minutes = flags.number("minutes", 10);
  const loopSteps = flags.number("loop-steps", 16);
  const pingEveryMs = flags.number("ping-every-ms", 5);
  const clock = new WallClock();

  const client = new Client(url);
  const host = ignoreOtherMessages(await client.create<JamState>(JAM_ROOM, { name: "seq-host", tempo: bpm, loopSteps }));
  const listener = ignoreOtherMessages(await client.joinById<JamState>(host.roomId, { name: "seq-listener" }));
  await stateWhere(listener, (state) => state.participants?.size === 2, 5000);

  // Everything the listener receives, in arrival order: pongs (server clock) and patches.
  const pongTimes: number[] = [];
  const patches: Patch[] = [];
  /** For each patch, how many pongs had arrived before it. */
  const pongsBefore: number[] = [];
  let rateLimited = 0;
  onServerMessage(listener, "pong", ({ serverTime }) => pongTimes.push(serverTime));
  onServerMessage(listener, "error", ({ code }) => {
    if (code === "RATE_LIMITED") rateLimited++;
  });
  let lastStep = -1;
  listener.onStateChange((state) => {
    if (!state.isPlaying || state.currentStep === lastStep) return;
    lastStep = state.currentStep;
    patches.push({
      step: state.currentStep,
      receivedAt: clock.now(),
      playStartedAt: state.playStartedAt,
      tempo: state.tempo,
      loopSteps: state.loopSteps,
      phase: link.phase,
    });
    pongsBefore.push(pongTimes.length);
  });
  const pinger = setInterval(() => {
    if (!QUIET_PHASES.test(link.phase)) listener.send("ping", { t: performance.now() });
  }, pingEveryMs);

  host.send("play", {});
  const started = await stateWhere(listener, (state) => state.isPlaying && state.playStartedAt > 0, 5000);
  const first: Anchor = { playStartedAt: started.playStartedAt, tempo: started.tempo, loopSteps: started.loopSteps };
  link.ready({ roomCode: host.roomId, playStartedAt: first.playStartedAt });

  const endAt = performance.now() + minutes * 60_000;
  let nextProgress = performance.now() + 60_000;
  while (performance.now() < endAt && !link.stopping) {
    await Promise.race([sleep(Math.min(1000, endAt - performance.now())), link.stopped()]);
    if (performance.now() >= nextProgress) {
      nextProgress += 60_000;
      link.progress(`sequencer: ${patches.length} patches, ${Math.round((endAt - performance.now()) / 1000)} s to go`);
    }
  }
  await sleep(100);
  clearInterval(pinger);
  await sleep(200);
  const endedAt = clock.now();
  clock.stop();
  await leaveAll([host, listener]);
  if (rateLimited > 0) throw new Error(`${rateLimited} pings were rate-limited: run the server with a larger "ping" budget (RATE_LIMITS)`);

  patches.forEach((patch, i) => {
    const n = pongsBefore[i];
    if (n > 0) patch.before = pongTimes[n - 1];
    if (n < pongTimes.length) patch.after = pongTimes[n];
  });
  // The lead-in and the first patches after play are left out: the formula holds from the start step on.
  const settled = patches.filter((p) => p.receivedAt >= first.playStartedAt + SETTLE_MS);
  const judged = settled.filter((p) => p.before !== undefined && p.after !== undefined && p.after + 1 - p.before <= MAX_BRACKET_MS);
  const byPhase: Record<string, SequencerPhaseCounts> = {};
  const brackets: number[] = [];
  const pastBoundary: number[] = [];
  let exact = 0;
  let nearBoundary = 0;
  let inconsistent = 0;
  let worst: SequencerResult["worstInconsistent"];
  for (const patch of judged) {
    const from = patch.before ?? NaN;
    const to = (patch.after ?? NaN) + 1;
    brackets.push(to - from);
    byPhase[patch.phase] ??= { patches: 0, exact: 0, offByOneNearBoundary: 0, inconsistent: 0 };
    const counts = byPhase[patch.phase];
    counts.patches++;
    // A patch one step behind at arrival: how long after the boundary it arrived (transit).
    const atArrival = stepIndex(patch.receivedAt, patch);
    if (loopDifference(patch.step, wrap(atArrival, patch.loopSteps), patch.loopSteps) === -1) {
      pastBoundary.push(patch.receivedAt - (patch.playStartedAt + atArrival * stepMs(patch.tempo)));
    }
    const verdict = judge(patch.step, from, to, patch);
    if (verdict.stepError === 0) {
      exact++;
      counts.exact++;
    } else if (Math.abs(verdict.stepError) === 1 && verdict.msFromBracket <= TOLERANCE_MS) {
      nearBoundary++;
      counts.offByOneNearBoundary++;
    } else {
      inconsistent++;
      counts.inconsistent++;
      if (worst === undefined || Math.abs(verdict.stepError) > Math.abs(worst.stepError) || verdict.msFromBracket > worst.msFromBracket) {
        worst = {
          stepError: verdict.stepError,
          msFromBracket: round(verdict.msFromBracket),
          bracketMs: round(to - from),
          phase: patch.phase,
        };
      }
    }
  }
  // Arrival time is good enough here: a drift is a whole number of steps that grows with time.
  const late = settled.filter((patch) => patch.receivedAt >= endedAt - DRIFT_WINDOW_MS - 1000);
  const drift = late.map((patch) => loopDifference(patch.step, wrap(stepIndex(patch.receivedAt, first), first.loopSteps), first.loopSteps));
  return {
    bpm,
    loopSteps,
    minutes: round((endedAt - first.playStartedAt) / 60_000),
    pingEveryMs,
    patches: judged.length,
    unjudged: settled.length - judged.length,
    exact,
    offByOneNearBoundary: nearBoundary,
    inconsistent,
    worstInconsistent: worst,
    bracketMs: summarize(brackets),
    arrivalPastBoundaryMs: summarize(pastBoundary),
    driftSteps: drift.length > 0 ? median(drift) : NaN,
    driftCheckedPatches: drift.length,
    playStartedAtChanged: patches.some((patch) => patch.playStartedAt !== first.playStartedAt || patch.tempo !== first.tempo),
    byPhase,
  };
}

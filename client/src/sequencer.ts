/**
 * The shared sequencer, seen from a client. The formula is the server's own
 * (`src/rules/sequencer.ts`, which has no dependencies): while playing,
 *   step = floor((serverTime - playStartedAt) / stepMs) mod loopSteps,  stepMs = 60000 / tempo / 4,
 * holding the start step during the lead-in of `play`/`seek`, and switching to a waiting tempo
 * change (`nextTempo`, `nextPlayStartedAt`) from `nextAt` on. Feed these the synced state and
 * `clock.serverNow()`, and schedule audio ahead instead of reacting to patches.
 */
import { currentStep, stepMs, type Transport } from "../../src/rules/sequencer";
import type { TransportState } from "./types";

export { stepMs };

/** One step to play: its index in the loop and the server time (ms since epoch) it starts at. */
export interface ScheduledStep {
  step: number;
  at: number;
  /** The tempo it plays at (the waiting one from `nextAt` on). */
  tempo: number;
}

/**
 * The server's transport, rebuilt from the synced state. The state does not carry the lead-in's
 * end, but it carries the step the transport holds during it: in the patch that anchors
 * `playStartedAt` (`play`, `seek`), `currentStep` is the start step, which begins at
 * `playStartedAt + currentStep * stepMs`. A later patch's `currentStep` puts that instant in the
 * past of the patch, where it changes nothing.
 */
export function transportOf(state: TransportState): Transport {
  const { tempo, loopSteps, currentStep: step, nextTempo, nextPlayStartedAt, nextAt } = state;
  if (!state.isPlaying) {
    return {
      tempo,
      loopSteps,
      isPlaying: false,
      playStartedAt: 0,
      leadInEndsAt: 0,
      restStep: step,
      nextTempo: 0,
      nextPlayStartedAt: 0,
      nextAt: 0,
    };
  }
  return {
    tempo,
    loopSteps,
    isPlaying: true,
    playStartedAt: state.playStartedAt,
    leadInEndsAt: state.playStartedAt + step * stepMs(tempo),
    restStep: step,
    nextTempo,
    nextPlayStartedAt,
    nextAt,
  };
}

/** The step sounding at `serverTime` (the server's own `currentStep`); the resting step when stopped. */
export function stepAt(state: TransportState, serverTime: number): number {
  return currentStep(transportOf(state), serverTime);
}

/** The length of one step (a sixteenth note) at the state's tempo, ms. */
export function stepDurationMs(state: Pick<TransportState, "tempo">): number {
  return stepMs(state.tempo);
}

/**
 * Every step that starts in `[fromServerTime, untilServerTime)`, in order, at most `limit`: what a
 * lookahead scheduler hands to Web Audio. Empty when stopped. Consecutive windows
 * (`[a, b)`, then `[b, c)`) never return a step twice nor miss one. Steps of the lead-in (before the
 * start step of a `play`/`seek`) are never returned. A waiting tempo change is honoured: steps
 * before `nextAt` at the running tempo, the step at `nextAt` (exactly then) and those after it at
 * the new one, so no step of the new tempo comes early nor one of the old tempo late.
 */
export function upcomingSteps(state: TransportState, fromServerTime: number, untilServerTime: number, limit = 1024): ScheduledStep[] {
  if (!state.isPlaying || !(untilServerTime > fromServerTime)) return [];
  const { playStartedAt, loopSteps, nextAt } = state;
  const switchAt = nextAt !== 0 ? nextAt : Number.POSITIVE_INFINITY;
  const steps: ScheduledStep[] = [];
  const ms = stepMs(state.tempo);
  // One step early, then decided by the same `at` arithmetic every window uses (the server's own
  // for `nextAt`, so the running timeline's step there is exactly `nextAt` and left to the new one).
  const firstRunning = Math.max(state.currentStep, Math.ceil((fromServerTime - playStartedAt) / ms) - 1);
  pushSteps(
    steps,
    {
      anchor: playStartedAt,
      ms,
      tempo: state.tempo,
      first: firstRunning,
      from: fromServerTime,
      until: Math.min(untilServerTime, switchAt),
    },
    loopSteps,
    limit,
  );
  if (switchAt >= untilServerTime) return steps;
  const anchor = state.nextPlayStartedAt;
  const nextMs = stepMs(state.nextTempo);
  // The new timeline's step at the switch, to the step: its instant is `nextAt` itself.
  const atSwitch = Math.round((switchAt - anchor) / nextMs);
  const first = Math.max(atSwitch, Math.ceil((fromServerTime - anchor) / nextMs) - 1);
  const exact = { index: atSwitch, at: switchAt };
  pushSteps(
    steps,
    { anchor, ms: nextMs, tempo: state.nextTempo, first, exact, from: Math.max(fromServerTime, switchAt), until: untilServerTime },
    loopSteps,
    limit,
  );
  return steps;
}

/** One timeline's steps: step k at `anchor + k × ms` (one step's instant may be given exactly). */
interface Timeline {
  anchor: number;
  ms: number;
  tempo: number;
  /** The first step index to consider. */
  first: number;
  exact?: { index: number; at: number };
  /** Steps starting in [from, until) are pushed. */
  from: number;
  until: number;
}

function pushSteps(steps: ScheduledStep[], timeline: Timeline, loopSteps: number, limit: number): void {
  const { anchor, ms, tempo, exact, from, until } = timeline;
  for (let k = timeline.first; steps.length < limit; k++) {
    const at = k === exact?.index ? exact.at : anchor + k * ms;
    if (at >= until) break;
    if (at >= from) steps.push({ step: k % loopSteps, at, tempo });
  }
}

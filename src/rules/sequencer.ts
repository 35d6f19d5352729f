/**
 * The shared transport as plain data, and every change to it as a pure function.
 *
 * While playing, the position is never counted tick by tick: it is always
 *   currentStep = floor((now - playStartedAt) / stepMs) mod loopSteps,  stepMs = 60000 / tempo / 4
 * so it cannot drift however long the room plays. `play` (and `seek` while playing) start after a
 * lead-in so every client can schedule the start step for the same instant; until that instant the
 * position holds on the start step.
 */

export interface Transport {
  tempo: number;
  loopSteps: number;
  isPlaying: boolean;
  /** Server time (ms since epoch) at which step 0 of the running timeline falls; 0 when stopped. */
  playStartedAt: number;
  /** While playing: the instant the start step begins (the end of the lead-in). 0 when stopped. */
  leadInEndsAt: number;
  /** Stopped: the step the transport rests on. Playing: the step it started from. */
  restStep: number;
}

export function stepMs(tempo: number): number {
  return 60000 / tempo / 4;
}

export function stoppedTransport(tempo: number, loopSteps: number): Transport {
  return { tempo, loopSteps, isPlaying: false, playStartedAt: 0, leadInEndsAt: 0, restStep: 0 };
}

function wrap(step: number, loopSteps: number): number {
  return ((step % loopSteps) + loopSteps) % loopSteps;
}

/** The step the transport is on at server time `now`. */
export function currentStep(t: Transport, now: number): number {
  if (!t.isPlaying || now < t.leadInEndsAt) return t.restStep;
  return wrap(Math.floor((now - t.playStartedAt) / stepMs(t.tempo)), t.loopSteps);
}

/**
 * Starts the transport from `step` (default: where it is) so that step begins at `now + leadInMs`.
 * Playing already and no step asked for: nothing changes.
 */
export function play(t: Transport, now: number, leadInMs: number, step?: number): Transport {
  if (t.isPlaying && step === undefined) return t;
  const startStep = step ?? currentStep(t, now);
  const startsAt = now + leadInMs;
  return {
    ...t,
    isPlaying: true,
    playStartedAt: startsAt - startStep * stepMs(t.tempo),
    leadInEndsAt: startsAt,
    restStep: startStep,
  };
}

/** Stops and keeps the position. */
export function pause(t: Transport, now: number): Transport {
  if (!t.isPlaying) return t;
  return { ...t, isPlaying: false, playStartedAt: 0, leadInEndsAt: 0, restStep: currentStep(t, now) };
}

/** Stops and rewinds to step 0. */
export function stop(t: Transport): Transport {
  return { ...t, isPlaying: false, playStartedAt: 0, leadInEndsAt: 0, restStep: 0 };
}

/** Moves the position; while playing the new step starts after the lead-in, like `play`. */
export function seek(t: Transport, now: number, leadInMs: number, step: number): Transport {
  return t.isPlaying ? play(t, now, leadInMs, step) : { ...t, restStep: step };
}

/**
 * Changes the tempo. While playing, `playStartedAt` is re-anchored so the position at `now` stays
 * where it was (to the fraction of a step) and only the speed from here on changes; during the
 * lead-in the start step keeps its start instant.
 */
export function setTempo(t: Transport, now: number, tempo: number): Transport {
  if (!t.isPlaying) return { ...t, tempo };
  const newStepMs = stepMs(tempo);
  if (now < t.leadInEndsAt) {
    return { ...t, tempo, playStartedAt: t.leadInEndsAt - t.restStep * newStepMs };
  }
  // Position within the loop, fractional; reducing it keeps playStartedAt close to now.
  const position = (now - t.playStartedAt) / stepMs(t.tempo);
  const inLoop = position - Math.floor(position / t.loopSteps) * t.loopSteps;
  return { ...t, tempo, playStartedAt: now - inLoop * newStepMs };
}

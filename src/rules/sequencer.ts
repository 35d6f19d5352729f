/**
 * The shared transport as plain data, and every change to it as a pure function.
 *
 * While playing, the position is never counted tick by tick: it is always
 *   currentStep = floor((now - playStartedAt) / stepMs) mod loopSteps,  stepMs = 60000 / tempo / 4
 * so it cannot drift however long the room plays. `play` (and `seek` while playing) start after a
 * lead-in so every client can schedule the start step for the same instant; until that instant the
 * position holds on the start step.
 *
 * A tempo change while playing lands on a step: it waits (`next…`) for the first step boundary at
 * least the lead-in away, so every client, told of it before then, switches on the same step.
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
  /** A tempo change waiting for its step boundary: the tempo from `nextAt` on; 0 when none. */
  nextTempo: number;
  /** The `playStartedAt` that holds from `nextAt` on (the step count runs on without a jump); 0 when none. */
  nextPlayStartedAt: number;
  /** Server time (ms) at which the waiting change takes over; 0 when none. */
  nextAt: number;
}

const NO_CHANGE_WAITING = { nextTempo: 0, nextPlayStartedAt: 0, nextAt: 0 } as const;

export function stepMs(tempo: number): number {
  return 60000 / tempo / 4;
}

export function stoppedTransport(tempo: number, loopSteps: number): Transport {
  return { tempo, loopSteps, isPlaying: false, playStartedAt: 0, leadInEndsAt: 0, restStep: 0, ...NO_CHANGE_WAITING };
}

function wrap(step: number, loopSteps: number): number {
  return ((step % loopSteps) + loopSteps) % loopSteps;
}

/** A waiting tempo change whose instant has come is taken in: the transport as it runs at `now`. */
export function settle(t: Transport, now: number): Transport {
  if (t.nextAt === 0 || now < t.nextAt) return t;
  return { ...t, tempo: t.nextTempo, playStartedAt: t.nextPlayStartedAt, ...NO_CHANGE_WAITING };
}

/** The step the transport is on at server time `now`. */
export function currentStep(t: Transport, now: number): number {
  const running = settle(t, now);
  if (!running.isPlaying || now < running.leadInEndsAt) return running.restStep;
  return wrap(Math.floor((now - running.playStartedAt) / stepMs(running.tempo)), running.loopSteps);
}

/**
 * Starts the transport from `step` (default: where it is) so that step begins at `now + leadInMs`.
 * Playing already and no step asked for: nothing changes.
 */
export function play(t: Transport, now: number, leadInMs: number, step?: number): Transport {
  if (t.isPlaying && step === undefined) return t;
  const running = settle(t, now);
  const startStep = step ?? currentStep(running, now);
  const startsAt = now + leadInMs;
  return {
    ...running,
    ...NO_CHANGE_WAITING,
    isPlaying: true,
    playStartedAt: startsAt - startStep * stepMs(running.tempo),
    leadInEndsAt: startsAt,
    restStep: startStep,
  };
}

/** Stops and keeps the position; a waiting tempo change is dropped (the running tempo stays). */
export function pause(t: Transport, now: number): Transport {
  if (!t.isPlaying) return t;
  const running = settle(t, now);
  return { ...running, ...NO_CHANGE_WAITING, isPlaying: false, playStartedAt: 0, leadInEndsAt: 0, restStep: currentStep(running, now) };
}

/** Stops and rewinds to step 0; a waiting tempo change is dropped (the running tempo stays). */
export function stop(t: Transport, now: number): Transport {
  return { ...settle(t, now), ...NO_CHANGE_WAITING, isPlaying: false, playStartedAt: 0, leadInEndsAt: 0, restStep: 0 };
}

/** Moves the position; while playing the new step starts after the lead-in, like `play`. */
export function seek(t: Transport, now: number, leadInMs: number, step: number): Transport {
  return t.isPlaying ? play(t, now, leadInMs, step) : { ...t, restStep: step };
}

/**
 * Changes the tempo. Stopped, at once. Playing, at the first step boundary at least `leadInMs`
 * after `now` (never before the lead-in's start step): until then the running tempo holds and the
 * change waits in `next…`, anchored so the step count runs on without a jump; a change asked for
 * before then replaces the waiting one (asking for the running tempo just drops it).
 */
export function setTempo(t: Transport, now: number, tempo: number, leadInMs: number): Transport {
  if (!t.isPlaying) return { ...t, ...NO_CHANGE_WAITING, tempo };
  const running = { ...settle(t, now), ...NO_CHANGE_WAITING };
  if (tempo === running.tempo) return running;
  const ms = stepMs(running.tempo);
  const earliest = Math.max(now + leadInMs, running.leadInEndsAt);
  const boundary = Math.ceil((earliest - running.playStartedAt) / ms);
  const nextAt = running.playStartedAt + boundary * ms;
  // Anchored within the loop: the new timeline's step at `nextAt` is the same step of the loop.
  const nextPlayStartedAt = nextAt - wrap(boundary, running.loopSteps) * stepMs(tempo);
  return { ...running, nextTempo: tempo, nextPlayStartedAt, nextAt };
}

/**
 * Long work on big data (an hour's recording: half a million events) done in slices, so that the
 * event loop — which relays every room's notes on this process — is never held for long.
 *
 * The work is written as a generator that yields every so often and otherwise stays pure;
 * `finish` runs it at once (tests, small data), `inSlices` lets the event loop run whenever a
 * slice has taken `sliceMs`.
 */
import { setImmediate as nextTurn } from "node:timers/promises";

export type Sliced<T> = Generator<void, T, void>;

/** Long enough that slicing costs next to nothing, short next to a step of the sequencer (≥ 50 ms). */
export const SLICE_MS = 10;

/** How many loop rounds sliced work does between yields: cheap rounds, so checking the clock less often. */
export const ROUNDS_PER_YIELD = 1024;

export function finish<T>(work: Sliced<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

export async function inSlices<T>(work: Sliced<T>, sliceMs = SLICE_MS): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}

/** True every ROUNDS_PER_YIELD-th round: `if (timeToYield(i)) yield;` in a sliced loop. */
export function timeToYield(round: number): boolean {
  return round % ROUNDS_PER_YIELD === ROUNDS_PER_YIELD - 1;
}

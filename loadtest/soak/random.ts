/** The soak's random draws, all from one generator seeded by --seed. */
import { seededRandom } from "../../support/seededRandom";

let draw: () => number = Math.random;

/** Seeds every draw below for the rest of the run. */
export function seedRandom(seed: number): void {
  draw = seededRandom(seed);
}

/** A uniform draw in [0, 1). */
export const random = (): number => draw();
export const between = (min: number, max: number): number => min + random() * (max - min);
export const randomInt = (min: number, max: number): number => Math.floor(between(min, max + 1));
/** Exponentially distributed delay with the given mean (a Poisson process per client). */
export const expDelayMs = (meanS: number): number => -Math.log(1 - random()) * meanS * 1000;

/** The soak's random draws, all from one generator seeded by --seed. */

/** mulberry32: a seeded PRNG, so the mix of actions can be replayed (timing cannot). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let draw: () => number = Math.random;

/** Seeds every draw below for the rest of the run. */
export function seedRandom(seed: number): void {
  draw = prng(seed);
}

/** A uniform draw in [0, 1). */
export const random = (): number => draw();
export const between = (min: number, max: number): number => min + random() * (max - min);
export const randomInt = (min: number, max: number): number => Math.floor(between(min, max + 1));
/** Exponentially distributed delay with the given mean (a Poisson process per client). */
export const expDelayMs = (meanS: number): number => -Math.log(1 - random()) * meanS * 1000;

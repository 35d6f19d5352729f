/** The contract's fixed ranges. Defaults that deployments may change live in config/settings.ts. */
export const MIN_TEMPO = 20;
export const MAX_TEMPO = 300;
export const DEFAULT_TEMPO = 120;
export const MIN_PARTICIPANTS = 2;
export const MAX_PARTICIPANTS_LIMIT = 16;
/**
 * The most listeners `MAX_LISTENERS` may allow a room. Every listener is in the synced state and
 * gets every note: beyond this, one room's full state outgrows the shared encode buffer
 * (rooms/compactSerializer.ts) and its fan-out the relay's budget.
 */
export const MAX_LISTENERS_LIMIT = 200;
export const MIN_LOOP_STEPS = 4;
export const MAX_LOOP_STEPS = 64;
export const DEFAULT_LOOP_STEPS = 16;
export const DEFAULT_INSTRUMENT = "piano";
export const TRANSPORT_POLICIES = ["host", "everyone"] as const;
export type TransportPolicy = (typeof TRANSPORT_POLICIES)[number];
/** Recordings kept per jam: starting one more drops the oldest. */
export const MAX_RECORDINGS_PER_JAM = 20;

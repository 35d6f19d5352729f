/**
 * Saved jams neither opened nor changed for JAM_TTL_DAYS are deleted (their versions and
 * recordings with them, by the store's cascade), in batches so one sweep never holds the database
 * for long. With several processes, one sweeps at a time: whoever takes the sweep lock.
 */
import type { Presence } from "@colyseus/core";
import type { Logger } from "../logger";
import { claimsExpire } from "../rooms/roomCodes";
import type { JamStore } from "./jamStore";

export const DAY_MS = 86_400_000;
/** Jams deleted per statement. */
export const SWEEP_BATCH = 500;
/** How often each process tries to sweep (and once shortly after it starts). */
export const SWEEP_EVERY_MS = 60 * 60 * 1000;
const FIRST_SWEEP_AFTER_MS = 60 * 1000;

export interface ExpirySweepDeps {
  store: Pick<JamStore, "deleteUnusedBefore">;
  /** 0: jams never expire. */
  ttlDays: number;
  now: () => number;
  /** Resolves true when this process may sweep now (no other process is sweeping). */
  takeLock: () => Promise<boolean>;
  logger: Logger;
}

/** Deletes every expired jam, a batch at a time; resolves how many. */
export async function sweepExpiredJams(deps: ExpirySweepDeps): Promise<number> {
  if (deps.ttlDays <= 0 || !(await deps.takeLock())) return 0;
  const unusedSince = deps.now() - deps.ttlDays * DAY_MS;
  let deleted = 0;
  for (;;) {
    const batch = await deps.store.deleteUnusedBefore(unusedSince, SWEEP_BATCH);
    deleted += batch;
    if (batch < SWEEP_BATCH) break;
  }
  if (deleted > 0) deps.logger.info({ deleted, ttlDays: deps.ttlDays }, "expired jams deleted");
  return deleted;
}

/** Sweeps shortly after start and then every SWEEP_EVERY_MS; returns a function that stops it. */
export function scheduleExpirySweeps(deps: ExpirySweepDeps): () => void {
  const sweep = () =>
    void sweepExpiredJams(deps).catch((error: unknown) =>
      deps.logger.warn({ err: error }, "could not delete expired jams, trying again later"),
    );
  const first = setTimeout(sweep, FIRST_SWEEP_AFTER_MS);
  const every = setInterval(sweep, SWEEP_EVERY_MS);
  // Timers of housekeeping: they must not keep a stopping process alive.
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}

const SWEEP_LOCK_KEY = "jam:expiry-sweep";

/**
 * The expiry sweep's lock: with Redis, the first process to take it in a SWEEP_EVERY_MS window
 * sweeps (the key expires before the next window); in one process there is nobody to share with.
 */
export function sweepLock(presenceOf: () => Presence, windowS: number): () => Promise<boolean> {
  return async () => {
    const presence = presenceOf();
    if (!claimsExpire(presence)) return true;
    const taken = (await presence.incr(SWEEP_LOCK_KEY)) === 1;
    if (taken) await Promise.resolve(presence.expire(SWEEP_LOCK_KEY, Math.max(1, windowS - 60)));
    return taken;
  };
}

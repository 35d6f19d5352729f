import assert from "node:assert/strict";
import pino from "pino";
import { DAY_MS, SWEEP_BATCH, sweepExpiredJams, type ExpirySweepDeps } from "../../src/storage/expirySweep";

const NOW = 1_800_000_000_000;

/** A store whose jams were last used at the given times; deleteUnusedBefore behaves as the real ones do. */
function storeOf(lastUsed: number[]) {
  const calls: number[] = [];
  const store: ExpirySweepDeps["store"] = {
    async deleteUnusedBefore(time, limit) {
      const expired = lastUsed.filter((at) => at < time).slice(0, limit);
      for (const at of expired) lastUsed.splice(lastUsed.indexOf(at), 1);
      calls.push(expired.length);
      return expired.length;
    },
  };
  return { store, calls, left: lastUsed };
}

const deps = (store: ExpirySweepDeps["store"], overrides: Partial<ExpirySweepDeps> = {}): ExpirySweepDeps => ({
  store,
  ttlDays: 30,
  now: () => NOW,
  takeLock: async () => true,
  logger: pino({ level: "silent" }),
  ...overrides,
});

describe("storage > expiry sweep", () => {
  it("deletes the jams unused for longer than JAM_TTL_DAYS and keeps the others", async () => {
    const { store, left } = storeOf([NOW - 31 * DAY_MS, NOW - 29 * DAY_MS, NOW - 400 * DAY_MS, NOW]);
    assert.equal(await sweepExpiredJams(deps(store)), 2);
    assert.deepEqual(left, [NOW - 29 * DAY_MS, NOW]);
  });

  it("deletes in batches until a batch comes back short", async () => {
    const old = Array.from({ length: SWEEP_BATCH * 2 + 3 }, (_, i) => NOW - 100 * DAY_MS - i);
    const { store, calls } = storeOf(old);
    assert.equal(await sweepExpiredJams(deps(store)), SWEEP_BATCH * 2 + 3);
    assert.deepEqual(calls, [SWEEP_BATCH, SWEEP_BATCH, 3]);
  });

  it("deletes nothing with JAM_TTL_DAYS=0, or when another process holds the sweep", async () => {
    const { store, calls } = storeOf([NOW - 400 * DAY_MS]);
    assert.equal(await sweepExpiredJams(deps(store, { ttlDays: 0 })), 0);
    assert.equal(await sweepExpiredJams(deps(store, { takeLock: async () => false })), 0);
    assert.deepEqual(calls, []);
  });
});

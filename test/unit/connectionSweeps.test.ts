/**
 * The process's connection sweep: one timer, and only the rooms that may need sweeping. A room is
 * swept from the moment it is watched until a sweep finds nothing to watch in it.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { ConnectionSweeps, type Sweep } from "../../src/rooms/connectionGuard";

const EVERY_MS = 10;

/** A room's sweep that counts its calls and reports `watching` as a test sets it. */
function countingSweep(): { sweep: Sweep; calls: () => number; setWatching: (on: boolean) => void } {
  let calls = 0;
  let watching = true;
  return {
    sweep: {
      sweepConnections: () => {
        calls++;
        return watching;
      },
    },
    calls: () => calls,
    setWatching: (on) => {
      watching = on;
    },
  };
}

describe("ConnectionSweeps", () => {
  it("sweeps a watched room every round until a sweep finds nothing to watch, then leaves it alone", async () => {
    const sweeps = new ConnectionSweeps(EVERY_MS);
    const room = countingSweep();
    sweeps.watch(room.sweep);
    sweeps.watch(room.sweep); // watched already: nothing more
    await delay(5 * EVERY_MS);
    assert.ok(room.calls() >= 2, `${room.calls()} sweeps`);

    room.setWatching(false);
    await delay(3 * EVERY_MS);
    const settled = room.calls();
    assert.deepEqual(sweeps.stats, { rooms: 0, timers: 0 }, "no timer runs for rooms with nothing to watch");
    await delay(3 * EVERY_MS);
    assert.equal(room.calls(), settled);
  });

  it("sweeps a room again once something is sent or reserved in it (it is watched again)", async () => {
    const sweeps = new ConnectionSweeps(EVERY_MS);
    const room = countingSweep();
    room.setWatching(false);
    sweeps.watch(room.sweep);
    await delay(3 * EVERY_MS);
    assert.equal(room.calls(), 1, "one sweep, nothing found");
    sweeps.watch(room.sweep);
    await delay(3 * EVERY_MS);
    assert.equal(room.calls(), 2);
    assert.deepEqual(sweeps.stats, { rooms: 0, timers: 0 });
  });

  it("forgets a disposed room at once and stops its timer with the last one", async () => {
    const sweeps = new ConnectionSweeps(EVERY_MS);
    const [a, b] = [countingSweep(), countingSweep()];
    sweeps.watch(a.sweep);
    sweeps.watch(b.sweep);
    assert.deepEqual(sweeps.stats, { rooms: 2, timers: 1 });
    sweeps.forget(a.sweep);
    assert.deepEqual(sweeps.stats, { rooms: 1, timers: 1 });
    sweeps.forget(b.sweep);
    assert.deepEqual(sweeps.stats, { rooms: 0, timers: 0 });
    await delay(3 * EVERY_MS);
    assert.equal(a.calls() + b.calls(), 0);
  });
});

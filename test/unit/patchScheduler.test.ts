/**
 * The process's patch scheduler: rooms of one interval share one timer, each is patched once per
 * interval, and nothing keeps running once no room is left.
 */
import assert from "node:assert/strict";
import { PatchScheduler } from "../../src/rooms/patchScheduler";

/** A room that counts its patches and resolves when it has had `n`. */
class CountingRoom {
  patches = 0;
  private waiting: { n: number; resolve: () => void } | undefined;
  broadcastPatch(): boolean {
    this.patches++;
    if (this.waiting !== undefined && this.patches >= this.waiting.n) this.waiting.resolve();
    return false;
  }
  hasHad(n: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = { n, resolve };
    });
  }
}

describe("PatchScheduler", () => {
  it("patches every room of an interval once per interval, from one timer", async () => {
    const scheduler = new PatchScheduler();
    const rooms = Array.from({ length: 25 }, () => new CountingRoom());
    for (const room of rooms) scheduler.add(room, 20);
    assert.deepEqual(scheduler.stats, { rooms: 25, timers: 1 });
    const [first] = rooms;
    assert.ok(first !== undefined);
    await first.hasHad(5);
    for (const room of rooms) scheduler.remove(room);
    // Each room's slot comes round once per interval: none is more than one patch from another.
    for (const room of rooms) assert.ok(Math.abs(room.patches - 5) <= 1, `${room.patches} patches`);
    assert.deepEqual(scheduler.stats, { rooms: 0, timers: 0 });
  });

  it("keeps a timer per interval, and moves a room to its new interval", async () => {
    const scheduler = new PatchScheduler();
    const [fast, slow] = [new CountingRoom(), new CountingRoom()];
    scheduler.add(fast, 10);
    scheduler.add(slow, 10);
    scheduler.add(slow, 600_000);
    assert.deepEqual(scheduler.stats, { rooms: 2, timers: 2 });
    await fast.hasHad(4);
    assert.equal(slow.patches, 0, "its 10-minute interval has not come round");
    scheduler.remove(fast);
    scheduler.remove(slow);
    assert.deepEqual(scheduler.stats, { rooms: 0, timers: 0 });
  });
});

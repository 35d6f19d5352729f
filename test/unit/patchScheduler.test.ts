/**
 * The process's patch scheduler: rooms of one interval share one timer, each is visited once per
 * interval while it has something to do, a quiet one is passed by until it is due or woken (and
 * then visited at its own slot's turn), and nothing keeps running once no room is left.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { PatchScheduler } from "../../src/rooms/patchScheduler";

/** A room that counts its visits, resolves when it has had `n`, and says when it needs the next. */
class CountingRoom {
  patches = 0;
  /** What nextVisitAt answers: busy (-Infinity) unless a test says otherwise. */
  next: () => number = () => Number.NEGATIVE_INFINITY;
  onVisit: () => void = () => undefined;
  private waiting: { n: number; resolve: () => void } | undefined;
  broadcastPatch(): boolean {
    this.patches++;
    this.onVisit();
    if (this.waiting !== undefined && this.patches >= this.waiting.n) this.waiting.resolve();
    return false;
  }
  nextVisitAt(): number {
    return this.next();
  }
  hasHad(n: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = { n, resolve };
    });
  }
}

const quiet = (): CountingRoom => {
  const room = new CountingRoom();
  room.next = () => Number.POSITIVE_INFINITY;
  return room;
};

describe("PatchScheduler", () => {
  it("patches every busy room of an interval once per interval, from one timer", async () => {
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

  it("parks a room that needs nothing after its visit, and visits it again only when woken", async () => {
    const scheduler = new PatchScheduler();
    const [idle, busy] = [quiet(), new CountingRoom()];
    scheduler.add(idle, 10);
    scheduler.add(busy, 10);
    await busy.hasHad(10);
    assert.equal(idle.patches, 1, "one visit, then passed by");
    assert.equal(scheduler.parked, 1);

    const woken = idle.hasHad(2);
    scheduler.wake(idle);
    scheduler.wake(idle); // a second wake before the visit changes nothing
    await woken;
    await busy.hasHad(busy.patches + 5);
    assert.equal(idle.patches, 2, "one visit per wake");
    assert.equal(scheduler.parked, 1);
    scheduler.remove(idle);
    scheduler.remove(busy);
  });

  it("visits a room again at its first turn once the time it gave has come, not before", async () => {
    const scheduler = new PatchScheduler();
    const room = new CountingRoom();
    const dueAt = Date.now() + 80;
    let secondVisitAt = 0;
    room.next = () => (room.patches === 1 ? dueAt : Number.POSITIVE_INFINITY);
    room.onVisit = () => {
      if (room.patches === 2) secondVisitAt = Date.now();
    };
    scheduler.add(room, 10);
    await room.hasHad(2);
    assert.ok(secondVisitAt >= dueAt, `visited ${dueAt - secondVisitAt} ms early`);
    // Timers are late under load: a generous bound, still far under "not until woken".
    assert.ok(secondVisitAt - dueAt < 60, `visited ${secondVisitAt - dueAt} ms late`);
    await delay(50);
    assert.equal(room.patches, 2, "parked again after it");
    scheduler.remove(room);
  });

  it("brings a woken room back in its own slot, so its phase and interval stay", async () => {
    const scheduler = new PatchScheduler();
    // Ten slots: the eleventh room shares the first one's slot, and so its turns.
    const rooms = Array.from({ length: 10 }, () => new CountingRoom());
    const [slotMate] = rooms;
    assert.ok(slotMate !== undefined);
    for (const room of rooms) scheduler.add(room, 100);
    const idle = quiet();
    scheduler.add(idle, 100);
    await idle.hasHad(1);
    await slotMate.hasHad(slotMate.patches + 2);

    // A turn visits its rooms in one synchronous run: "the slot-mate was just visited" lasts until
    // the next microtask.
    let slotMateJustVisited = false;
    slotMate.onVisit = () => {
      slotMateJustVisited = true;
      queueMicrotask(() => (slotMateJustVisited = false));
    };
    let inSlotMatesTurn: boolean | undefined;
    idle.onVisit = () => (inSlotMatesTurn = slotMateJustVisited);
    const woken = idle.hasHad(2);
    scheduler.wake(idle);
    await woken;
    assert.equal(inSlotMatesTurn, true, "visited in the turn that visits its slot-mate");
    for (const room of [...rooms, idle]) scheduler.remove(room);
  });

  it("sets no timer while every room is parked with nothing due, and one again when a room wakes", async () => {
    const scheduler = new PatchScheduler();
    const room = quiet();
    scheduler.add(room, 10);
    assert.deepEqual(scheduler.stats, { rooms: 1, timers: 1 });
    await room.hasHad(1);
    assert.deepEqual(scheduler.stats, { rooms: 1, timers: 0 });
    const woken = room.hasHad(2);
    scheduler.wake(room);
    assert.deepEqual(scheduler.stats, { rooms: 1, timers: 1 });
    await woken;
    assert.deepEqual(scheduler.stats, { rooms: 1, timers: 0 });
    scheduler.remove(room);
    assert.deepEqual(scheduler.stats, { rooms: 0, timers: 0 });
  });

  it("keeps visiting a room while it has something to do, then parks it", async () => {
    const scheduler = new PatchScheduler();
    const room = new CountingRoom();
    room.next = () => (room.patches < 4 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
    scheduler.add(room, 10);
    await room.hasHad(4);
    await delay(60);
    assert.equal(room.patches, 4);
    assert.equal(scheduler.parked, 1);
    scheduler.remove(room);
  });

  it("lets a room leave during its own visit, and leaves nothing behind", async () => {
    const scheduler = new PatchScheduler();
    const [leaving, parked, busy] = [quiet(), quiet(), new CountingRoom()];
    leaving.onVisit = () => scheduler.remove(leaving);
    for (const room of [leaving, parked, busy]) scheduler.add(room, 10);
    await busy.hasHad(3);
    assert.equal(leaving.patches, 1);
    assert.deepEqual(scheduler.stats, { rooms: 2, timers: 1 });
    scheduler.remove(parked);
    scheduler.remove(busy);
    assert.deepEqual(scheduler.stats, { rooms: 0, timers: 0 });
    assert.equal(scheduler.parked, 0);
    scheduler.wake(parked); // a wake after removal brings nothing back
    assert.deepEqual(scheduler.stats, { rooms: 0, timers: 0 });
  });
});

/**
 * One timer for every room's state patches instead of one per room, and no visit at all to a room
 * with nothing to do. Colyseus gives each room its own setInterval; 500 idle rooms at 20 patches a
 * second woke the process 10,000 times a second, which cost 16 × what a plain ws server spends
 * idle. Here rooms of the same patch interval share one timer and a grid of turns, SLOTS per
 * interval, each visiting one slot's rooms: every room keeps its interval, and a process of busy
 * rooms still spreads their patches over the interval rather than encoding them all in one turn.
 *
 * A visit is Colyseus' broadcastPatch (onBeforePatch, the room's clock, the patch, after-patch
 * messages). After each visit the room says when it next needs one (`nextVisitAt`): at its next
 * turn, at a time (its next clock timer), or not until something happens. A room that needs none
 * now is parked in its slot: its turns pass it by until that time comes or `wake` is called
 * (a state change, a new timer, a queued message), and it is then visited at its slot's next turn,
 * so its phase and interval stay what they were and no patch or timer comes later than it would.
 * The timer itself is only set for the next turn that has work: even waking the process 200 times
 * a second to find every room parked cost idle rooms 2 % of a core.
 */

/** What the scheduler visits: a Colyseus room (ColyseusRoom.ts). */
export interface Patchable {
  /** Colyseus' Room.broadcastPatch: it also ticks the room's clock. */
  broadcastPatch(): boolean;
  /**
   * Asked after each visit: when (Date.now() ms) the room next needs one. At or before now: at its
   * next turn; later: at its first turn from then on; Infinity: not until it is woken.
   */
  nextVisitAt(): number;
}

const SLOTS = 10;
/** setTimeout's longest delay; a longer wait just re-arms when it fires. */
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

/** The rooms one turn visits: those awake, and those parked until a time or a wake. */
class Slot {
  readonly awake = new Set<Patchable>();

  /** `index`: the slot's place in its group, which turns are its (turn % SLOTS). */
  constructor(readonly index: number) {}

  /** Parked rooms, each with the time its next visit is due (Infinity: only when woken). */
  private readonly parked = new Map<Patchable, number>();
  /** No parked room is due before this (Date.now() ms), so a turn need not look at them until then. */
  private earliest = Number.POSITIVE_INFINITY;

  get size(): number {
    return this.awake.size + this.parked.size;
  }

  get parkedCount(): number {
    return this.parked.size;
  }

  /** When this slot next has work (Date.now() ms): -Infinity with a room awake, Infinity with none due. */
  get dueAt(): number {
    return this.awake.size > 0 ? Number.NEGATIVE_INFINITY : this.earliest;
  }

  /** Whether the room was in this slot. `earliest` may stay early: the next scan corrects it. */
  delete(room: Patchable): boolean {
    return this.awake.delete(room) || this.parked.delete(room);
  }

  /** Whether the room was parked here (and is awake now). */
  wake(room: Patchable): boolean {
    if (!this.parked.delete(room)) return false;
    this.awake.add(room);
    return true;
  }

  turn(now: number): void {
    if (this.earliest <= now) this.wakeDue(now);
    // A room woken by another's visit joins this loop (a Set visits what is added while it runs).
    for (const room of this.awake) {
      // A room's broadcastPatch handles its own failures (ColyseusRoom closes a room it cannot encode).
      room.broadcastPatch();
      // Gone during its visit (disposed, or its patch rate changed): not this slot's any more.
      if (!this.awake.has(room)) continue;
      const at = room.nextVisitAt();
      if (at > now) this.park(room, at);
    }
  }

  private park(room: Patchable, at: number): void {
    this.awake.delete(room);
    this.parked.set(room, at);
    if (at < this.earliest) this.earliest = at;
  }

  private wakeDue(now: number): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [room, at] of this.parked) {
      if (at <= now) this.wake(room);
      else if (at < earliest) earliest = at;
    }
    this.earliest = earliest;
  }
}

/**
 * The rooms of one patch interval. Turn k falls at `origin + k * step` on the monotonic clock and
 * visits slot k % SLOTS; turns with nothing to do are skipped, not run.
 */
class IntervalGroup {
  private readonly slots: Slot[] = Array.from({ length: SLOTS }, (_, index) => new Slot(index));
  private readonly origin = performance.now();
  private readonly step: number;
  private nextSlot = 0;
  /** The last turn run; turns up to it never run again. */
  private lastTurn = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerTurn = Number.POSITIVE_INFINITY;

  constructor(intervalMs: number) {
    this.step = intervalMs / SLOTS;
  }

  get size(): number {
    return this.slots.reduce((sum, slot) => sum + slot.size, 0);
  }

  get parked(): number {
    return this.slots.reduce((sum, slot) => sum + slot.parkedCount, 0);
  }

  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** New rooms start awake, in the slots in turn. */
  add(room: Patchable): Slot {
    const slot = this.slots[this.nextSlot++ % SLOTS];
    if (slot === undefined) throw new Error("a patch slot out of range");
    slot.awake.add(room);
    this.arm();
    return slot;
  }

  wake(slot: Slot, room: Patchable): void {
    if (slot.wake(room)) this.arm();
  }

  /** The Date.now() time of the slot's latest turn on the grid, whether it ran or was skipped. */
  lastTurnOf(slot: Slot): number {
    const now = performance.now();
    const current = Math.floor((now - this.origin) / this.step);
    const turn = current - mod(current - slot.index, SLOTS);
    return Date.now() - (now - (this.origin + turn * this.step));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerTurn = Number.POSITIVE_INFINITY;
  }

  /** Sets the timer for the first turn that has work, unless it is set for that turn or an earlier one. */
  private arm(): void {
    const turn = this.nextTurnWithWork();
    if (turn === undefined || turn >= this.timerTurn) return;
    clearTimeout(this.timer);
    this.timerTurn = turn;
    const delay = Math.min(LONGEST_TIMEOUT_MS, Math.max(0, Math.ceil(this.origin + turn * this.step - performance.now())));
    this.timer = setTimeout(() => this.fire(), delay);
  }

  private nextTurnWithWork(): number | undefined {
    const nowMono = performance.now();
    const nowWall = Date.now();
    const from = Math.max(this.lastTurn + 1, Math.ceil((nowMono - this.origin) / this.step));
    let next = Number.POSITIVE_INFINITY;
    for (const slot of this.slots) {
      const due = slot.dueAt;
      if (due === Number.POSITIVE_INFINITY) continue;
      // The first turn at or after `from` (and after `due`, for a parked room) that is this slot's.
      let turn = due <= nowWall ? from : Math.max(from, Math.ceil((nowMono + due - nowWall - this.origin) / this.step));
      turn += mod(slot.index - turn, SLOTS);
      if (turn < next) next = turn;
    }
    return next === Number.POSITIVE_INFINITY ? undefined : next;
  }

  /**
   * Runs the turn the timer was set for and, when it fires late, those after it that are due, each
   * slot at most once. Turns before it had nothing to do when it was set; whatever came to them
   * since set the timer for a later turn of its own slot.
   */
  private fire(): void {
    const first = Math.max(this.timerTurn, this.lastTurn + 1);
    this.timer = undefined;
    this.timerTurn = Number.POSITIVE_INFINITY;
    const current = Math.floor((performance.now() - this.origin) / this.step);
    for (let turn = Math.max(first, current - SLOTS + 1); turn <= current; turn++) {
      this.lastTurn = turn;
      this.slots[turn % SLOTS]?.turn(Date.now());
    }
    this.arm();
  }
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

export class PatchScheduler {
  private readonly groups = new Map<number, IntervalGroup>();
  private readonly entries = new Map<Patchable, { group: IntervalGroup; intervalMs: number; slot: Slot }>();

  /** Patches `room` every `intervalMs` from now on (replacing any interval it had). */
  add(room: Patchable, intervalMs: number): void {
    this.remove(room);
    let group = this.groups.get(intervalMs);
    if (group === undefined) {
      group = new IntervalGroup(intervalMs);
      this.groups.set(intervalMs, group);
    }
    this.entries.set(room, { group, intervalMs, slot: group.add(room) });
  }

  /** Stops patching `room`; a group left empty stops its timer. */
  remove(room: Patchable): void {
    const entry = this.entries.get(room);
    if (entry === undefined) return;
    this.entries.delete(room);
    entry.slot.delete(room);
    if (entry.group.size === 0) {
      entry.group.stop();
      this.groups.delete(entry.intervalMs);
    }
  }

  /** Something may need a patch: a parked room is visited at its slot's next turn. Cheap when awake. */
  wake(room: Patchable): void {
    const entry = this.entries.get(room);
    entry?.group.wake(entry.slot, room);
  }

  /**
   * When (Date.now() ms) the room's slot last came round on its grid, run or skipped: the last
   * clock tick the room would have had if it were visited every turn. -Infinity when not scheduled.
   */
  lastTurn(room: Patchable): number {
    const entry = this.entries.get(room);
    return entry === undefined ? Number.NEGATIVE_INFINITY : entry.group.lastTurnOf(entry.slot);
  }

  /** Rooms patched now, and the timers set for them (none while every room is parked, nothing due). */
  get stats(): { rooms: number; timers: number } {
    let timers = 0;
    for (const group of this.groups.values()) if (group.armed) timers++;
    return { rooms: this.entries.size, timers };
  }

  /** Rooms with nothing to do now, passed by until they are due or woken. */
  get parked(): number {
    let parked = 0;
    for (const group of this.groups.values()) parked += group.parked;
    return parked;
  }
}

/** One per process. */
export const roomPatches = new PatchScheduler();

/**
 * The Colyseus 0.16 workarounds that hand a room's patches to the process's patch scheduler
 * (patchScheduler.ts): the room's patch tick comes from the scheduler, at the interval Colyseus
 * would have used, and only when the room has something to do. ColyseusRoom.ts builds on it.
 */
import { Room, SchemaSerializer, type Serializer } from "@colyseus/core";
import type { Schema } from "@colyseus/schema";
import { CompactSchemaSerializer } from "./compactSerializer";
import { roomPatches } from "./patchScheduler";
import { type ClockListener, RoomClock, type TimerMethod, catchUp, nextTimerDue } from "./roomClock";

export abstract class ScheduledRoom<S extends Schema, Metadata, AuthData>
  extends Room<S, Metadata, unknown, AuthData>
  implements ClockListener
{
  constructor() {
    super();
    this.clock = new RoomClock(this);
  }

  /** A timer's callback threw (the clock caught it): the room reports it. */
  abstract timerFailed(error: unknown, method: TimerMethod): void;

  /**
   * Colyseus patches each room from a timer of its own, started in __init: the room is handed to
   * the process's PatchScheduler instead (one timer for all rooms; patchScheduler.ts), at the
   * interval Colyseus would have used. Colyseus' own interval stays off (its patchRate reads 0).
   * The scheduler passes the room by while it has nothing to do (`nextVisitAt`); whatever gives it
   * something to do wakes it: a state change (the serializer, `setSerializer`), a clock timer
   * added, a message queued for after the next patch.
   */
  protected override __init(): void {
    super.__init();
    this.wakeOnQueuedMessages();
    this.setPatchRate(this.patchRate);
  }

  /** A timer is about to be added to the room's clock: the clock is brought up to its last turn (roomClock.ts). */
  timerAdding(): void {
    catchUp(this.clock, roomPatches.lastTurn(this));
  }

  /** A timer was added: the scheduler is told, as it may be due before the room's next visit. */
  timerAdded(): void {
    roomPatches.wake(this);
  }

  /** The room's patch interval in ms (null or 0: no patches, and so no clock ticks). */
  override setPatchRate(milliseconds: number | null): void {
    this.patchRate = 0;
    if (milliseconds === null || milliseconds === 0) roomPatches.remove(this);
    else roomPatches.add(this, milliseconds);
  }

  /**
   * The scheduler's one question, after each visit: when does this room next need a patch tick?
   * At the next turn while onBeforePatch has work every tick, the state has changes to send, or
   * messages wait for the next patch; otherwise when its earliest clock timer is due (timers only
   * run in a patch tick); never, with no timer, until something wakes it.
   */
  nextVisitAt(): number {
    if (this.needsEveryPatch() || this.hasChangesToSend() || this.internals._afterNextPatchQueue.length > 0)
      return Number.NEGATIVE_INFINITY;
    return nextTimerDue(this.clock);
  }

  /** Whether onBeforePatch computes state from time now, and so must run every patch interval. */
  protected needsEveryPatch(): boolean {
    return false;
  }

  protected override _dispose(): Promise<unknown> {
    roomPatches.remove(this);
    return super._dispose();
  }

  /**
   * Assigning `state` makes Colyseus install a stock SchemaSerializer: use the compact one instead,
   * which wakes the room whenever the state changes, from anywhere.
   */
  override setSerializer(serializer: Serializer<S>): void {
    const stock = serializer instanceof SchemaSerializer && !(serializer instanceof CompactSchemaSerializer);
    super.setSerializer(stock ? new CompactSchemaSerializer<S>(() => roomPatches.wake(this)) : serializer);
  }

  /**
   * Whether the state has changes a patch would send: none without a state (Colyseus' "none"
   * serializer), always with a serializer this room cannot see into.
   */
  private hasChangesToSend(): boolean {
    const serializer = this.internals._serializer;
    return serializer instanceof CompactSchemaSerializer ? serializer.hasChanges : serializer.id !== "none";
  }

  /**
   * Colyseus queues messages sent with `afterNextPatch` (room broadcasts and `client.send` alike)
   * in one array it never announces: pushing onto it wakes the room, or they would wait for
   * whatever woke it next.
   */
  private wakeOnQueuedMessages(): void {
    const queue = this.internals._afterNextPatchQueue;
    const push = queue.push;
    queue.push = (...items: unknown[]): number => {
      const length = push.apply(queue, items);
      roomPatches.wake(this);
      return length;
    };
  }

  /**
   * The private fields of Colyseus 0.16's Room this room reads: its serializer, and the queue of
   * messages sent for after the next patch.
   */
  private get internals(): { readonly _serializer: Serializer<S>; readonly _afterNextPatchQueue: unknown[] } {
    return this as unknown as { _serializer: Serializer<S>; _afterNextPatchQueue: unknown[] };
  }
}

/**
 * Every Colyseus 0.16 workaround a room needs, so that the jam room holds only the jam. Each one
 * says what it works around; on a later Colyseus, check each against the framework and delete it.
 */
import {
  Deferred,
  Protocol,
  Room,
  SchemaSerializer,
  type Client,
  type ClientPrivate,
  type RoomException,
  type Serializer,
} from "@colyseus/core";
import type { Schema } from "@colyseus/schema";
import type { Logger } from "../logger";
import { CloseCode } from "../protocol/codes";
import { JoinRefused } from "../protocol/errors";
import { isPlausibleMsgpack } from "../protocol/frameGuard";
import type { ConnectionLimits, ConnectionVerdict } from "../rules/connectionLimits";
import { CompactSchemaSerializer } from "./compactSerializer";
import { ConnectionGuard, connectionSweeps, cutOff } from "./connectionGuard";
import { roomPatches } from "./patchScheduler";
import { catchUp, nextTimerDue, onTimerAdded } from "./roomClock";

/** Read once: @colyseus/core's exports are getters, and every message a client sends is checked against it. */
const ROOM_DATA = Protocol.ROOM_DATA;

/**
 * Colyseus counts unused seat reservations toward `maxClients` and then answers every join with
 * "locked": anyone with the code could lock the room with reservations they never use. The limit
 * is kept out of reach; rooms refuse "full" themselves, and per-address limits bound reservations.
 */
const UNBOUNDED_SEATS = 1_000_000_000;

/** A type Colyseus routes to an internal fallback instead of the wildcard handler. */
const NO_HANDLER_TYPE = "__no_message_handler";

export abstract class ColyseusRoom<S extends Schema, Metadata, AuthData> extends Room<S, Metadata, unknown, AuthData> {
  /** Where the base room's own lines go (the room's logger once it has a code). */
  protected abstract get logger(): Logger;

  /** A frame was closed before decoding (4002): for the room's metrics. */
  protected abstract onMalformedFrame(client: Client): void;

  /** A connection is about to be cut off for holding too much or never finishing its join. */
  protected abstract onCutOff(client: Client, verdict: Exclude<ConnectionVerdict, "ok">): void;

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
    onTimerAdded(
      this.clock,
      () => catchUp(this.clock, roomPatches.lastTurn(this)),
      () => roomPatches.wake(this),
    );
    this.wakeOnQueuedMessages();
    this.setPatchRate(this.patchRate);
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
    if (this.needsEveryPatch() || this.hasChangesToSend() || this.afterPatchQueue.length > 0) return Number.NEGATIVE_INFINITY;
    return nextTimerDue(this.clock);
  }

  /** Whether onBeforePatch computes state from time now, and so must run every patch interval. */
  protected needsEveryPatch(): boolean {
    return false;
  }

  protected override _dispose(): Promise<unknown> {
    roomPatches.remove(this);
    if (this.guard !== undefined) connectionSweeps.forget(this);
    return super._dispose();
  }

  // Colyseus' __init redefines four of a room's properties as accessors of its own, which turns every
  // room into a dictionary of its properties: its table doubles (1.5 → 3 KiB) past 42 of them, so
  // rooms keep few fields of their own (closures and per-room handler tables are kept off them too).

  /** Pending `holdSeat` reconnections, so a kick can end one at once; made by the first one. */
  private holds: Map<string, Deferred<Client>> | undefined;
  /** Set once the room's connections are limited: from then on the room is swept (`sweepConnections`). */
  private guard: ConnectionGuard | undefined;

  /**
   * Colyseus starts the patch interval before onCreate and never disposes a room whose onCreate
   * failed: the interval is stopped and auto-dispose takes the room away now rather than in 15 s.
   */
  protected guardCreate(created: Promise<void>): Promise<void> {
    created.catch(() => {
      this.setPatchRate(0);
      this.resetAutoDisposeTimeout(0);
    });
    return created;
  }

  /** Seats, join deadlines and send buffers as the connection limits say; call once from onCreate. */
  protected limitConnections(limits: ConnectionLimits): void {
    this.maxClients = UNBOUNDED_SEATS;
    this.setSeatReservationTime(limits.joinDeadlineMs / 1000);
    this.guard = new ConnectionGuard(limits);
    this.watchConnections();
  }

  /**
   * Every message to one listener, known type or not (an unknown type would otherwise close the
   * connection with 4002): one wildcard handler a room instead of one per type, which Colyseus
   * stores and wraps for each room. Colyseus calls the wildcard with (client, type, payload) for
   * every type without a handler of its own, but with (client, payload) for a message whose type is
   * literally "*"; a type named `__no_message_handler` reaches an internal fallback instead.
   */
  protected onEveryMessage(listener: (client: Client, type: string, payload: unknown) => void): void {
    this.onMessage("*", (client: Client, ...rest: unknown[]) =>
      rest.length >= 2 ? listener(client, String(rest[0]), rest[1]) : listener(client, "*", rest[0]),
    );
    this.onMessage(NO_HANDLER_TYPE, (client, payload: unknown) => listener(client, NO_HANDLER_TYPE, payload));
  }

  /**
   * Keeps a dropped client's seat for `seconds`; resolves whether it came back. allowReconnection
   * is called before any await, as Colyseus 0.16 needs; its grace timer, which Colyseus clears only
   * on a successful reconnection, is cleared here too, or it would outlive a kick or the room.
   */
  protected async holdSeat(client: Client, seconds: number): Promise<boolean> {
    const id = client.sessionId;
    const reconnection = this.allowReconnection(client, seconds);
    const graceTimer = this.reservedSeatTimeouts[id];
    this.holds ??= new Map();
    this.holds.set(id, reconnection);
    // A Deferred on success; a plain rejected promise when the client had not finished joining.
    const reconnected = await Promise.resolve(reconnection).then(
      () => true,
      () => false,
    );
    clearTimeout(graceTimer);
    this.holds?.delete(id);
    return reconnected;
  }

  /** Ends a held seat now; the `holdSeat` waiting on it resolves false. */
  protected releaseSeat(id: string): void {
    const pending = this.holds?.get(id);
    if (pending instanceof Deferred) pending.reject(new Error("reconnection cancelled"));
  }

  /**
   * Checks a frame's structure before Colyseus decodes it: a frame of nested oversized msgpack
   * headers would otherwise stall the whole process while the decoder allocates for it. Such a
   * frame is closed with 4002, as Colyseus closes any frame it cannot decode. Any message may be
   * relayed or answered: the connections are swept from now on.
   */
  protected override _onMessage(client: Client & ClientPrivate, buffer: Buffer): void {
    this.watchConnections();
    if (buffer[0] === ROOM_DATA && !isPlausibleMsgpack(buffer, 1)) {
      this.onMalformedFrame(client);
      client.leave(CloseCode.MALFORMED_FRAME, "malformed message");
      return;
    }
    super._onMessage(client, buffer);
  }

  /** Records when each seat was reserved: the join deadline counts from then, swept from now on. */
  protected override _reserveSeat(
    sessionId: string,
    joinOptions?: unknown,
    authData?: unknown,
    seconds?: number,
    allowReconnection?: boolean,
    devMode?: boolean,
  ): Promise<boolean> {
    if (allowReconnection !== true) this.guard?.seatReserved(sessionId);
    this.watchConnections();
    return super._reserveSeat(sessionId, joinOptions, authData, seconds, allowReconnection, devMode);
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
    const serializer = (this as unknown as { _serializer: Serializer<S> })._serializer;
    return serializer instanceof CompactSchemaSerializer ? serializer.hasChanges : serializer.id !== "none";
  }

  /**
   * A patch that cannot be encoded throws from Colyseus' patch timer, outside onUncaughtException,
   * and would end the process: close this one room instead.
   */
  override broadcastPatch(): boolean {
    // A patch tick may send (the patch, timers' messages, after-patch messages).
    this.watchConnections();
    try {
      return super.broadcastPatch();
    } catch (error) {
      this.logger.error({ err: error, clients: this.clients.length }, "state could not be encoded, closing the room");
      this.setPatchRate(0);
      void this.disconnect(CloseCode.ROOM_FAILED);
      return false;
    }
  }

  /** Without this, Colyseus 0.16 ends the whole process when any handler throws. */
  override onUncaughtException(error: RoomException<this>, methodName: string): void {
    const cause: unknown = error.cause ?? error;
    if (cause instanceof JoinRefused) {
      this.logger.info({ code: cause.code, reason: cause.message }, "join refused");
      return;
    }
    this.logger.error({ err: cause, methodName }, "room handler failed");
  }

  /** Whatever may send to a connection or reserve a seat has the connections swept from now on. */
  private watchConnections(): void {
    if (this.guard !== undefined) connectionSweeps.watch(this);
  }

  /**
   * Called from the process's sweep timer, outside Colyseus' handler wrappers: failures stay here.
   * Whether the room still needs watching.
   */
  sweepConnections(): boolean {
    if (this.guard === undefined) return false;
    try {
      const { condemned, watching } = this.guard.check(this.clients);
      for (const [client, verdict] of condemned) {
        this.onCutOff(client, verdict);
        cutOff(client);
      }
      return watching;
    } catch (error) {
      this.logger.error({ err: error }, "connection sweep failed");
      return true;
    }
  }

  /**
   * Colyseus queues messages sent with `afterNextPatch` (room broadcasts and `client.send` alike)
   * in one array it never announces: pushing onto it wakes the room, or they would wait for
   * whatever woke it next.
   */
  private wakeOnQueuedMessages(): void {
    const queue = this.afterPatchQueue;
    const push = queue.push;
    queue.push = (...items: unknown[]): number => {
      const length = push.apply(queue, items);
      roomPatches.wake(this);
      return length;
    };
  }

  /** Colyseus' private after-next-patch queue (Room._afterNextPatchQueue in 0.16). */
  private get afterPatchQueue(): unknown[] {
    return (this as unknown as { _afterNextPatchQueue: unknown[] })._afterNextPatchQueue;
  }
}

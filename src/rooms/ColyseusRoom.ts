/**
 * The Colyseus 0.16 workarounds a room needs, so that the jam room holds only the jam: these and
 * its base's (scheduledRoom.ts, patches and the clock). Each one says what it works around; on a
 * later Colyseus, check each against the framework and delete it.
 */
import { Deferred, Protocol, type Client, type ClientPrivate } from "@colyseus/core";
import type { Schema } from "@colyseus/schema";
import type { Logger } from "../logger";
import { CloseCode } from "../protocol/codes";
import { JoinRefused } from "../protocol/errors";
import { isPlausibleMsgpack } from "../protocol/frameGuard";
import type { ConnectionLimits, ConnectionVerdict } from "../rules/connectionLimits";
import { ConnectionGuard, connectionSweeps, cutOff } from "./connectionGuard";
import type { TimerMethod } from "./roomClock";
import { ScheduledRoom } from "./scheduledRoom";

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

export abstract class ColyseusRoom<S extends Schema, Metadata, AuthData> extends ScheduledRoom<S, Metadata, AuthData> {
  // Colyseus wraps onCreate, onAuth, onJoin, onLeave, onDispose, every message handler and the
  // clock's timer methods of a room that has `onUncaughtException` when it is constructed: closures
  // made for each room, 2 KiB of an idle one. This room has none. It catches the same failures once
  // for every room instead: the lifecycle methods below around their jam counterparts, its one
  // message listener (`onEveryMessage`) and its clock (roomClock.ts), and reports them
  // (`reportFailure`): a throwing handler would otherwise end the whole process.

  /** What Colyseus' onAuth does: validates a joining client's options into its auth data. */
  protected abstract authorize(client: Client, options: unknown): AuthData;
  /** What Colyseus' onJoin does, with the auth data `authorize` returned. */
  protected abstract admit(client: Client, auth: AuthData): void;
  /** What Colyseus' onLeave does. */
  protected abstract depart(client: Client, consented: boolean): Promise<void>;
  /** What Colyseus' onDispose does. */
  protected abstract disposed(): Promise<void>;

  /** A refusal or failure is reported, then thrown: Colyseus refuses the join with it. */
  override onAuth(client: Client, options: unknown): AuthData {
    return this.reportingThrown("onAuth", () => this.authorize(client, options));
  }

  override onJoin(client: Client, _options: unknown, auth: AuthData): void {
    this.reportingThrown("onJoin", () => this.admit(client, auth));
  }

  /** A failure is reported, not thrown: Colyseus would print it again, and the leave goes on alike. */
  override onLeave(client: Client, consented: boolean): Promise<void> {
    return this.reportingRejected("onLeave", () => this.depart(client, consented));
  }

  /** Reported, not thrown, as Colyseus' wrapper did: the rest of the disposal goes on. */
  override onDispose(): Promise<void> {
    return this.reportingRejected("onDispose", () => this.disposed());
  }

  timerFailed(error: unknown, method: TimerMethod): void {
    this.reportFailure(error, method);
  }

  /** Where the base room's own lines go (the room's logger once it has a code). */
  protected abstract get logger(): Logger;

  /** A frame was closed before decoding (4002): for the room's metrics. */
  protected abstract onMalformedFrame(client: Client): void;

  /** A connection is about to be cut off for holding too much or never finishing its join. */
  protected abstract onCutOff(client: Client, verdict: Exclude<ConnectionVerdict, "ok">): void;

  protected override _dispose(): Promise<unknown> {
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
   * The failure is reported here (the matchmaker answers the client with it).
   */
  protected guardCreate(created: Promise<void>): Promise<void> {
    created.catch((error: unknown) => {
      this.reportFailure(error, "onCreate");
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
   * stores for each room. What the listener throws is reported here. Colyseus calls the wildcard
   * with (client, type, payload) for every type without a handler of its own, but with (client,
   * payload) for a message whose type is literally "*"; a type named `__no_message_handler`
   * reaches an internal fallback instead.
   */
  protected onEveryMessage(listener: (client: Client, type: string, payload: unknown) => void): void {
    const receive = (client: Client, type: string, payload: unknown): void => {
      try {
        listener(client, type, payload);
      } catch (error) {
        this.reportFailure(error, "onMessage");
      }
    };
    this.onMessage("*", (client: Client, ...rest: unknown[]) =>
      rest.length >= 2 ? receive(client, String(rest[0]), rest[1]) : receive(client, "*", rest[0]),
    );
    this.onMessage(NO_HANDLER_TYPE, (client, payload: unknown) => receive(client, NO_HANDLER_TYPE, payload));
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
    const holds = this.holds;
    holds.set(id, reconnection);
    // A Deferred on success; a plain rejected promise when the client had not finished joining.
    const reconnected = await Promise.resolve(reconnection).then(
      () => true,
      () => false,
    );
    clearTimeout(graceTimer);
    holds.delete(id);
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
   * A patch that cannot be encoded throws from the patch tick, where nothing catches it, and would
   * end the process: close this one room instead.
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

  private reportingThrown<T>(methodName: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      this.reportFailure(error, methodName);
      throw error;
    }
  }

  /** Also catches a synchronous throw of `run`, as Colyseus' wrapper did. */
  private async reportingRejected(methodName: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.reportFailure(error, methodName);
    }
  }

  /**
   * What a handler threw (Colyseus 0.16 ends the whole process when one throws where nothing catches
   * it): a refused join is a line of information, anything else an error; the room goes on.
   */
  private reportFailure(error: unknown, methodName: string): void {
    if (error instanceof JoinRefused) {
      this.logger.info({ code: error.code, reason: error.message }, "join refused");
      return;
    }
    this.logger.error({ err: error, methodName }, "room handler failed");
  }

  /** Whatever may send to a connection or reserve a seat has the connections swept from now on. */
  private watchConnections(): void {
    if (this.guard !== undefined) connectionSweeps.watch(this);
  }

  /**
   * Called from the process's sweep timer, outside any handler: failures stay here.
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
}

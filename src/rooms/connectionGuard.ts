/**
 * Keeps what the server holds for one connection bounded (contract: "Limits that protect everyone").
 * Colyseus 0.16 bounds neither a socket's unread send buffer (a client that answers pings but never
 * reads is kept for ever, with everything sent to it in memory) nor the time a client may take to
 * acknowledge the join handshake (until it does, everything sent to it queues in
 * `_enqueuedMessages`, and it counts as a connected participant). A room sweeps its connections a
 * few times a second and cuts off the ones the rule in `rules/connectionLimits` condemns. Rooms
 * are swept from one process timer, and only while they may need it (`ConnectionSweeps`): a timer
 * on each room's clock kept every idle room visited by the patch scheduler 4 times a second, and
 * sweeping 500 idle rooms that often still cost 1.5 % of a core.
 * Remove on a Colyseus whose transport bounds both itself.
 */
import { ClientState, type Client, type ClientPrivate } from "@colyseus/core";
import { connectionVerdict, type ConnectionLimits, type ConnectionVerdict } from "../rules/connectionLimits";

/** How often a room looks: at the fastest relay rates a connection outgrows its limit by < 1 MiB in between. */
export const SWEEP_MS = 250;

/** The part of a ws WebSocket this reads; checked, not assumed, as other transports differ. */
interface Buffered {
  bufferedAmount: number;
  terminate(): void;
}

function wsOf(client: Client): Buffered | undefined {
  const ws: unknown = client.ref;
  if (typeof ws !== "object" || ws === null || !("bufferedAmount" in ws) || !("terminate" in ws)) return undefined;
  return typeof ws.bufferedAmount === "number" && typeof ws.terminate === "function" ? (ws as Buffered) : undefined;
}

/** Bytes written to the socket and not yet taken by the peer, plus messages queued until it finishes joining. */
export function pendingBytes(client: Client): number {
  let bytes = wsOf(client)?.bufferedAmount ?? 0;
  const queued = (client as Client & ClientPrivate)._enqueuedMessages;
  if (queued !== undefined) for (const message of queued as ArrayLike<number>[]) bytes += message.length;
  return bytes;
}

/**
 * Ends a connection without a closing handshake: a client that reads nothing would never take a
 * close frame either. Colyseus then sees an abnormal close (1006), as for a dropped network.
 */
export function cutOff(client: Client): void {
  const ws = wsOf(client);
  if (ws !== undefined) ws.terminate();
  else client.leave();
}

export class ConnectionGuard {
  /** When each pending seat was reserved; taken when its connection joins or its reservation lapses. */
  private readonly reservedAt = new Map<string, number>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  seatReserved(sessionId: string): void {
    this.reservedAt.set(sessionId, this.now());
  }

  /**
   * The connections over a limit now, with the verdict for each, and whether the room still needs
   * watching: a connection joining, a seat reserved, or data a peer has not read yet.
   */
  check(clients: Iterable<Client>): { condemned: Array<[Client, Exclude<ConnectionVerdict, "ok">]>; watching: boolean } {
    const now = this.now();
    const condemned: Array<[Client, Exclude<ConnectionVerdict, "ok">]> = [];
    const current = new Set<string>();
    let unread = false;
    for (const client of clients) {
      current.add(client.sessionId);
      const joining = client.state === ClientState.JOINING;
      if (!joining) this.reservedAt.delete(client.sessionId);
      const reserved = this.reservedAt.get(client.sessionId) ?? now;
      if (joining && !this.reservedAt.has(client.sessionId)) this.reservedAt.set(client.sessionId, now);
      const bytes = pendingBytes(client);
      if (bytes > 0) unread = true;
      const verdict = connectionVerdict({ pendingBytes: bytes, joining, waitedMs: now - reserved }, this.limits);
      if (verdict !== "ok") condemned.push([client, verdict]);
    }
    // Reservations never used: Colyseus frees their seats after the reservation time.
    for (const [sessionId, at] of this.reservedAt) {
      if (!current.has(sessionId) && now - at > this.limits.joinDeadlineMs) this.reservedAt.delete(sessionId);
    }
    return { condemned, watching: unread || condemned.length > 0 || this.reservedAt.size > 0 };
  }
}

/**
 * A room, as its sweep sees it: `sweepConnections` cuts off what it must and says whether the room
 * still needs watching. The room itself, not a closure of it: a room's own properties are kept few.
 */
export interface Sweep {
  sweepConnections(): boolean;
}

/**
 * Every room's connection sweep on one process timer, and only the rooms that may need one: a
 * connection's unread data grows only while something is sent to it, and a join deadline runs only
 * while a seat is reserved. A room is watched from its next incoming message, seat reservation or
 * patch tick (ColyseusRoom.ts) until a sweep finds nothing joining, reserved or unread; what an
 * idle room's server sends unprompted (a reply to a finished store call) is too little to matter.
 */
export class ConnectionSweeps {
  private readonly watched = new Set<Sweep>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly everyMs: number = SWEEP_MS) {}

  /** Sweeps every `everyMs` from now on, until the sweep finds nothing to watch. Cheap when watched. */
  watch(sweep: Sweep): void {
    this.watched.add(sweep);
    this.timer ??= setInterval(() => this.sweepAll(), this.everyMs);
  }

  /** Never again (the room is gone). */
  forget(sweep: Sweep): void {
    this.watched.delete(sweep);
    this.stopWhenIdle();
  }

  /** Rooms watched, and whether the timer runs. */
  get stats(): { rooms: number; timers: number } {
    return { rooms: this.watched.size, timers: this.timer === undefined ? 0 : 1 };
  }

  private sweepAll(): void {
    // A sweep catches its own failures (ColyseusRoom logs them): one room cannot stop the others.
    for (const sweep of this.watched) if (!sweep.sweepConnections()) this.watched.delete(sweep);
    this.stopWhenIdle();
  }

  private stopWhenIdle(): void {
    if (this.watched.size > 0 || this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** One per process. */
export const connectionSweeps = new ConnectionSweeps();

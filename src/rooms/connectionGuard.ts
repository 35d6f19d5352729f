/**
 * Keeps what the server holds for one connection bounded (contract: "Limits that protect everyone").
 * Colyseus 0.16 bounds neither a socket's unread send buffer (a client that answers pings but never
 * reads is kept for ever, with everything sent to it in memory) nor the time a client may take to
 * acknowledge the join handshake (until it does, everything sent to it queues in
 * `_enqueuedMessages`, and it counts as a connected participant). A room sweeps its connections a
 * few times a second and cuts off the ones the rule in `rules/connectionLimits` condemns.
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

  /** The connections over a limit now, with the verdict for each. */
  check(clients: Iterable<Client>): Array<[Client, Exclude<ConnectionVerdict, "ok">]> {
    const now = this.now();
    const condemned: Array<[Client, Exclude<ConnectionVerdict, "ok">]> = [];
    const current = new Set<string>();
    for (const client of clients) {
      current.add(client.sessionId);
      const joining = client.state === ClientState.JOINING;
      if (!joining) this.reservedAt.delete(client.sessionId);
      const reserved = this.reservedAt.get(client.sessionId) ?? now;
      if (joining && !this.reservedAt.has(client.sessionId)) this.reservedAt.set(client.sessionId, now);
      const verdict = connectionVerdict({ pendingBytes: pendingBytes(client), joining, waitedMs: now - reserved }, this.limits);
      if (verdict !== "ok") condemned.push([client, verdict]);
    }
    // Reservations never used: Colyseus frees their seats after the reservation time.
    for (const [sessionId, at] of this.reservedAt) {
      if (!current.has(sessionId) && now - at > this.limits.joinDeadlineMs) this.reservedAt.delete(sessionId);
    }
    return condemned;
  }
}

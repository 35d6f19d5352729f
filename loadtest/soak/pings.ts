/**
 * A soak client's pings: answered in order, they measure the round trip, tell the server's clock,
 * and confirm to the note ledger which seqs the server has read (a barrier is a ping awaited).
 */
import { isRecord } from "./messages";
import type { NoteLedger } from "./noteLedger";
import { example, rtt, stats } from "./stats";

interface PendingPing {
  t: number;
  /** The last ordinary seq sent before this ping: once answered, the server has read it. */
  seqMark: number;
  resolve: ((answered: boolean) => void) | undefined;
}

export class Pings {
  private pending: PendingPing[] = [];
  /** The server's clock minus ours, ms, from the last answered ping. */
  serverOffsetMs = 0;

  constructor(
    private readonly name: string,
    private readonly ledger: NoteLedger,
  ) {}

  /** A ping stamped `t` left; `resolve` learns whether it was answered. */
  sent(t: number, resolve?: (answered: boolean) => void): void {
    stats.pingsSent++;
    this.pending.push({ t, seqMark: this.ledger.seq, resolve });
  }

  /** A new connection: pings sent on the old one are no longer followed. */
  forget(): void {
    this.pending = [];
  }

  /** The connection dropped: no ping in flight will be answered. */
  abandon(): void {
    for (const ping of this.pending) ping.resolve?.(false);
    this.pending = [];
  }

  /** A `pong` arrived. */
  answered(message: unknown): void {
    if (!isRecord(message) || typeof message.t !== "number" || typeof message.serverTime !== "number") {
      stats.unexpectedErrors++;
      example("badPong", JSON.stringify(message));
      return;
    }
    stats.pongs++;
    const now = Date.now();
    while (this.pending.length > 0) {
      const ping = this.pending.shift();
      if (ping === undefined) break;
      if (ping.t !== message.t) {
        // An earlier ping was never answered: only a rate limit could do that.
        example("pingUnanswered", `${this.name}: ping ${ping.t} unanswered, pong for ${message.t}`);
        ping.resolve?.(false);
        continue;
      }
      this.ledger.confirm(ping.seqMark);
      const roundTrip = now - ping.t;
      rtt.total.add(roundTrip);
      rtt.window.add(roundTrip);
      this.serverOffsetMs = message.serverTime - (ping.t + now) / 2;
      ping.resolve?.(true);
      break;
    }
  }
}

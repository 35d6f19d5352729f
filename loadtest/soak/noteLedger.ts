/**
 * The soak's note accounting, for one client both as a sender and as a receiver; pure (no sockets,
 * no clock), so the rules can be tested alone.
 *
 * Every ordinary note carries its sender's `seq` (1, 2, 3 … over the sender's whole life, across
 * reconnections). A receiver must get every ordinary note a roommate sent while both were connected:
 *  - when a receiver (re)connects it notes each roommate's current seq (its floor): everything sent
 *    after that must reach it;
 *  - a gap in a sender's seqs is a lost note unless the sender dropped while that note may still
 *    have been unread by the server (after the last seq the server confirmed) — "excused";
 *  - at the end each receiver's last seq per roommate is compared with what that roommate sent
 *    (the tail).
 */

/** Seqs `from`…`to` (inclusive) that did not arrive, split into lost and excused. */
export interface Gap {
  from: number;
  to: number;
  lost: number;
  excused: number;
}

/** What a received note means for the accounting. */
export type Receipt = { kind: "duplicate"; lastSeq: number } | { kind: "inOrder"; gap: Gap | undefined };

/** A roommate as a receiver sees it when (re)connecting: its session and last seq sent. */
export interface Roommate {
  sessionId: string;
  ledger: NoteLedger;
}

export class NoteLedger {
  /** The last ordinary seq sent (seqs start at 1). */
  private lastSent = 0;
  /** `lastSent` when the current session began: a floor for receivers that never saw this session. */
  private sessionStart = 0;
  /** The highest seq the server has certainly read. */
  private confirmed = 0;
  /** Seqs (inclusive ranges) that may have been lost in a drop of this sender. */
  private readonly excused: [number, number][] = [];
  /** Per sender session: the seq after which everything must arrive here. */
  private floors = new Map<string, number>();
  /** Per sender session: the last seq that arrived here. */
  private lastSeen = new Map<string, number>();

  // ── as a sender ──

  get seq(): number {
    return this.lastSent;
  }

  /** The seq the next ordinary note carries. */
  get nextSeq(): number {
    return this.lastSent + 1;
  }

  /** Note `seq` left (only once the send succeeded: a failed send leaves no gap). */
  sent(seq: number): void {
    this.lastSent = seq;
  }

  /** A new session (a first join or a rejoin, not a reconnection) begins. */
  startSession(): void {
    this.sessionStart = this.lastSent;
  }

  /** The server answered a ping sent after `seq`: it has read everything up to it. */
  confirm(seq: number): void {
    this.confirmed = Math.max(this.confirmed, seq);
  }

  /** The connection dropped: everything sent after the last confirmed seq may not have been read. */
  markUncertain(): void {
    if (this.lastSent > this.confirmed) this.excused.push([this.confirmed + 1, this.lastSent]);
    this.confirmed = this.lastSent;
  }

  isExcused(seq: number): boolean {
    return this.excused.some(([from, to]) => seq >= from && seq <= to);
  }

  // ── as a receiver ──

  /** This client (re)connected: everything `roommates` send from now on must reach it. */
  connected(roommates: Iterable<Roommate>): void {
    this.floors = new Map();
    for (const mate of roommates) this.floors.set(mate.sessionId, mate.ledger.seq);
    this.lastSeen = new Map();
  }

  /** Note `seq` of `sender` (in session `senderId`) arrived. */
  receive(senderId: string, sender: NoteLedger, seq: number): Receipt {
    const last = this.lastSeen.get(senderId);
    if (last !== undefined && seq <= last) return { kind: "duplicate", lastSeq: last };
    const from = this.expectedAfter(senderId, sender);
    this.lastSeen.set(senderId, seq);
    return { kind: "inOrder", gap: seq > from + 1 ? gapOf(sender, from + 1, seq - 1) : undefined };
  }

  /** After the final barriers: whatever `sender` sent that never arrived here. */
  tail(senderId: string, sender: NoteLedger): Gap | undefined {
    const from = this.expectedAfter(senderId, sender);
    return sender.seq > from ? gapOf(sender, from + 1, sender.seq) : undefined;
  }

  /** The last seq of `sender` this client has, or may do without. */
  private expectedAfter(senderId: string, sender: NoteLedger): number {
    const floor = this.floors.get(senderId) ?? sender.sessionStart;
    return Math.max(this.lastSeen.get(senderId) ?? floor, floor);
  }
}

function gapOf(sender: NoteLedger, from: number, to: number): Gap {
  let excused = 0;
  for (let seq = from; seq <= to; seq++) if (sender.isExcused(seq)) excused++;
  return { from, to, lost: to - from + 1 - excused, excused };
}

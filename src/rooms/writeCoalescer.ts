/**
 * Holds a connection's outgoing frames until the end of the current event-loop turn, so that the
 * notes relayed to one musician in the same turn leave in one write instead of one system call
 * each. Musicians of a room play on the same beats, so their notes reach the server together and
 * every one of them fans out to the same few sockets: per delivered note, the write was the
 * largest single cost of the relay. Frames are untouched (clients see the same messages); only
 * the number of writes changes, and no frame waits past the turn.
 */

/** The part of a net.Socket this needs (Writable's cork/uncork). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export class WriteCoalescer {
  /**
   * The sockets held this turn, in a list reused from turn to turn with the turn each was last
   * held in beside it. A Set cleared every turn allocated a fresh table each time, which V8
   * promoted: a third of the relay's promoted bytes with notes spread, and so old-generation
   * collections every few seconds.
   */
  private readonly held: Array<Corkable | undefined> = [];
  private readonly heldInTurn = new WeakMap<Corkable, number>();
  private count = 0;
  private turn = 0;
  private flushScheduled = false;

  constructor(private readonly schedule: (flush: () => void) => void = setImmediate) {}

  /** Corks `socket` until the end of this turn (once, however often it is called in the turn). */
  hold(socket: Corkable): void {
    if (this.heldInTurn.get(socket) === this.turn) return;
    this.heldInTurn.set(socket, this.turn);
    socket.cork();
    this.held[this.count++] = socket;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.schedule(this.flush);
    }
  }

  /** Sockets held now (0 once the turn's flush ran). */
  get holding(): number {
    return this.count;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const count = this.count;
    this.count = 0;
    this.turn++;
    // uncork writes synchronously and never calls back into hold, so the list is stable here.
    for (let i = 0; i < count; i++) {
      this.held[i]?.uncork();
      // Not kept past the turn: a closed socket is not held on to.
      this.held[i] = undefined;
    }
  };
}

/** One per process: however many rooms relay in a turn, one flush ends it. */
export const outgoingWrites = new WriteCoalescer();

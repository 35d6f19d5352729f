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
  private readonly held = new Set<Corkable>();
  private flushScheduled = false;

  constructor(private readonly schedule: (flush: () => void) => void = setImmediate) {}

  /** Corks `socket` until the end of this turn (once, however often it is called in the turn). */
  hold(socket: Corkable): void {
    if (this.held.has(socket)) return;
    socket.cork();
    this.held.add(socket);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.schedule(this.flush);
    }
  }

  /** Sockets held now (0 once the turn's flush ran). */
  get holding(): number {
    return this.held.size;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    // uncork writes synchronously and never calls back into hold, so the set is stable here.
    for (const socket of this.held) socket.uncork();
    this.held.clear();
  };
}

/** One per process: however many rooms relay in a turn, one flush ends it. */
export const outgoingWrites = new WriteCoalescer();

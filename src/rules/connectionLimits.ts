/**
 * What the server may hold for one connection: its unread outgoing data, and the time it may take to
 * finish joining. A connection over either limit is cut off; everyone else keeps hearing everything.
 */
export interface ConnectionLimits {
  /** Outgoing bytes a connection may leave unread (socket buffer plus messages queued for it). */
  maxBufferedBytes: number;
  /** How long after its seat was reserved a connection may take to acknowledge the join. */
  joinDeadlineMs: number;
}

export interface ConnectionLoad {
  pendingBytes: number;
  /** Still waiting for the client's acknowledgement of the join handshake. */
  joining: boolean;
  /** Since its seat was reserved. */
  waitedMs: number;
}

/** `slow`: it does not read what it is sent; `half-joined`: it never finished joining. */
export type ConnectionVerdict = "ok" | "slow" | "half-joined";

export function connectionVerdict(load: ConnectionLoad, limits: ConnectionLimits): ConnectionVerdict {
  if (load.joining && load.waitedMs >= limits.joinDeadlineMs) return "half-joined";
  if (load.pendingBytes > limits.maxBufferedBytes) return "slow";
  return "ok";
}

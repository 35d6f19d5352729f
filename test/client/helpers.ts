/**
 * What only client tests need over JamSessions: its connection status, and a network failure
 * under it. Messages and state are awaited with test/helpers/clients.ts, as for rooms.
 */
import type WebSocket from "ws";
import type { ConnectionStatus, JamSession, StatusDetail } from "../../client/src";
import { firstWhere } from "../../support/clients";

/** Resolves with the detail of the session's next change to `status`. */
export function nextStatus(session: JamSession, status: ConnectionStatus, timeoutMs = 5000): Promise<StatusDetail> {
  return firstWhere<{ next: ConnectionStatus; detail: StatusDetail }>(
    (listener) => session.onStatus((next, detail) => listener({ next, detail })),
    ({ next }) => next === status,
    timeoutMs,
    () => `status still "${session.status}", not "${status}",`,
  ).then(({ detail }) => detail);
}

/** Records every status change from now on. */
export function recordStatuses(session: JamSession): { status: ConnectionStatus; detail: StatusDetail }[] {
  const seen: { status: ConnectionStatus; detail: StatusDetail }[] = [];
  session.onStatus((status, detail) => seen.push({ status, detail }));
  return seen;
}

/**
 * Kills the connection under the session the way a network failure does: the raw socket (the `ws`
 * package under colyseus.js in Node) is terminated, no close handshake, no consented leave.
 */
export function dropConnection(session: JamSession): void {
  const transport = session.room.connection.transport as unknown as { ws: WebSocket };
  transport.ws.terminate();
}

/** Small awaits over JamSessions, so client tests wait on events instead of sleeping. */
import type WebSocket from "ws";
import type { ConnectionStatus, JamSession, JamState, ServerMessages, ServerMessageType, StatusDetail } from "../../client/src";

/** Resolves with the next `type` message the session receives. */
export function nextOn<K extends ServerMessageType>(session: JamSession, type: K, timeoutMs = 2000): Promise<ServerMessages[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no "${type}" message within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = session.on(type, (message) => {
      clearTimeout(timer);
      stop();
      resolve(message);
    });
  });
}

/** Resolves once `predicate(session.state)` holds, checking after every patch. */
export function sessionStateWhere(session: JamSession, predicate: (state: JamState) => boolean, timeoutMs = 2000): Promise<JamState> {
  if (predicate(session.state)) return Promise.resolve(session.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`state condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = session.onStateChange((state) => {
      if (!predicate(state)) return;
      clearTimeout(timer);
      stop();
      resolve(state);
    });
  });
}

/** Resolves with the detail of the session's next change to `status`. */
export function nextStatus(session: JamSession, status: ConnectionStatus, timeoutMs = 5000): Promise<StatusDetail> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`status still "${session.status}", not "${status}", after ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = session.onStatus((next, detail) => {
      if (next !== status) return;
      clearTimeout(timer);
      stop();
      resolve(detail);
    });
  });
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

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

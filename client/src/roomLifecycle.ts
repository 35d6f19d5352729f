/**
 * Waiting for a colyseus.js Room's first full state, and leaving a Room without waiting forever.
 */
import type { Room } from "colyseus.js";
import { realTimers, type Timers } from "./clock";
import { ConnectionFailed } from "./errors";
import type { JamState } from "./types";

/** A consented leave that the server does not confirm within this is closed by hand. */
const LEAVE_TIMEOUT_MS = 3000;

/** Resolves once the Room has its first full state with this musician or listener in it; rejects if it closes first. */
export function firstState(room: Room<JamState>, timeoutMs: number, timers: Timers = realTimers): Promise<void> {
  const has = () => room.state?.participants?.has(room.sessionId) === true || room.state?.listeners?.has(room.sessionId) === true;
  if (has()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      room.onStateChange.remove(check);
      if (error === undefined) resolve();
      else reject(error);
    };
    const check = () => {
      if (has()) settle();
    };
    const timer = timers.setTimeout(() => settle(new ConnectionFailed(`no room state within ${timeoutMs} ms`)), timeoutMs);
    room.onStateChange(check);
    // Not removed afterwards: colyseus.js clears a Room's listeners when it closes.
    room.onLeave((code) => settle(new ConnectionFailed(`the connection closed (${code}) before the room state arrived`, code)));
  });
}

/** Leaves a Room (consented or not), not waiting forever for the server to confirm. */
export function closeRoom(room: Room<JamState>, consented: boolean, timers: Timers): Promise<void> {
  if (!room.connection?.isOpen) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = timers.setTimeout(() => {
      if (room.connection?.isOpen) room.connection.close();
      resolve();
    }, LEAVE_TIMEOUT_MS);
    room.leave(consented).then(
      () => {
        timers.clearTimeout(timer);
        resolve();
      },
      () => resolve(),
    );
  });
}

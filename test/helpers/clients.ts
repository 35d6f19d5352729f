/** Small awaits over colyseus.js rooms, so tests wait on events instead of sleeping. */
import type { Room } from "colyseus.js";
import type { ServerMessages } from "../../src/protocol/serverMessages";

/** Resolves with the next `type` message the room receives (rejects after `timeoutMs`). */
export function nextMessage<K extends keyof ServerMessages>(room: Room, type: K, timeoutMs = 2000): Promise<ServerMessages[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unbind();
      reject(new Error(`no "${type}" message within ${timeoutMs} ms`));
    }, timeoutMs);
    const unbind = room.onMessage(type, (message: ServerMessages[K]) => {
      clearTimeout(timer);
      unbind();
      resolve(message);
    });
  });
}

/** Collects every `type` message the room receives from now on. */
export function collect<K extends keyof ServerMessages>(room: Room, type: K): ServerMessages[K][] {
  const received: ServerMessages[K][] = [];
  room.onMessage(type, (message: ServerMessages[K]) => received.push(message));
  return received;
}

/** Resolves once `predicate(room.state)` holds, checking after every patch. */
export function stateWhere<S>(room: Room<S>, predicate: (state: S) => boolean, timeoutMs = 2000): Promise<S> {
  if (room.state !== undefined && predicate(room.state)) return Promise.resolve(room.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      room.onStateChange.remove(check);
      reject(new Error(`state condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = (state: S) => {
      if (!predicate(state)) return;
      clearTimeout(timer);
      room.onStateChange.remove(check);
      resolve(state);
    };
    room.onStateChange(check);
  });
}

/** Resolves with the close code when the room's connection closes. */
export function nextLeave(room: Room, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
    room.onLeave((code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/**
 * Resolves once the room has its first full state, with the joining participant in it. (The join
 * promise resolves before the full state arrives; until then the client's state is an empty shell.)
 */
export function synced<S extends { participants: { has(id: string): boolean } }>(room: Room<S>): Promise<Room<S>> {
  return stateWhere(room, (state) => state.participants?.has(room.sessionId) === true).then(() => room);
}

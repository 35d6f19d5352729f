/** Small awaits over colyseus.js rooms, so tests wait on events instead of sleeping. */
import type { Room } from "colyseus.js";
import { SERVER_MESSAGE_TYPES } from "../../client/src/JamSession";
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

/** One message as a client received it. */
export interface ReceivedMessage {
  type: string | number;
  message: unknown;
}

/** Listens to every message type (known ones and `*`); returns a function that stops listening. */
function onAnyMessage(room: Room, listener: (received: ReceivedMessage) => void): () => void {
  const unbinds = SERVER_MESSAGE_TYPES.map((type) => room.onMessage(type, (message: unknown) => listener({ type, message })));
  unbinds.push(room.onMessage("*", (type: string | number, message: unknown) => listener({ type, message })));
  return () => unbinds.forEach((unbind) => unbind());
}

/** Records every message the room receives from now on, of any type, in arrival order. */
export function recordMessages(room: Room): ReceivedMessage[] {
  const received: ReceivedMessage[] = [];
  onAnyMessage(room, (message) => received.push(message));
  return received;
}

/** Resolves with the first message of any type the room receives from now on. */
export function firstMessage(room: Room, timeoutMs = 2000): Promise<ReceivedMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unbind();
      reject(new Error(`no message at all within ${timeoutMs} ms`));
    }, timeoutMs);
    const unbind = onAnyMessage(room, (received) => {
      clearTimeout(timer);
      unbind();
      resolve(received);
    });
  });
}

/** Resolves with the next `type` message that satisfies `predicate` (others are skipped). */
export function messageWhere<K extends keyof ServerMessages>(
  room: Room,
  type: K,
  predicate: (message: ServerMessages[K]) => boolean,
  timeoutMs = 2000,
): Promise<ServerMessages[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unbind();
      reject(new Error(`no matching "${type}" message within ${timeoutMs} ms`));
    }, timeoutMs);
    const unbind = room.onMessage(type, (message: ServerMessages[K]) => {
      if (!predicate(message)) return;
      clearTimeout(timer);
      unbind();
      resolve(message);
    });
  });
}

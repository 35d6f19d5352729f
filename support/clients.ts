/**
 * Small awaits over colyseus.js rooms and JamSessions, so tests wait on events instead of sleeping.
 * Each one is `firstWhere` over a different event.
 */
import type { Room } from "colyseus.js";
import { JamSession } from "../client/src/JamSession";
import { SERVER_MESSAGE_TYPES } from "../src/protocol/serverMessages";
import type { ServerMessages } from "../src/protocol/serverMessages";

/** Starts calling `listener` with each value of an event; returns a function that stops. */
export type Subscribe<T> = (listener: (value: T) => void) => () => void;

/**
 * Resolves with the first value of the event that satisfies `predicate`; rejects with the words
 * of `failure` (read when the time is up) after `timeoutMs`. Stops listening either way.
 */
export function firstWhere<T>(
  subscribe: Subscribe<T>,
  predicate: (value: T) => boolean,
  timeoutMs: number,
  failure: string | (() => string),
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${typeof failure === "string" ? failure : failure()} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = subscribe((value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      stop();
      resolve(value);
    });
  });
}

const always = (): boolean => true;

/** The `type` messages of a room or a session, as an event. */
function messagesOf<K extends keyof ServerMessages>(source: Room | JamSession, type: K): Subscribe<ServerMessages[K]> {
  return source instanceof JamSession ? (listener) => source.on(type, listener) : (listener) => source.onMessage(type, listener);
}

/** Resolves with the next `type` message the room or session receives (rejects after `timeoutMs`). */
export function nextMessage<K extends keyof ServerMessages>(
  source: Room | JamSession,
  type: K,
  timeoutMs = 2000,
): Promise<ServerMessages[K]> {
  return firstWhere(messagesOf(source, type), always, timeoutMs, `no "${type}" message`);
}

/** Collects every `type` message the room receives from now on. */
export function collect<K extends keyof ServerMessages>(room: Room, type: K): ServerMessages[K][] {
  const received: ServerMessages[K][] = [];
  room.onMessage(type, (message: ServerMessages[K]) => received.push(message));
  return received;
}

/** Resolves once `predicate(state)` holds for the room or session, checking after every patch. */
export function stateWhere<S>(room: Room<S>, predicate: (state: S) => boolean, timeoutMs?: number): Promise<S>;
export function stateWhere(
  session: JamSession,
  predicate: (state: JamSession["state"]) => boolean,
  timeoutMs?: number,
): Promise<JamSession["state"]>;
export function stateWhere<S>(source: Room<S> | JamSession, predicate: (state: S) => boolean, timeoutMs = 2000): Promise<S> {
  // A session's state and a room's are the same schema; the overloads keep each caller's type.
  const current = source.state as S | undefined;
  if (current !== undefined && predicate(current)) return Promise.resolve(current);
  const patches: Subscribe<S> =
    source instanceof JamSession
      ? (listener) => source.onStateChange((state) => listener(state as S))
      : (listener) => {
          source.onStateChange(listener);
          return () => source.onStateChange.remove(listener);
        };
  return firstWhere(patches, predicate, timeoutMs, "state condition not met");
}

/** Resolves with the close code when the room's connection closes. */
export function nextLeave(room: Room, timeoutMs = 2000): Promise<number> {
  const closes: Subscribe<number> = (listener) => {
    room.onLeave(listener);
    return () => room.onLeave.remove(listener);
  };
  return firstWhere(closes, always, timeoutMs, "the connection did not close");
}

/** What `synced` reads of a state: who is in, musicians and (optionally) listeners. */
interface Membership {
  participants: { has(id: string): boolean };
  listeners?: { has(id: string): boolean };
}

/**
 * Resolves once the room has its first full state, with the joining participant or listener in it.
 * (The join promise resolves before the full state arrives; until then the client's state is an
 * empty shell.)
 */
export function synced<S extends Membership>(room: Room<S>): Promise<Room<S>> {
  const isIn = (state: S) => state.participants?.has(room.sessionId) === true || state.listeners?.has(room.sessionId) === true;
  return stateWhere(room, isIn).then(() => room);
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
  return () => {
    for (const unbind of unbinds) unbind();
  };
}

/** Records every message the room receives from now on, of any type, in arrival order. */
export function recordMessages(room: Room): ReceivedMessage[] {
  const received: ReceivedMessage[] = [];
  onAnyMessage(room, (message) => received.push(message));
  return received;
}

/** Resolves with the first message of any type the room receives from now on. */
export function firstMessage(room: Room, timeoutMs = 2000): Promise<ReceivedMessage> {
  return firstWhere((listener) => onAnyMessage(room, listener), always, timeoutMs, "no message at all");
}

/** Resolves with the next `type` message that satisfies `predicate` (others are skipped). */
export function messageWhere<K extends keyof ServerMessages>(
  source: Room | JamSession,
  type: K,
  predicate: (message: ServerMessages[K]) => boolean,
  timeoutMs = 2000,
): Promise<ServerMessages[K]> {
  return firstWhere(messagesOf(source, type), predicate, timeoutMs, `no matching "${type}" message`);
}

/**
 * The server → client message listeners of a session, by type: kept apart from any Room and fed
 * by every Room the session has.
 */
import type { Room } from "colyseus.js";
import { SERVER_MESSAGE_TYPES } from "../../src/protocol/serverMessages";
import { callSafely } from "./clock";
import type { JamState, ServerMessages, ServerMessageType } from "./types";

export type MessageListener<K extends ServerMessageType> = (message: ServerMessages[K]) => void;
type ListenersByType = { [K in ServerMessageType]: Set<MessageListener<K>> };

export class MessageListeners {
  private readonly byType: ListenersByType = Object.fromEntries(
    SERVER_MESSAGE_TYPES.map((type) => [type, new Set()]),
  ) as unknown as ListenersByType;

  /** Calls `listener` with every `type` message; returns a function that stops. */
  on<K extends ServerMessageType>(type: K, listener: MessageListener<K>): () => void {
    const listeners: Set<MessageListener<K>> = this.byType[type];
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Hands every message `room` receives to the listeners of its type. */
  listenTo(room: Room<JamState>): void {
    for (const type of SERVER_MESSAGE_TYPES) this.forward(room, type);
    // Types this client does not know (a newer server): ignored, without colyseus.js' warning.
    room.onMessage("*", () => undefined);
  }

  private forward<K extends ServerMessageType>(room: Room<JamState>, type: K): void {
    room.onMessage(type, (message: ServerMessages[K]) => this.emit(type, message));
  }

  private emit<K extends ServerMessageType>(type: K, message: ServerMessages[K]): void {
    const listeners: Set<MessageListener<K>> = this.byType[type];
    for (const listener of Array.from(listeners)) callSafely(listener, message);
  }
}

/**
 * Sending the contract's server → client messages, typed by `ServerMessages`: one client, everyone,
 * or everyone but the sender with each socket's writes held to the end of the turn.
 */
import { Protocol, getMessageBytes, type Client, type Room } from "@colyseus/core";
import type { ServerMessageType, ServerMessages } from "../protocol/serverMessages";
import { outgoingWrites, socketOf } from "./writeCoalescer";

export function send<K extends ServerMessageType>(client: Client, type: K, message: ServerMessages[K]): void {
  client.send(type, message);
}

export function broadcast<K extends ServerMessageType>(room: Room, type: K, message: ServerMessages[K]): void {
  room.broadcast(type, message);
}

/**
 * `broadcast(…, { except })`, encoded once, with each recipient's socket held to the end of the
 * turn so a musician's notes of one beat leave in one write (see WriteCoalescer).
 */
export function relayToOthers<K extends ServerMessageType>(
  clients: Iterable<Client>,
  sender: Client,
  type: K,
  message: ServerMessages[K],
): void {
  const bytes = getMessageBytes.raw(Protocol.ROOM_DATA, type, message);
  for (const client of clients) {
    if (client === sender) continue;
    const socket = socketOf(client);
    if (socket !== undefined) outgoingWrites.hold(socket);
    client.enqueueRaw(bytes);
  }
}

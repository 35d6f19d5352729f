/**
 * Sending the contract's server → client messages, typed by `ServerMessages`: one client, everyone,
 * or everyone but the sender with each socket's writes held to the end of the turn.
 */
import type { Client, Room } from "@colyseus/core";
import type { ClientMessage } from "../protocol/messages";
import type { RelayedEvent, RelayedNote, RelayedSignal, ServerMessageType, ServerMessages } from "../protocol/serverMessages";
import { directSocketOf, messageOf, roomMessageFrame } from "./relayFrames";
import { outgoingWrites } from "./writeCoalescer";

export function send<K extends ServerMessageType>(client: Client, type: K, message: ServerMessages[K]): void {
  client.send(type, message);
}

export function broadcast<K extends ServerMessageType>(room: Room, type: K, message: ServerMessages[K]): void {
  room.broadcast(type, message);
}

/**
 * `broadcast(…, { except })`, encoded and framed once (see relayFrames.ts), with each recipient's
 * socket held to the end of the turn so a musician's notes of one beat leave in one write (see
 * WriteCoalescer).
 */
export function relayToOthers<K extends ServerMessageType>(
  clients: readonly Client[],
  sender: Client,
  type: K,
  message: ServerMessages[K],
): void {
  const frame = roomMessageFrame(type, message);
  for (let i = 0; i < clients.length; i++) {
    const client = clients[i];
    if (client === undefined || client === sender) continue;
    const socket = directSocketOf(client);
    if (socket === undefined) {
      client.enqueueRaw(messageOf(frame));
      continue;
    }
    outgoingWrites.hold(socket);
    socket.write(frame);
  }
}

/** A note as the others receive it: optional fields only when sent (fewer bytes), sender and instrument set by the server. */
export function relayedNote(
  { note, velocity, on, step, at, seq }: ClientMessage<"note">,
  senderId: string,
  instrument: string,
): RelayedNote {
  const relayed: RelayedNote = { note, velocity, on, senderId, instrument };
  if (step !== undefined) relayed.step = step;
  if (at !== undefined) relayed.at = at;
  if (seq !== undefined) relayed.seq = seq;
  return relayed;
}

export function relayedEvent({ eventName, payload }: ClientMessage<"event">, senderId: string): RelayedEvent {
  return payload === undefined ? { eventName, senderId } : { eventName, payload, senderId };
}

export function relayedSignal({ kind, data }: ClientMessage<"signal">, from: string): RelayedSignal {
  return data === undefined ? { from, kind } : { from, kind, data };
}

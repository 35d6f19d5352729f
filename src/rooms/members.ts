/**
 * Who is in a room: musicians in `participants`, listeners in `listeners`. Listeners follow the
 * jam without playing, so they live apart from the musicians: they never count toward
 * `maxParticipants`, never host, and the listing (`GET /rooms`) counts musicians only. The room asks
 * here about anyone who joined; musicians' own writes stay in jamStateWriter.
 */
import type { Client } from "@colyseus/core";
import type { JamState } from "../schema/JamState";
import { Listener } from "../schema/Listener";
import type { Participant } from "../schema/Participant";
import { addParticipant, type Newcomer } from "./jamStateWriter";

export type Member = Participant | Listener;

/** How someone joined: for the room's log, and whether the jam saves their name. */
export type Role = "host" | "musician" | "listener";

/**
 * Adds a musician or a listener. A musician hosts when no other musician is in: the room's first,
 * or the first to come while only listeners were left (`host` was "").
 */
export function addMember(state: JamState, newcomer: Newcomer, listener: boolean): Role {
  if (!listener) return addParticipant(state, newcomer) ? "host" : "musician";
  const { id, name, joinedAt } = newcomer;
  state.listeners.set(id, new Listener().assign({ id, name, joinedAt, connected: true }));
  return "listener";
}

/** Removes a listener; the same shape as a musician's removal, which never changes the host. */
export function removeListener(state: JamState, id: string): { removed: Listener; hostChange: null } | null {
  const removed = state.listeners.get(id);
  if (removed === undefined) return null;
  state.listeners.delete(id);
  return { removed, hostChange: null };
}

export function memberOf(state: JamState, id: string): Member | undefined {
  return state.participants.get(id) ?? state.listeners.get(id);
}

/** The name a joined client chats under, musician or listener (onJoin adds it before any message). */
export function nameOf(state: JamState, client: Client): string {
  const member = memberOf(state, client.sessionId);
  if (member === undefined) throw new Error(`no participant or listener for session ${client.sessionId}`);
  return member.name;
}

/**
 * A joined musician. Only musicians reach the handlers that call this: the message gate answers a
 * listener's every message but `chat` and `ping` before they run.
 */
export function participantOf(state: JamState, client: Client): Participant {
  const participant = state.participants.get(client.sessionId);
  if (participant === undefined) throw new Error(`no participant for session ${client.sessionId}`);
  return participant;
}

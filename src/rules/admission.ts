/**
 * Whether a room takes one more person. Musicians and listeners have limits of their own, so a room
 * full of musicians still takes listeners and listeners never take a musician's place; a name is
 * unique among both together, so nobody in the chat can pose as someone else.
 */
import { isNameTaken } from "./labels";

export type AdmissionRefusal = "full" | "name-taken";

/** The names of who is in the room now, counting those within their reconnection grace. */
export interface Occupancy {
  musicians: readonly string[];
  listeners: readonly string[];
}

export interface Capacity {
  maxParticipants: number;
  maxListeners: number;
}

export interface Newcomer {
  name: string;
  listener: boolean;
}

export function admissionRefusal(room: Occupancy, capacity: Capacity, newcomer: Newcomer): AdmissionRefusal | null {
  const present = newcomer.listener ? room.listeners.length : room.musicians.length;
  const limit = newcomer.listener ? capacity.maxListeners : capacity.maxParticipants;
  if (present >= limit) return "full";
  if (isNameTaken(newcomer.name, [...room.musicians, ...room.listeners])) return "name-taken";
  return null;
}

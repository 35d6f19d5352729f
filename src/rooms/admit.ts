/** The admission rule applied to a room's state, refused in the contract's words. */
import { refuse } from "../protocol/errors";
import { admissionRefusal, type Newcomer } from "../rules/admission";
import type { JamState } from "../schema/JamState";

/** Throws JoinRefused (full, name taken) unless the room takes this musician or listener. */
export function assertRoomFor(state: JamState, newcomer: Newcomer, maxParticipants: number, maxListeners: number): void {
  const musicians = Array.from(state.participants.values(), (p) => p.name);
  const listeners = Array.from(state.listeners.values(), (l) => l.name);
  const refusal = admissionRefusal({ musicians, listeners }, { maxParticipants, maxListeners }, newcomer);
  if (refusal === "full") throw newcomer.listener ? refuse.full(maxListeners, "listeners") : refuse.full(maxParticipants);
  if (refusal === "name-taken") throw refuse.nameTaken(newcomer.name);
}

/** The admission rule applied to a room's state, refused in the contract's words. */
import { refuse } from "../protocol/errors";
import { admissionRefusal } from "../rules/admission";
import type { JamState } from "../schema/JamState";

/** Throws JoinRefused (full, name taken) unless the room takes a musician of that name. */
export function assertRoomFor(state: JamState, maxParticipants: number, name: string): void {
  const names = Array.from(state.participants.values(), (p) => p.name);
  const refusal = admissionRefusal(names, maxParticipants, name);
  if (refusal !== null) throw refusal === "full" ? refuse.full(maxParticipants) : refuse.nameTaken(name);
}

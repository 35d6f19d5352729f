/** Whether a room takes one more musician: it is not full, and nobody in it goes by that name. */
import { isNameTaken } from "./labels";

export type AdmissionRefusal = "full" | "name-taken";

export function admissionRefusal(names: readonly string[], maxParticipants: number, name: string): AdmissionRefusal | null {
  if (names.length >= maxParticipants) return "full";
  if (isNameTaken(name, names)) return "name-taken";
  return null;
}

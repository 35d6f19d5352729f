/** The musician's name and instrument, remembered in this browser for the next jam. */
import { INSTRUMENTS } from "./config";
import type { Profile } from "./useJamSession";

const KEY = "jam.profile";

export function loadProfile(): Profile {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (typeof saved === "object" && saved !== null) {
      const { name, instrument } = saved as Record<string, unknown>;
      return { name: typeof name === "string" ? name : "", instrument: typeof instrument === "string" ? instrument : INSTRUMENTS[0] };
    }
  } catch {
    // Nothing usable saved.
  }
  return { name: "", instrument: INSTRUMENTS[0] };
}

export function saveProfile(profile: Profile): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(profile));
  } catch {
    // Private mode: not remembered.
  }
}

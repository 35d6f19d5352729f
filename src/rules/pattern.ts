/** The shared pattern's rules that do not depend on the schema. */
import { randomBytes } from "node:crypto";
import { refusal, type Refusal } from "./refusal";

export const TRACK_ID_PATTERN = /^[a-z0-9_-]{1,32}$/;

/**
 * Track ids are map keys in the synced state; the schema encoder looks keys up on plain objects,
 * where "constructor" (or any Object.prototype name) is already there and breaks the patch.
 */
export function isUsableTrackId(id: string): boolean {
  return TRACK_ID_PATTERN.test(id) && !(id in Object.prototype);
}
export const DEFAULT_STEP_NOTE = 60;
export const DEFAULT_STEP_VELOCITY = 100;

/** A fresh track id that is not in `taken`: `t-` and 8 hex digits. */
export function newTrackId(taken: (id: string) => boolean): string {
  let id: string;
  do {
    id = `t-${randomBytes(4).toString("hex")}`;
  } while (taken(id));
  return id;
}

/** Whether a track may be added: the pattern has room for it and its id (when given) is free. */
export function addTrackRefusal(trackCount: number, maxTracks: number, requestedId: string | undefined, idTaken: boolean): Refusal | null {
  if (trackCount >= maxTracks) return refusal("BAD_REQUEST", `the pattern already has the most tracks allowed (${maxTracks})`);
  if (requestedId !== undefined && idTaken) return refusal("BAD_REQUEST", `track "${requestedId}" already exists`);
  return null;
}

export function unknownTrack(id: string): Refusal {
  return refusal("NOT_FOUND", `no track "${id}" in this room`);
}

/**
 * Room codes are claimed in the presence, so they are unique among the live rooms of every process
 * sharing it (RedisPresence) or of this one (LocalPresence). `incr(key) === 1` is atomic on both;
 * the claim expires unless its room refreshes it, so a process that dies frees its codes.
 */
import { LocalPresence, type Presence } from "@colyseus/core";
import { generateRoomCode } from "../rules/roomCode";

export const CODE_KEY_PREFIX = "jam:code:";
export const CODE_CLAIM_TTL_S = 15;
/** Three refreshes per TTL, so one late refresh never lets a live room's code expire. */
export const CODE_REFRESH_MS = 5_000;
const CLAIM_ATTEMPTS = 32;

const keyOf = (code: string) => CODE_KEY_PREFIX + code;

/** A free code, now claimed by the caller; null when every attempt met a taken code. */
export async function claimRoomCode(presence: Presence, generate: () => string = generateRoomCode): Promise<string | null> {
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const code = generate();
    if ((await presence.incr(keyOf(code))) === 1) {
      await refreshRoomCode(presence, code);
      return code;
    }
  }
  return null;
}

/**
 * Only a shared presence needs the expiry: in-process codes die with their process. (LocalPresence
 * expires keys with a timer that `del` does not clear, which would outlive the room.)
 */
export function claimsExpire(presence: Presence): boolean {
  return !(presence instanceof LocalPresence);
}

// LocalPresence answers `expire`/`del` with undefined instead of a promise: Promise.resolve covers both.
export async function refreshRoomCode(presence: Presence, code: string): Promise<void> {
  if (!claimsExpire(presence)) return;
  await Promise.resolve(presence.expire(keyOf(code), CODE_CLAIM_TTL_S));
}

/** Whether a live room still holds `code`: a listing whose claim expired belongs to a dead process. */
export async function isRoomCodeClaimed(presence: Presence, code: string): Promise<boolean> {
  const value: unknown = await Promise.resolve(presence.get(keyOf(code)));
  return value !== null && value !== undefined;
}

export async function releaseRoomCode(presence: Presence, code: string): Promise<void> {
  await Promise.resolve(presence.del(keyOf(code)));
}

/**
 * Room codes as people type them. The server's module also generates codes with `node:crypto`, so
 * it cannot go into a browser bundle; its constants are restated here and typed against the
 * server's (`typeof`), so a change on either side fails to compile instead of drifting.
 */
import type {
  ROOM_CODE_ALPHABET as SERVER_ROOM_CODE_ALPHABET,
  ROOM_CODE_LENGTH as SERVER_ROOM_CODE_LENGTH,
} from "../../src/rules/roomCode";
import type { JAM_ROOM_NAME as SERVER_JAM_ROOM_NAME } from "../../src/rooms/roomName";

export const ROOM_CODE_ALPHABET: typeof SERVER_ROOM_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const ROOM_CODE_LENGTH: typeof SERVER_ROOM_CODE_LENGTH = 6;
export const JAM_ROOM_NAME: typeof SERVER_JAM_ROOM_NAME = "jam";

const ROOM_CODE_PATTERN = new RegExp(`^[${ROOM_CODE_ALPHABET}]{${ROOM_CODE_LENGTH}}$`);

/**
 * What a person typed or pasted → the canonical code, or null when it cannot be a room code.
 * Case, spaces and dashes do not matter: " k7q-f2m " is "K7QF2M".
 */
export function normalizeRoomCode(input: string): string | null {
  if (typeof input !== "string") return null;
  const code = input.replace(/[\s-]+/g, "").toUpperCase();
  return ROOM_CODE_PATTERN.test(code) ? code : null;
}

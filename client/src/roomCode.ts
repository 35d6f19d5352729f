/**
 * Room codes as people type them: the server's own format (`roomCodeFormat`, free of Node.js
 * modules), with the spaces and dashes people put in when they read a code aloud taken out first.
 */
import { normalizeRoomCode as canonicalRoomCode } from "../../src/rules/roomCodeFormat";
import type { JAM_ROOM_NAME as SERVER_JAM_ROOM_NAME } from "../../src/rooms/roomName";

export { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from "../../src/rules/roomCodeFormat";
export const JAM_ROOM_NAME: typeof SERVER_JAM_ROOM_NAME = "jam";

/**
 * What a person typed or pasted → the canonical code, or null when it cannot be a room code.
 * Case, spaces and dashes do not matter: " k7q-f2m " is "K7QF2M".
 */
export function normalizeRoomCode(input: string): string | null {
  if (typeof input !== "string") return null;
  return canonicalRoomCode(input.replace(/[\s-]+/g, ""));
}

/** Room codes: 6 characters people can read aloud and type (no 0/O/1/I). */
import { randomInt } from "node:crypto";

export const ROOM_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const ROOM_CODE_LENGTH = 6;

const ROOM_CODE_PATTERN = new RegExp(`^[${ROOM_CODE_ALPHABET}]{${ROOM_CODE_LENGTH}}$`);

/** `pick(n)` returns an integer in [0, n); injectable so tests can make codes collide. */
export function generateRoomCode(pick: (n: number) => number = randomInt): string {
  let code = "";
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) {
    code += ROOM_CODE_ALPHABET[pick(ROOM_CODE_ALPHABET.length)];
  }
  return code;
}

/** What a person typed → the canonical code, or null when it cannot be a room code. */
export function normalizeRoomCode(input: unknown): string | null {
  if (typeof input !== "string") return null;
  const code = input.trim().toUpperCase();
  return ROOM_CODE_PATTERN.test(code) ? code : null;
}

/** New room codes, drawn from the alphabet of `roomCodeFormat`. */
import { randomInt } from "node:crypto";
import { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from "./roomCodeFormat";

export { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH, normalizeRoomCode } from "./roomCodeFormat";

/** `pick(n)` returns an integer in [0, n); injectable so tests can make codes collide. */
export function generateRoomCode(pick: (n: number) => number = randomInt): string {
  let code = "";
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) {
    code += ROOM_CODE_ALPHABET[pick(ROOM_CODE_ALPHABET.length)];
  }
  return code;
}

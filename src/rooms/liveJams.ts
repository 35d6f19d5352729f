/**
 * Reaching a live room by its code from any process: a remix copies a live jam as of now, so the
 * room holding it (here or on another process, through Colyseus' room calls) saves it first.
 */
import { matchMaker } from "@colyseus/core";

/** The method every jam room answers with a save of its jam now; resolves whether it is saved. */
export const SAVE_NOW = "saveNow";

/** Saves the jam of the live room with `code`, if one is open; what the store holds is used otherwise. */
export async function saveLiveJam(code: string): Promise<void> {
  const [live] = await matchMaker.query({ roomId: code });
  if (live === undefined) return;
  // A room that does not answer (its process busy or gone) leaves the last save to copy.
  await matchMaker.remoteRoomCall(code, SAVE_NOW).catch(() => undefined);
}

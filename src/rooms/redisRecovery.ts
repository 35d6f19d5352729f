/**
 * Redis came back, possibly empty: everything of this process that other processes read from it is
 * written again at once — each live room's code claim (so a new room never gets its code) and its
 * matchmaker listing (so it can be found and joined by code), and the room count placement reads.
 * The rooms themselves never stopped: they only live in this process.
 */
import { matchMaker, type Presence, type Room } from "@colyseus/core";
import type { Logger } from "../logger";
import { refreshRoomCode } from "./roomCodes";

export interface RestoreOutcome {
  rooms: number;
  failed: number;
}

export async function restoreRoomsInRedis(presence: Presence, rooms: Room[], logger: Logger): Promise<RestoreOutcome> {
  const results = await Promise.all(
    rooms.map(async (room) => {
      try {
        await refreshRoomCode(presence, room.roomId);
        await room.listing.save();
        return true;
      } catch (error) {
        logger.error({ err: error, room: room.roomId }, "could not restore the room's code and listing in redis");
        return false;
      }
    }),
  );
  await Promise.resolve(matchMaker.stats.persist(true)).catch((error: unknown) =>
    logger.warn({ err: error }, "could not restore this process's room count in redis"),
  );
  const outcome = { rooms: rooms.length, failed: results.filter((ok) => !ok).length };
  logger.info(outcome, "rooms restored in redis");
  return outcome;
}

/**
 * `GET /health`, `GET /ready`: what a process manager or load balancer asks. `GET /rooms`,
 * `GET /rooms/:code`: what a lobby or a shared link asks before joining.
 */
import { matchMaker, type IRoomCache, type RoomCache } from "@colyseus/core";
import { Router, type RequestHandler, type Response } from "express";
import type { DependencyStatus } from "../observability/dependencyStatus";
import { liveCounts } from "../observability/liveCounts";
import { HttpError } from "../protocol/errors";
import { sendHttpError } from "./httpErrors";
import type { JamListing } from "../rooms/jamStateWriter";
import { normalizeRoomCode } from "../rules/roomCode";
import { isRoomCodeClaimed } from "../rooms/roomCodes";
import { JAM_ROOM_NAME } from "../rooms/roomName";

export interface RoomSummary extends JamListing {
  roomId: string;
}

/**
 * The matchmaker's listings of live rooms. A process that died (kill -9, a crash) leaves its rooms
 * listed in a shared driver; its code claims expire, and a listing without one is removed here so
 * that a join by its code then answers "not found" instead of timing out on the dead process.
 */
export async function liveListings(conditions: Partial<IRoomCache>): Promise<IRoomCache[]> {
  const listings = await matchMaker.query({ name: JAM_ROOM_NAME, ...conditions });
  const claimed = await Promise.all(listings.map((cache) => isRoomCodeClaimed(matchMaker.presence, cache.roomId)));
  const ghosts = listings.filter((_, i) => !claimed[i]);
  // Both drivers answer queries with their RoomCache objects, which can remove themselves.
  await Promise.all(ghosts.map((ghost) => Promise.resolve((ghost as RoomCache).remove())));
  return listings.filter((_, i) => claimed[i]);
}

/** The route's `:code` as a canonical code; null after answering 400 when it cannot be one. */
export function codeParamOr400(param: string | undefined, res: Response): string | null {
  const code = normalizeRoomCode(param);
  if (code === null) sendHttpError(res, HttpError.INVALID_ROOM_CODE);
  return code;
}

function summarize(cache: IRoomCache): RoomSummary {
  const listing = cache.metadata as Partial<JamListing> | undefined;
  return {
    roomCode: listing?.roomCode ?? cache.roomId,
    roomId: cache.roomId,
    participants: listing?.participants ?? 0,
    maxParticipants: listing?.maxParticipants ?? 0,
    tempo: listing?.tempo ?? 0,
    isPlaying: listing?.isPlaying ?? false,
  };
}

/** `lookupLimit` guards the code look-up (the join budget of src/http/limits.ts). */
export function roomRoutes(
  dependencies: DependencyStatus,
  lookupLimit: RequestHandler = (_req, _res, next) => next(),
  startedAt: number = Date.now(),
): Router {
  const router = Router();

  // Liveness: from memory only, so a Redis outage never makes a process manager restart a process
  // whose rooms are still playing.
  router.get("/health", (_req, res) => {
    res.json({
      status: "ok",
      uptimeS: Math.floor((Date.now() - startedAt) / 1000),
      rooms: liveCounts.rooms(),
      clients: liveCounts.clients(),
      ...dependencies.states(),
    });
  });

  // Readiness: whether this process can serve matchmaking now (its shared services answer).
  router.get("/ready", async (_req, res, next) => {
    try {
      const { ready, states } = await dependencies.readiness();
      if (ready) res.json({ ready: true });
      else res.status(503).json({ ready: false, ...states });
    } catch (error) {
      next(error);
    }
  });

  router.get("/rooms", async (_req, res, next) => {
    try {
      const rooms = await liveListings({ private: false });
      res.json(rooms.map(summarize));
    } catch (error) {
      next(error);
    }
  });

  router.get("/rooms/:code", lookupLimit, async (req, res, next) => {
    const code = codeParamOr400(req.params.code, res);
    if (code === null) return;
    try {
      const [room] = await liveListings({ roomId: code });
      if (room === undefined) sendHttpError(res, HttpError.ROOM_NOT_FOUND);
      else res.json(summarize(room));
    } catch (error) {
      next(error);
    }
  });

  return router;
}

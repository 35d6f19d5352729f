/** `GET /health`, `GET /rooms`, `GET /rooms/:code`: what a lobby or a shared link asks before joining. */
import { matchMaker, type IRoomCache } from "@colyseus/core";
import { Router } from "express";
import { liveCounts } from "../observability/liveCounts";
import type { JamListing } from "../rooms/JamRoom";
import { normalizeRoomCode } from "../rules/roomCode";
import { JAM_ROOM_NAME } from "../rooms/roomName";

export interface RoomSummary extends JamListing {
  roomId: string;
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

export function roomRoutes(startedAt: number = Date.now()): Router {
  const router = Router();

  router.get("/health", async (_req, res, next) => {
    try {
      res.json({
        status: "ok",
        uptimeS: Math.floor((Date.now() - startedAt) / 1000),
        rooms: liveCounts.rooms(),
        clients: await liveCounts.clients(),
      });
    } catch (error) {
      next(error);
    }
  });

  router.get("/rooms", async (_req, res, next) => {
    try {
      const rooms = await matchMaker.query({ name: JAM_ROOM_NAME, private: false });
      res.json(rooms.map(summarize));
    } catch (error) {
      next(error);
    }
  });

  router.get("/rooms/:code", async (req, res, next) => {
    const code = normalizeRoomCode(req.params.code);
    if (code === null) {
      res.status(400).json({ error: "Invalid room code" });
      return;
    }
    try {
      const [room] = await matchMaker.query({ name: JAM_ROOM_NAME, roomId: code });
      if (room === undefined) res.status(404).json({ error: "Room not found" });
      else res.json(summarize(room));
    } catch (error) {
      next(error);
    }
  });

  return router;
}

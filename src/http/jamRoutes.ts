/** `GET /jams/:code`: what a saved jam holds, for a page that offers to open it again. */
import { type RequestHandler, Router } from "express";
import { HttpError } from "../protocol/errors";
import { sendHttpError } from "./httpErrors";
import type { JamStore } from "../storage/jamStore";
import { codeParamOr400, liveListings } from "./roomRoutes";

export interface JamSummary {
  roomCode: string;
  /** A room is open with that code now (on any process). */
  live: boolean;
  createdAt: number;
  savedAt: number;
  tempo: number;
  loopSteps: number;
  /** How many tracks the pattern has. */
  tracks: number;
  /** Names of everyone who joined as a musician. */
  musicians: string[];
  remixOf: string;
}

/** `lookupLimit` is the join budget, as for `GET /rooms/:code`: both turn a code into information. */
export function jamRoutes(store: JamStore, lookupLimit: RequestHandler): Router {
  const router = Router();

  router.get("/jams/:code", lookupLimit, async (req, res, next) => {
    const code = codeParamOr400(req.params.code, res);
    if (code === null) return;
    try {
      const [saved, rooms] = await Promise.all([store.load(code), liveListings({ roomId: code })]);
      if (saved === undefined) {
        sendHttpError(res, HttpError.JAM_NOT_FOUND);
        return;
      }
      const summary: JamSummary = {
        roomCode: saved.code,
        live: rooms.length > 0,
        createdAt: saved.createdAt,
        savedAt: saved.savedAt,
        tempo: saved.settings.tempo,
        loopSteps: saved.settings.loopSteps,
        tracks: saved.tracks.length,
        musicians: saved.musicians,
        remixOf: saved.remixOf,
      };
      res.json(summary);
    } catch (error) {
      next(error);
    }
  });

  return router;
}

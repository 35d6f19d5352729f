/**
 * What a saved jam holds, for a page that offers to open it again: `GET /jams/:code`, its versions
 * and its recordings. The downloads are in jamFileRoutes.ts.
 */
import { type RequestHandler, type Response, Router } from "express";
import { HttpError } from "../protocol/errors";
import type { JamStore } from "../storage/jamStore";
import { sendHttpError } from "./httpErrors";
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

/**
 * The route's `:code` of a saved jam; null after answering 400 (not a code) or 404 (no jam has it).
 * `lookUp` runs alongside the existence check (an unknown jam has nothing to find anyway).
 */
export async function savedJamCodeOr4xx<T>(
  store: JamStore,
  param: string | undefined,
  res: Response,
  lookUp: (code: string) => Promise<T>,
): Promise<{ code: string; found: T } | null> {
  const code = codeParamOr400(param, res);
  if (code === null) return null;
  const [exists, found] = await Promise.all([store.exists(code), lookUp(code)]);
  if (exists) return { code, found };
  sendHttpError(res, HttpError.JAM_NOT_FOUND);
  return null;
}

/** `lookupLimit` is the join budget, as for `GET /rooms/:code`: each turns a code into information. */
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

  // Newest first, as the store lists them.
  const lists: Record<string, (code: string) => Promise<unknown[]>> = {
    versions: (code) => store.listVersions(code),
    recordings: (code) => store.listRecordings(code),
  };
  for (const [path, list] of Object.entries(lists)) {
    router.get(`/jams/:code/${path}`, lookupLimit, async (req, res, next) => {
      try {
        const answer = await savedJamCodeOr4xx(store, req.params.code, res, list);
        if (answer !== null) res.json(answer.found);
      } catch (error) {
        next(error);
      }
    });
  }

  return router;
}

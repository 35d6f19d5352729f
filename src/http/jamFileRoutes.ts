/**
 * Downloads of a saved jam as Standard MIDI Files: a recording (`GET /jams/:code/recordings/:id.mid`)
 * and the current pattern as one loop (`GET /jams/:code/pattern.mid`).
 */
import { type RequestHandler, type Response, Router } from "express";
import { recordingMidi } from "../export/recordingMidi";
import { patternMidi } from "../export/patternMidi";
import { HttpError } from "../protocol/errors";
import type { JamStore } from "../storage/jamStore";
import { inSlices } from "../timeSlices";
import { sendHttpError } from "./httpErrors";
import { savedJamCodeOr4xx } from "./jamRoutes";
import { codeParamOr400 } from "./roomRoutes";

/** Recording ids count 1, 2, 3 … and are kept in a 32-bit integer column. */
const MAX_RECORDING_ID = 2 ** 31 - 1;

/** The route's `:id` as a recording id, or null: anything but a plain positive number finds no recording. */
function recordingIdParam(param: unknown): number | null {
  if (typeof param !== "string" || !/^[1-9][0-9]{0,9}$/.test(param)) return null;
  const id = Number(param);
  return id <= MAX_RECORDING_ID ? id : null;
}

function sendMidi(res: Response, fileName: string, bytes: Uint8Array): void {
  res.set({ "Content-Type": "audio/midi", "Content-Disposition": `attachment; filename="${fileName}"` });
  res.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** `lookupLimit`: the join budget, as for every `GET /jams/:code…`. */
export function jamFileRoutes(store: JamStore, lookupLimit: RequestHandler): Router {
  const router = Router();

  // Express reads `:id.mid` as the parameter `id` followed by ".mid": `/recordings/3.mid` → "3".
  router.get("/jams/:code/recordings/:id.mid", lookupLimit, async (req, res, next) => {
    const id = recordingIdParam(req.params.id);
    try {
      const answer = await savedJamCodeOr4xx(store, req.params.code, res, async (code) =>
        id === null ? undefined : store.loadRecording(code, id),
      );
      if (answer === null) return;
      if (answer.found === undefined) {
        sendHttpError(res, HttpError.RECORDING_NOT_FOUND);
        return;
      }
      // An hour of eight musicians is half a million events: written a slice at a time, so the
      // rooms on this process keep playing meanwhile.
      const bytes = await inSlices(recordingMidi(answer.found));
      sendMidi(res, `${answer.code}-${answer.found.id}.mid`, bytes);
    } catch (error) {
      next(error);
    }
  });

  router.get("/jams/:code/pattern.mid", lookupLimit, async (req, res, next) => {
    const code = codeParamOr400(req.params.code, res);
    if (code === null) return;
    try {
      const saved = await store.load(code);
      if (saved === undefined) sendHttpError(res, HttpError.JAM_NOT_FOUND);
      else sendMidi(res, `${code}-pattern.mid`, patternMidi(saved));
    } catch (error) {
      next(error);
    }
  });

  return router;
}

/**
 * What a saved jam is, and the one interface the room saves and opens jams through. The two stores
 * (PostgreSQL for a deployment, embedded SQLite for one process) are its only implementations.
 */
import { z } from "zod";
import { roomSettings } from "../protocol/options";

const msSinceEpoch = z.number().finite().min(0);

const savedStep = z.object({ on: z.boolean(), note: z.int().min(0).max(127), velocity: z.int().min(0).max(127) });

/** One row of the pattern, as plain data. */
const savedTrack = z.object({ id: z.string(), instrument: z.string(), createdBy: z.string(), steps: z.array(savedStep) });

const savedSettings = roomSettings;

const savedTransport = z.object({
  isPlaying: z.boolean(),
  /** Where step 0 of the running timeline falls (0 when stopped): kept so a resumed jam stays in time. */
  playStartedAt: msSinceEpoch,
  stoppedAtStep: z.int().min(0),
});

/**
 * The part of a jam kept as one JSON document: what the room restores, never queried by the store.
 * Columns hold only what the store itself filters or sorts on.
 */
export const savedJamDocument = z.object({
  settings: savedSettings,
  tracks: z.array(savedTrack),
  transport: savedTransport,
  /** Everyone who joined as a musician: names only, never tokens or addresses. */
  musicians: z.array(z.string()),
});

export const savedJam = savedJamDocument.extend({
  code: z.string().min(1).max(16),
  // Whole ms: the store keeps times in integer columns.
  createdAt: z.int().min(0),
  savedAt: z.int().min(0),
  /** The code of the jam this one was remixed from; "" when none. */
  remixOf: z.string().max(16),
});

export type SavedStep = z.infer<typeof savedStep>;
export type SavedTrack = z.infer<typeof savedTrack>;
export type SavedJamSettings = z.infer<typeof savedSettings>;
export type SavedTransport = z.infer<typeof savedTransport>;
export type SavedJamDocument = z.infer<typeof savedJamDocument>;
export type SavedJam = z.infer<typeof savedJam>;

export interface JamStore {
  /** Brings the schema to the latest version; safe to run on every start, and from several processes at once. */
  migrate(): Promise<void>;
  /** The saved jam with this code, or undefined. */
  load(code: string): Promise<SavedJam | undefined>;
  /** Writes the whole jam, replacing what was saved under its code. Saving counts as a use (see expiry). */
  save(jam: SavedJam): Promise<void>;
  exists(code: string): Promise<boolean>;
  /**
   * Deletes at most `limit` jams not used since `time` (ms since epoch), oldest first; returns how
   * many. Called repeatedly until it returns less than `limit`, so one sweep never holds the
   * database for long.
   */
  deleteUnusedBefore(time: number, limit: number): Promise<number>;
  count(): Promise<number>;
  /** Resolves once the database answers a trivial query: what readiness asks. */
  ping(): Promise<void>;
  /** Ends the store's connections; the store cannot be used afterwards. */
  close(): Promise<void>;
}

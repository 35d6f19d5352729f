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

/** A version: the settings, tempo and pattern at one moment, numbered 1, 2, 3 … per jam. */
export const jamVersionDocument = z.object({ settings: savedSettings, tracks: z.array(savedTrack) });

export const jamVersion = jamVersionDocument.extend({ version: z.int().min(1), savedAt: z.int().min(0) });

/** `GET /jams/:code/versions`: one row per version, newest first. */
export interface VersionSummary {
  version: number;
  savedAt: number;
  tempo: number;
  /** How many tracks the pattern has. */
  tracks: number;
}

/**
 * What a recording keeps, each with its server time (ms since epoch). A note keeps when it was
 * received and the `at` its sender asked for: the export decides which one it sounds at.
 */
export const recordedEvent = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("note"),
    receivedAt: msSinceEpoch,
    at: msSinceEpoch.optional(),
    /** The musician's name: one MIDI track each. */
    musician: z.string(),
    instrument: z.string(),
    note: z.int().min(0).max(127),
    velocity: z.int().min(0).max(127),
    on: z.boolean(),
  }),
  /** A tempo change, at the time it takes effect. */
  z.object({ kind: z.literal("tempo"), at: msSinceEpoch, tempo: z.number().positive() }),
  z.object({ kind: z.literal("transport"), at: msSinceEpoch, isPlaying: z.boolean(), step: z.int().min(0) }),
]);

/** `GET /jams/:code/recordings`: one row per recording, newest first. */
export interface RecordingSummary {
  id: number;
  startedAt: number;
  durationMs: number;
  /** How many notes sounded (note-ons). */
  notes: number;
  /** Names of everyone who played, in the order they first played. */
  musicians: string[];
}

/** What a recording's next batch adds: its events, and where the recording stands after them. */
export interface RecordingBatch {
  code: string;
  /** The recording's id in its jam. */
  recordingId: number;
  /**
   * The batch's number in its recording, 1, 2, 3 … in order (0 when it has no events): a batch sent
   * again after a failed write keeps its number and is kept once.
   */
  chunk: number;
  events: RecordedEvent[];
  /** The latest time the recording covers so far (its end once stopped). */
  endedAt: number;
  notes: number;
  musicians: string[];
}

export interface Recording extends RecordingSummary {
  /** The tempo when the recording started. */
  tempo: number;
  /** Every event, in the order recorded. */
  events: RecordedEvent[];
}

export type SavedStep = z.infer<typeof savedStep>;
export type SavedTrack = z.infer<typeof savedTrack>;
export type SavedJamSettings = z.infer<typeof savedSettings>;
export type SavedTransport = z.infer<typeof savedTransport>;
export type SavedJamDocument = z.infer<typeof savedJamDocument>;
export type SavedJam = z.infer<typeof savedJam>;
export type JamVersionDocument = z.infer<typeof jamVersionDocument>;
export type JamVersion = z.infer<typeof jamVersion>;
export type RecordedEvent = z.infer<typeof recordedEvent>;

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

  // Versions and recordings belong to a saved jam (save it first) and go with it.
  /** Keeps a version under the next number and drops all but the newest `keep`; returns its number. */
  addVersion(code: string, savedAt: number, version: JamVersionDocument, keep: number): Promise<number>;
  /** Newest first. */
  listVersions(code: string): Promise<VersionSummary[]>;
  loadVersion(code: string, version: number): Promise<JamVersion | undefined>;
  /** Starts a recording under the next id and drops all but the newest `keep`; returns its id. */
  startRecording(code: string, startedAt: number, tempo: number, keep: number): Promise<number>;
  /**
   * Adds batches of events to recordings (any number of recordings, one batch each) and updates
   * their summaries: one process writes every recording room's batch of the second in one call.
   */
  appendRecordings(batches: readonly RecordingBatch[]): Promise<void>;
  /** Newest first. */
  listRecordings(code: string): Promise<RecordingSummary[]>;
  loadRecording(code: string, id: number): Promise<Recording | undefined>;

  /** Resolves once the database answers a trivial query: what readiness asks. */
  ping(): Promise<void>;
  /** Ends the store's connections; the store cannot be used afterwards. */
  close(): Promise<void>;
}

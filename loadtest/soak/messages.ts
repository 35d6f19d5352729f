/** What the soak sends and reads: the part of the state it looks at, and its ordinary notes. */
import type { Room } from "colyseus.js";

/** The part of the synced state the soak reads (decoded by reflection; undefined until the first patch). */
export interface JamView {
  host?: string;
  roomCode?: string;
  isPlaying?: boolean;
}

export type JamRoomHandle = Room<JamView>;

/** Sent `at` this far in the future, as a client scheduling audio would. */
export const NOTE_LEAD_MS = 100;
export const PING_EVERY_MS = 2000;
export const TRACK_ID = "soak";
export const LOOP_STEPS = 16;
export const noteFor = (seq: number): number => 24 + (seq % 96);
export const velocityFor = (seq: number): number => 1 + (seq % 127);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The tables as Kysely sees them. */
import type { ColumnType } from "kysely";

export type StoreKind = "postgres" | "sqlite";

/**
 * The type of a JSON column: JSONB on PostgreSQL so later steps can query into it; SQLite has no
 * JSON type, its JSON functions read TEXT.
 */
export function jsonColumnType(kind: StoreKind): "jsonb" | "text" {
  return kind === "postgres" ? "jsonb" : "text";
}

/**
 * ms since epoch in a BIGINT column: node-postgres returns BIGINT as a string (it may exceed 2^53),
 * better-sqlite3 as a number; the store converts either.
 */
type Millis = ColumnType<number | string, number, number>;

/** JSON in a column: parsed already by node-postgres (JSONB), text from SQLite. */
type Json = ColumnType<unknown, string, string>;

export interface JamsTable {
  code: string;
  created_at: Millis;
  saved_at: Millis;
  /** When the jam was last saved: what expiry goes by (the room is to save a jam when it opens it, so opening counts). */
  used_at: Millis;
  remix_of: string;
  /** SavedJamDocument as JSON. */
  document: Json;
}

export interface JamVersionsTable {
  code: string;
  version: number;
  saved_at: Millis;
  /** JamVersionDocument as JSON. */
  document: Json;
}

export interface RecordingsTable {
  code: string;
  id: number;
  started_at: Millis;
  ended_at: Millis;
  tempo: number;
  notes: number;
  /** Names in the order they first played, as a JSON array. */
  musicians: Json;
}

/** A recording's events, a batch a row: one insert a second per recording room, not one per note. */
export interface RecordingChunksTable {
  code: string;
  recording_id: number;
  chunk: number;
  /** RecordedEvent[] as JSON. */
  events: Json;
}

export interface StoreTables {
  jams: JamsTable;
  jam_versions: JamVersionsTable;
  recordings: RecordingsTable;
  recording_chunks: RecordingChunksTable;
}

/** A JSON column's value: node-postgres parses JSONB itself, SQLite hands over the text. */
export function readJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

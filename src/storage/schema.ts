/** The tables as Kysely sees them. */
import type { ColumnType } from "kysely";

export type StoreKind = "postgres" | "sqlite";

/**
 * ms since epoch in a BIGINT column: node-postgres returns BIGINT as a string (it may exceed 2^53),
 * better-sqlite3 as a number; the store converts either.
 */
type Millis = ColumnType<number | string, number, number>;

export interface JamsTable {
  code: string;
  created_at: Millis;
  saved_at: Millis;
  /** When the jam was last saved: what expiry goes by (the room is to save a jam when it opens it, so opening counts). */
  used_at: Millis;
  remix_of: string;
  /** SavedJamDocument as JSON: parsed already by node-postgres (JSONB), text from SQLite. */
  document: ColumnType<unknown, string, string>;
}

export interface StoreTables {
  jams: JamsTable;
}

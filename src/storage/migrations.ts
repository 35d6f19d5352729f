/**
 * The schema, as Kysely migrations applied in name order. Never edit one that has shipped: add the
 * next. Versions and recordings have tables of their own, each referencing `jams.code` with
 * ON DELETE CASCADE, so expiring a jam removes them without the expiry knowing they exist.
 */
import type { Kysely, Migration } from "kysely";
import { jsonColumnType, type StoreKind } from "./schema";

export function migrationsFor(kind: StoreKind): Record<string, Migration> {
  const documentType = jsonColumnType(kind);
  return {
    "0001_jams": {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable("jams")
          .addColumn("code", "text", (column) => column.primaryKey())
          .addColumn("created_at", "bigint", (column) => column.notNull())
          .addColumn("saved_at", "bigint", (column) => column.notNull())
          .addColumn("used_at", "bigint", (column) => column.notNull())
          .addColumn("remix_of", "text", (column) => column.notNull().defaultTo(""))
          .addColumn("document", documentType, (column) => column.notNull())
          .execute();
        // Expiry scans by last use.
        await db.schema.createIndex("jams_used_at").on("jams").column("used_at").execute();
      },
    },
    "0002_versions_and_recordings": {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable("jam_versions")
          .addColumn("code", "text", (column) => column.notNull().references("jams.code").onDelete("cascade"))
          .addColumn("version", "integer", (column) => column.notNull())
          .addColumn("saved_at", "bigint", (column) => column.notNull())
          .addColumn("document", documentType, (column) => column.notNull())
          .addPrimaryKeyConstraint("jam_versions_pk", ["code", "version"])
          .execute();
        await db.schema
          .createTable("recordings")
          .addColumn("code", "text", (column) => column.notNull().references("jams.code").onDelete("cascade"))
          .addColumn("id", "integer", (column) => column.notNull())
          .addColumn("started_at", "bigint", (column) => column.notNull())
          .addColumn("ended_at", "bigint", (column) => column.notNull())
          .addColumn("tempo", "double precision", (column) => column.notNull())
          .addColumn("notes", "integer", (column) => column.notNull())
          .addColumn("musicians", documentType, (column) => column.notNull())
          .addPrimaryKeyConstraint("recordings_pk", ["code", "id"])
          .execute();
        await db.schema
          .createTable("recording_chunks")
          .addColumn("code", "text", (column) => column.notNull())
          .addColumn("recording_id", "integer", (column) => column.notNull())
          .addColumn("chunk", "integer", (column) => column.notNull())
          .addColumn("events", documentType, (column) => column.notNull())
          .addPrimaryKeyConstraint("recording_chunks_pk", ["code", "recording_id", "chunk"])
          .addForeignKeyConstraint("recording_chunks_recording", ["code", "recording_id"], "recordings", ["code", "id"], (constraint) =>
            constraint.onDelete("cascade"),
          )
          .execute();
      },
    },
  };
}

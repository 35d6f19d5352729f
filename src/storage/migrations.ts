/**
 * The schema, as Kysely migrations applied in name order. Never edit one that has shipped: add the
 * next. Versions and recordings get tables of their own later, each referencing `jams.code` with
 * ON DELETE CASCADE, so expiring a jam removes them without the store knowing they exist.
 */
import type { Kysely, Migration } from "kysely";
import type { StoreKind } from "./schema";

export function migrationsFor(kind: StoreKind): Record<string, Migration> {
  // JSONB on PostgreSQL so later steps can query into a jam; SQLite has no JSON type, its JSON
  // functions read TEXT.
  const documentType = kind === "postgres" ? "jsonb" : "text";
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
  };
}

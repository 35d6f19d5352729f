/**
 * JamStore on Kysely: one code path for both stores; the dialect and how migrations are serialised
 * are all that differ between PostgreSQL and SQLite.
 */
import { type Kysely, Migrator, sql } from "kysely";
import * as history from "./jamHistory";
import type {
  JamStore,
  JamVersion,
  JamVersionDocument,
  Recording,
  RecordingBatch,
  RecordingSummary,
  SavedJam,
  VersionSummary,
} from "./jamStore";
import { savedJam, savedJamDocument } from "./jamStore";
import { migrationsFor } from "./migrations";
import { readJson, type StoreKind, type StoreTables } from "./schema";

/** Runs `migrate` so that no other process migrates the same database meanwhile. */
export type MigrationLock = (db: Kysely<StoreTables>, migrate: () => Promise<void>) => Promise<void>;

/** Documents written by later versions of the server may hold more; only what this one reads is kept. */
function documentOf(jam: SavedJam): string {
  return JSON.stringify(savedJamDocument.parse(jam));
}

export class KyselyJamStore implements JamStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly kind: StoreKind,
    private readonly withMigrationLock: MigrationLock,
    /** What else the store holds open, stopped before the database closes. */
    private readonly beforeClose: () => Promise<void> = async () => undefined,
  ) {}

  async migrate(): Promise<void> {
    const migrations = migrationsFor(this.kind);
    const migrator = new Migrator({ db: this.db, provider: { getMigrations: async () => migrations } });
    await this.withMigrationLock(this.db, async () => {
      const { error } = await migrator.migrateToLatest();
      if (error !== undefined) {
        throw new Error(`migrating the ${this.kind} jam store failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
    });
  }

  async load(code: string): Promise<SavedJam | undefined> {
    const row = await this.db.selectFrom("jams").selectAll().where("code", "=", code).executeTakeFirst();
    if (row === undefined) return undefined;
    const document = readJson(row.document);
    // Parsed, not cast: a row written by hand or by another version fails here, with the field named,
    // rather than later inside the room.
    return savedJam.parse({
      ...savedJamDocument.parse(document),
      code: row.code,
      createdAt: Number(row.created_at),
      savedAt: Number(row.saved_at),
      remixOf: row.remix_of,
    });
  }

  async save(jam: SavedJam): Promise<void> {
    const valid = savedJam.parse(jam);
    const row = {
      code: valid.code,
      created_at: valid.createdAt,
      saved_at: valid.savedAt,
      used_at: valid.savedAt,
      remix_of: valid.remixOf,
      document: documentOf(valid),
    };
    await this.db
      .insertInto("jams")
      .values(row)
      .onConflict((conflict) =>
        conflict.column("code").doUpdateSet((eb) => ({
          created_at: eb.ref("excluded.created_at"),
          saved_at: eb.ref("excluded.saved_at"),
          used_at: eb.ref("excluded.used_at"),
          remix_of: eb.ref("excluded.remix_of"),
          document: eb.ref("excluded.document"),
        })),
      )
      .execute();
  }

  async exists(code: string): Promise<boolean> {
    const row = await this.db.selectFrom("jams").select("code").where("code", "=", code).executeTakeFirst();
    return row !== undefined;
  }

  async deleteUnusedBefore(time: number, limit: number): Promise<number> {
    // DELETE … LIMIT is not portable (PostgreSQL has none): pick the batch in a subquery.
    const batch = this.db.selectFrom("jams").select("code").where("used_at", "<", time).orderBy("used_at").limit(limit);
    const result = await this.db.deleteFrom("jams").where("code", "in", batch).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async count(): Promise<number> {
    const { n } = await this.db
      .selectFrom("jams")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  addVersion(code: string, savedAt: number, version: JamVersionDocument, keep: number): Promise<number> {
    return history.addVersion(this.db, code, savedAt, version, keep);
  }
  listVersions(code: string): Promise<VersionSummary[]> {
    return history.listVersions(this.db, code);
  }
  loadVersion(code: string, version: number): Promise<JamVersion | undefined> {
    return history.loadVersion(this.db, code, version);
  }
  startRecording(code: string, startedAt: number, tempo: number, keep: number): Promise<number> {
    return history.startRecording(this.db, code, startedAt, tempo, keep);
  }
  appendRecordings(batches: readonly RecordingBatch[]): Promise<void> {
    return history.appendRecordings(this.db, this.kind, batches);
  }
  listRecordings(code: string): Promise<RecordingSummary[]> {
    return history.listRecordings(this.db, code);
  }
  loadRecording(code: string, id: number): Promise<Recording | undefined> {
    return history.loadRecording(this.db, code, id);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.beforeClose();
    await this.db.destroy();
  }
}

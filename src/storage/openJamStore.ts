/**
 * Picks the store: PostgreSQL when DATABASE_URL is set (shared by every process of a deployment),
 * otherwise an embedded SQLite file under DATA_DIR so `npm start` keeps jams with no other service.
 *
 * Embedded SQLite through better-sqlite3 rather than PGlite (PostgreSQL in WebAssembly, which would
 * have let both stores speak one SQL dialect): measured here, better-sqlite3 does ~75,000 upserts/s
 * in ~50 MiB RSS; PGlite 1,600–2,300 upserts/s in 330–820 MiB RSS and takes 0.3–2.4 s to open.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import { Pool } from "pg";
import type { Logger } from "../logger";
import type { JamStore } from "./jamStore";
import { KyselyJamStore, type MigrationLock } from "./kyselyJamStore";
import type { StoreTables } from "./schema";
import { WalCheckpointer } from "./walCheckpointer";

export interface StoreLocation {
  /** postgres:// or postgresql://; set, it wins over `dataDir`. */
  databaseUrl: string | undefined;
  /** Folder of the SQLite file, created when missing; `:memory:` keeps nothing on disk. */
  dataDir: string;
}

/** The embedded database's file name inside DATA_DIR. */
export const SQLITE_FILE = "jams.sqlite";

/** Any constant shared by every process of the deployment: the key of the migration lock. */
const MIGRATION_LOCK_KEY = 7_261_990_016;

/**
 * Processes starting together each migrate: the session lock makes them take turns, so the second
 * finds the schema current. Held on its own connection while the migrator uses others of the pool.
 */
const postgresMigrationLock: MigrationLock = async (db, migrate) => {
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(connection);
    try {
      await migrate();
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(connection);
    }
  });
};

/** better-sqlite3 has one connection per process and runs each migration in a transaction. */
const noMigrationLock: MigrationLock = async (_db, migrate) => migrate();

function openPostgres(databaseUrl: string): JamStore {
  const pool = new Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5000 });
  // An idle connection the server drops (a restart, a failover) emits here; without a listener it
  // would end the process. The pool replaces it, and the next query reports any lasting failure.
  pool.on("error", () => undefined);
  const db = new Kysely<StoreTables>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyJamStore(db, "postgres", postgresMigrationLock);
}

function openSqlite(dataDir: string, log: Logger | undefined): JamStore {
  let file = ":memory:";
  if (dataDir !== ":memory:") {
    mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, SQLITE_FILE);
  }
  const database = new BetterSqlite3(file);
  // WAL: a save does not wait on readers; synchronous=NORMAL keeps every committed save when the
  // process is killed (only a power loss can drop the last ones), at a fraction of FULL's fsyncs.
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  // Later tables cascade from `jams` (see migrations.ts); SQLite enforces that only when asked.
  database.pragma("foreign_keys = ON");
  // A second process on the same DATA_DIR (a developer's second terminal) waits instead of failing.
  database.pragma("busy_timeout = 5000");
  // The log is checkpointed off the event loop (walCheckpointer.ts); an in-memory database has none.
  const onFailure = (error: unknown): void =>
    log?.error({ err: error }, "the store's checkpoint worker stopped: the server's connection checkpoints the log again");
  const checkpointer = file === ":memory:" ? undefined : new WalCheckpointer(database, file, { onFailure });
  const db = new Kysely<StoreTables>({ dialect: new SqliteDialect({ database }) });
  return new KyselyJamStore(db, "sqlite", noMigrationLock, async () => checkpointer?.stop());
}

/**
 * Opens the store; nothing is read or written until `migrate()` (call it first). `log` hears of a
 * failure of the embedded store's checkpoint worker.
 */
export function openJamStore(location: StoreLocation, log?: Logger): JamStore {
  return location.databaseUrl === undefined ? openSqlite(location.dataDir, log) : openPostgres(location.databaseUrl);
}

/**
 * The PostgreSQL the store tests use: each suite creates a database of its own with a unique name
 * and drops it after. A missing PostgreSQL fails those suites with a way to start one; only
 * SKIP_POSTGRES_TESTS=1 turns that into a skip.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";

/** The server's maintenance database: where test databases are created from and dropped. */
export const TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export const SKIP_POSTGRES_TESTS = process.env.SKIP_POSTGRES_TESTS === "1";

export const POSTGRES_MISSING_HINT =
  "These tests need PostgreSQL on 127.0.0.1:5432 accepting user postgres without a password (trust). " +
  "Start it with `service postgresql start` (check it with `pg_isready -h 127.0.0.1 -p 5432`), " +
  "or set SKIP_POSTGRES_TESTS=1 to skip the PostgreSQL store tests.";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onMaintenanceDatabase<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database, or an Error that says why there is none. */
export async function createTestDatabase(): Promise<TestDatabase | Error> {
  // Letters and digits only: the name goes into CREATE DATABASE unquoted.
  const name = `jam_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  try {
    await onMaintenanceDatabase((client) => client.query(`CREATE DATABASE ${name}`));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new Error(`PostgreSQL at ${TEST_POSTGRES_URL} does not answer (${reason}). ${POSTGRES_MISSING_HINT}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    // WITH (FORCE): a connection a failed test left open must not keep the database alive.
    drop: () => onMaintenanceDatabase((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A database of the caller's own for servers it starts (scale-out tests, soak, fault scripts); throws when PostgreSQL does not answer. */
export async function ownDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  if (database instanceof Error) throw database;
  return database;
}

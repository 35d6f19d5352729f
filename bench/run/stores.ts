/**
 * The stores a saving run puts the jam server on, each made for the run and removed after it: the
 * embedded database in memory (no disk I/O), in a temporary folder, or a PostgreSQL database of
 * the run's own (support/postgres.ts), dropped at the end.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ownDatabase, TEST_POSTGRES_URL } from "../../support/postgres";
import type { DriverArgs } from "../lib/ipc";
import type { StoreVariant } from "../lib/results";
import { live, log } from "./context";

export const STORE_LABEL: Record<StoreVariant, string> = {
  memory: "in memory (baseline)",
  file: "embedded file",
  postgres: "PostgreSQL",
};

export interface BenchStore {
  variant: StoreVariant;
  /** What the jam server gets: DATA_DIR or DATABASE_URL. */
  env: Record<string, string>;
  /** What the seed and readback drivers get to open the same store. */
  args: DriverArgs;
  /** A folder of the store's own for files the run writes next to it. */
  scratch: string;
  /** Text in the command line of the processes that do the store's work outside the server (PostgreSQL's backends). */
  processText?: string;
  remove(): Promise<void>;
}

function scratchFolder(): string {
  return mkdtempSync(join(tmpdir(), "jam-bench-saving-"));
}

/**
 * A store of `variant`, or an Error saying why there is none (PostgreSQL not answering). If the
 * run is interrupted, the folder is removed and the database dropped on the way out (best effort,
 * with psql: nothing asynchronous runs then).
 */
export async function openBenchStore(variant: StoreVariant): Promise<BenchStore | Error> {
  const scratch = scratchFolder();
  const removeScratch = (): void => rmSync(scratch, { recursive: true, force: true });
  if (variant !== "postgres") {
    const dataDir = variant === "memory" ? ":memory:" : join(scratch, "data");
    const guard = { kill: removeScratch };
    live.add(guard);
    return {
      variant,
      env: { DATA_DIR: dataDir },
      args: { "data-dir": dataDir },
      scratch,
      remove: async () => {
        removeScratch();
        live.delete(guard);
      },
    };
  }
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  try {
    database = await ownDatabase();
  } catch (error) {
    removeScratch();
    return error instanceof Error ? error : new Error(String(error));
  }
  const name = new URL(database.url).pathname.slice(1);
  const guard = {
    kill: () => {
      removeScratch();
      try {
        execFileSync("psql", [TEST_POSTGRES_URL, "-c", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: "ignore" });
      } catch {
        // Nothing more can be done on the way out; the name says which run left it.
      }
    },
  };
  live.add(guard);
  log(`PostgreSQL database ${name} created`);
  return {
    variant,
    env: { DATABASE_URL: database.url },
    args: { "database-url": database.url },
    scratch,
    // A backend's command line: "postgres: 15/main: <user> <database> <address> <state>".
    processText: `postgres ${name} `,
    remove: async () => {
      removeScratch();
      await database.drop();
      live.delete(guard);
      log(`PostgreSQL database ${name} dropped`);
    },
  };
}

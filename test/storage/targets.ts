/**
 * The stores the JamStore suite runs against: SQLite in a temporary folder and in memory, and
 * PostgreSQL in a database of the suite's own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { JamStore, SavedJam } from "../../src/storage/jamStore";
import { openJamStore, type StoreLocation } from "../../src/storage/openJamStore";
import { createTestDatabase, SKIP_POSTGRES_TESTS, type TestDatabase } from "../../support/postgres";

export interface StoreTarget {
  name: string;
  /** Whether what is saved is there again after close and reopen. */
  durable: boolean;
  /** Prepares the place the store lives in; undefined, or "skip" when the suite is to be skipped. */
  setUp(): Promise<undefined | "skip">;
  tearDown(): Promise<void>;
  open(): JamStore;
  /** A fresh place for another store (PostgreSQL only: for racing migrations). */
  freshDatabase?(): Promise<StoreLocation & { drop(): Promise<void> }>;
}

function sqliteInFolder(): StoreTarget {
  let root = "";
  return {
    name: "SQLite in DATA_DIR",
    durable: true,
    async setUp() {
      root = mkdtempSync(path.join(tmpdir(), "jam-store-"));
      return undefined;
    },
    async tearDown() {
      if (root !== "") rmSync(root, { recursive: true, force: true });
    },
    // A folder that does not exist yet: the store creates it.
    open: () => openJamStore({ databaseUrl: undefined, dataDir: path.join(root, "data", "jams") }),
  };
}

function sqliteInMemory(): StoreTarget {
  return {
    name: "SQLite :memory:",
    durable: false,
    setUp: async () => undefined,
    tearDown: async () => undefined,
    open: () => openJamStore({ databaseUrl: undefined, dataDir: ":memory:" }),
  };
}

async function databaseOrThrow(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  if (database instanceof Error) throw database;
  return database;
}

function postgres(): StoreTarget {
  let database: TestDatabase | undefined;
  return {
    name: "PostgreSQL",
    durable: true,
    async setUp() {
      if (SKIP_POSTGRES_TESTS) return "skip";
      database = await databaseOrThrow();
      return undefined;
    },
    async tearDown() {
      await database?.drop();
    },
    open() {
      if (database === undefined) throw new Error("the PostgreSQL target is used before its database was created");
      return openJamStore({ databaseUrl: database.url, dataDir: ":memory:" });
    },
    async freshDatabase() {
      const fresh = await databaseOrThrow();
      return { databaseUrl: fresh.url, dataDir: ":memory:", drop: () => fresh.drop() };
    },
  };
}

export const STORE_TARGETS: readonly (() => StoreTarget)[] = [sqliteInFolder, sqliteInMemory, postgres];

/** A jam with every field set to something other than a default. */
export function sampleJam(code: string, savedAt: number, overrides: Partial<SavedJam> = {}): SavedJam {
  return {
    code,
    createdAt: savedAt - 60_000,
    savedAt,
    settings: { tempo: 97.5, loopSteps: 32, maxParticipants: 6, private: true, transport: "everyone" },
    tracks: [
      {
        id: "t1",
        instrument: "drums",
        createdBy: "Zoë 🎛️",
        steps: Array.from({ length: 32 }, (_, i) => ({ on: i % 4 === 0, note: 36 + (i % 3), velocity: 90 + (i % 20) })),
      },
      { id: "t2", instrument: "bass", createdBy: "Ann", steps: Array.from({ length: 32 }, () => ({ on: false, note: 40, velocity: 100 })) },
    ],
    transport: { isPlaying: true, playStartedAt: savedAt - 1234.5625, stoppedAtStep: 0 },
    remixOf: "K7QF2M",
    musicians: ["Zoë 🎛️", "Ann", "李"],
    ...overrides,
  };
}

/**
 * The stores a room suite runs against: SQLite in memory, and PostgreSQL in a database of the
 * suite's own (skipped with SKIP_POSTGRES_TESTS). The suite keeps the store to look into it.
 */
import type { JamStore } from "../../src/storage/jamStore";
import { openJamStore } from "../../src/storage/openJamStore";
import { createTestDatabase, SKIP_POSTGRES_TESTS, type TestDatabase } from "../../support/postgres";
import { memoryStore } from "./server";

export interface StoreCase {
  name: string;
  open(): Promise<JamStore | "skip">;
  tearDown(): Promise<void>;
}

function postgresCase(): StoreCase {
  let database: TestDatabase | undefined;
  return {
    name: "PostgreSQL",
    async open() {
      if (SKIP_POSTGRES_TESTS) return "skip";
      const created = await createTestDatabase();
      if (created instanceof Error) throw created;
      database = created;
      return openJamStore({ databaseUrl: created.url, dataDir: ":memory:" });
    },
    tearDown: async () => database?.drop(),
  };
}

const memoryCase = (): StoreCase => ({ name: "SQLite :memory:", open: async () => memoryStore(), tearDown: async () => undefined });

export const STORE_CASES: readonly (() => StoreCase)[] = [memoryCase, postgresCase];

/**
 * For `useJamServer`'s store: the case's store, or (when the case is skipped) one in memory with
 * `skipped()` true so the suite's `before` can skip. `store()` is the store the server got.
 */
export function storeFor(target: StoreCase) {
  let opened: JamStore | undefined;
  let skip = false;
  return {
    open: async (): Promise<JamStore> => {
      const store = await target.open();
      skip = store === "skip";
      opened = store === "skip" ? memoryStore() : store;
      return opened;
    },
    skipped: () => skip,
    store: (): JamStore => {
      if (opened === undefined) throw new Error("the store is used before the server opened it");
      return opened;
    },
  };
}

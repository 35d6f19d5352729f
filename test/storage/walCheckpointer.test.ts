/**
 * The embedded store's write-ahead log is checkpointed by a worker thread, not by the server's
 * connection in the middle of a save.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { WalCheckpointer } from "../../src/storage/walCheckpointer";

describe("storage > the write-ahead log's checkpoints", () => {
  let root = "";
  let database: BetterSqlite3.Database;
  let checkpointer: WalCheckpointer | undefined;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "jam-wal-"));
    database = new BetterSqlite3(path.join(root, "jams.sqlite"));
    database.pragma("journal_mode = WAL");
    database.exec("create table jams (code text primary key, document text not null)");
  });

  afterEach(async () => {
    await checkpointer?.stop();
    checkpointer = undefined;
    database.close();
    rmSync(root, { recursive: true, force: true });
  });

  const save = (count: number): void => {
    const upsert = database.prepare("insert into jams values (?, ?) on conflict(code) do update set document = excluded.document");
    for (let i = 0; i < count; i++) upsert.run(`J${i % 10}`, "x".repeat(4000));
  };

  it("stops the server's connection from checkpointing, and copies the log into the database from the worker", async () => {
    checkpointer = new WalCheckpointer(database, path.join(root, "jams.sqlite"), { everyMs: 20 });
    assert.deepEqual(database.pragma("wal_autocheckpoint"), [{ wal_autocheckpoint: 0 }]);
    // Past SQLite's own threshold of 1,000 pages, where the server's connection would have checkpointed.
    save(1500);
    const checkpoint = await checkpointer.next();
    assert.ok(checkpoint.log > 0, "the log holds the saves");
    assert.equal(checkpoint.checkpointed, checkpoint.log, "every page of the log is in the database file");
  });

  it("gives the checkpoints back to the server's connection, and says so, when the worker fails", async () => {
    const failures: unknown[] = [];
    const reported = new Promise<void>((resolve) => {
      // A database the worker cannot open: its first statement throws and the worker ends.
      checkpointer = new WalCheckpointer(database, path.join(root, "missing", "jams.sqlite"), {
        everyMs: 20,
        onFailure: (error) => {
          failures.push(error);
          resolve();
        },
      });
    });
    const waiting = checkpointer?.next();
    await reported;
    assert.equal(failures.length, 1);
    assert.deepEqual(database.pragma("wal_autocheckpoint"), [{ wal_autocheckpoint: 1000 }]);
    await assert.rejects(waiting ?? Promise.resolve(), /the checkpoint worker has stopped/);
  });

  it("closes its connection when stopped, and the store's data stays whole", async () => {
    checkpointer = new WalCheckpointer(database, path.join(root, "jams.sqlite"), { everyMs: 20 });
    save(20);
    await checkpointer.next();
    await checkpointer.stop();
    checkpointer = undefined;
    assert.deepEqual(database.prepare("select count(*) as jams from jams").get(), { jams: 10 });
    assert.deepEqual(database.pragma("integrity_check"), [{ integrity_check: "ok" }]);
  });
});

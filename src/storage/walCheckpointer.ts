/**
 * Checkpoints the embedded store's write-ahead log from a worker thread.
 *
 * By default SQLite checkpoints a WAL database on the connection that commits (once the log
 * passes 1,000 pages): it copies the log into the database file and syncs it, synchronously, so
 * on the event loop, inside a save. That held every room of the process for milliseconds at a
 * time while saves were frequent (the pattern-edit storm of BENCHMARKS.md). The server's
 * connection turns that off and this worker, with a connection of its own, checkpoints PASSIVE
 * every CHECKPOINT_EVERY_MS: a passive checkpoint never waits on, nor blocks, the server's writes.
 * Should the worker fail, the server's connection checkpoints itself again, as SQLite's default.
 */
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";

const CHECKPOINT_EVERY_MS = 1000;
/** SQLite's default: a connection checkpoints once the log holds this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** Pages in the log and pages copied into the database file, as `wal_checkpoint` reports them. */
export interface Checkpoint {
  log: number;
  checkpointed: number;
}

// Plain JavaScript run by the worker: the driver's path comes from here, so it resolves the same module.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
const checkpoint = () => {
  const [result] = db.pragma("wal_checkpoint(PASSIVE)");
  parentPort.postMessage({ log: result.log, checkpointed: result.checkpointed });
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly waiting = new Set<(checkpoint: Checkpoint) => void>();
  private readonly exited: Promise<void>;

  /** Starts checkpointing `file`, whose log `database` (the server's connection) stops checkpointing itself. */
  constructor(database: BetterSqlite3.Database, file: string, everyMs = CHECKPOINT_EVERY_MS) {
    database.pragma("wal_autocheckpoint = 0");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve("better-sqlite3"), file, everyMs },
    });
    // It only checkpoints: it never keeps the process alive.
    this.worker.unref();
    this.worker.on("message", (checkpoint: Checkpoint) => {
      for (const resolve of this.waiting) resolve(checkpoint);
      this.waiting.clear();
    });
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", () => resolve());
    });
    // A worker that failed checkpoints nothing: the server's connection takes it back.
    this.worker.once("error", () => {
      if (database.open) database.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    });
  }

  /** Resolves with the worker's next checkpoint. */
  next(): Promise<Checkpoint> {
    return new Promise((resolve) => this.waiting.add(resolve));
  }

  /** Stops the worker and waits for it to close its connection. */
  async stop(): Promise<void> {
    this.worker.postMessage("stop");
    await this.exited;
  }
}

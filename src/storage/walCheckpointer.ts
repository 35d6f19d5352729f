/**
 * Checkpoints the embedded store's write-ahead log from a worker thread.
 *
 * By default SQLite checkpoints a WAL database on the connection that commits (once the log
 * passes 1,000 pages): it copies the log into the database file and syncs it, synchronously, so
 * on the event loop, inside a save. That held every room of the process for milliseconds at a
 * time while saves were frequent (the pattern-edit storm of BENCHMARKS.md). The server's
 * connection turns that off and this worker, with a connection of its own, checkpoints PASSIVE
 * every CHECKPOINT_EVERY_MS: a passive checkpoint never waits on, nor blocks, the server's writes.
 * Should the worker fail or exit, the server's connection checkpoints itself again, as SQLite's
 * default, and the failure is reported.
 */
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";

const CHECKPOINT_EVERY_MS = 1000;
/** SQLite's default: a connection checkpoints once the log holds this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
/** A worker that has not closed its connection by then is terminated. */
const STOP_TIMEOUT_MS = 5000;

/** Pages in the log and pages copied into the database file, as `wal_checkpoint` reports them. */
export interface Checkpoint {
  log: number;
  checkpointed: number;
}

export interface CheckpointerOptions {
  everyMs?: number;
  /** The worker failed or exited on its own: the server's connection checkpoints again. */
  onFailure?: (error: unknown) => void;
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

function checkpointOf(message: unknown): Checkpoint | undefined {
  if (typeof message !== "object" || message === null || !("log" in message) || !("checkpointed" in message)) return undefined;
  const { log, checkpointed } = message;
  return typeof log === "number" && typeof checkpointed === "number" ? { log, checkpointed } : undefined;
}

interface Waiter {
  resolve(checkpoint: Checkpoint): void;
  reject(error: Error): void;
}

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly waiting = new Set<Waiter>();
  private readonly exited: Promise<void>;
  private stopping = false;

  /** Starts checkpointing `file`, whose log `database` (the server's connection) stops checkpointing itself. */
  constructor(database: BetterSqlite3.Database, file: string, options: CheckpointerOptions = {}) {
    database.pragma("wal_autocheckpoint = 0");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Not the process's flags: a preload such as ts-node has no business in a worker that only checkpoints.
      execArgv: [],
      workerData: { driver: require.resolve("better-sqlite3"), file, everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS },
    });
    // It never keeps the process alive while it runs; `stop` holds it until it has closed.
    this.worker.unref();
    this.worker.on("message", (message: unknown) => {
      const checkpoint = checkpointOf(message);
      if (checkpoint === undefined) return;
      for (const waiter of this.waiting) waiter.resolve(checkpoint);
      this.waiting.clear();
    });
    let failure: unknown;
    this.worker.once("error", (error) => {
      failure = error;
    });
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", () => {
        if (!this.stopping) {
          if (database.open) database.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
          options.onFailure?.(failure ?? new Error("the checkpoint worker exited"));
        }
        for (const waiter of this.waiting) waiter.reject(new Error("the checkpoint worker has stopped"));
        this.waiting.clear();
        resolve();
      });
    });
  }

  /** Resolves with the worker's next checkpoint; rejects if the worker stops first. */
  next(): Promise<Checkpoint> {
    return new Promise((resolve, reject) => this.waiting.add({ resolve, reject }));
  }

  /** Stops the worker and waits for it to close its connection (terminated after STOP_TIMEOUT_MS). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.worker.ref();
    this.worker.postMessage("stop");
    const deadline = setTimeout(() => void this.worker.terminate(), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(deadline);
  }
}

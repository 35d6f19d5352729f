/**
 * Saves one room's jam off the hot path: the room only marks it dirty; at most one write per
 * SAVE_DELAY_MS window follows, however many edits it holds, and no handler ever waits on it.
 * A failed write is retried with backoff while the room plays on.
 */
import type { Logger } from "../logger";
import type { JamMetrics } from "../observability/metrics";
import type { JamStore, SavedJam } from "../storage/jamStore";

export interface JamSaverDeps {
  store: JamStore;
  metrics: JamMetrics;
  delayMs: number;
  /** The room's logger (it gets its code after the saver is made). */
  log: () => Logger;
  /** The jam as it is now, ready to write. */
  snapshot: () => SavedJam;
  /** Wall time for the failure log's rate limit (the settings' clock). */
  now: () => number;
}

/** Retries wait delay × 2ⁿ, capped: a database that is back is written to within this. */
const MAX_RETRY_MS = 10_000;
/** One failure line per room per minute, however often the retries fail. */
const FAILURE_LOG_EVERY_MS = 60_000;
/** A flush (disposal, shutdown) gives up after this many failed writes rather than hold the room forever. */
const FLUSH_ATTEMPTS = 3;

export class JamSaver {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<boolean> | undefined;
  private failures = 0;
  private lastFailureLog = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly deps: JamSaverDeps) {}

  /** Something saved changed: a write follows within the window. */
  markDirty(): void {
    this.dirty = true;
    if (this.timer === undefined && this.writing === undefined && !this.closed) this.schedule(this.deps.delayMs);
  }

  /**
   * Writes what changed so far now, not at the window's end, and resolves whether the store has it
   * (never rejects). What the jam's versions and recordings refer to must be saved first.
   */
  async settle(): Promise<boolean> {
    if (this.writing !== undefined) await this.writing;
    if (!this.dirty || this.closed) return !this.dirty;
    clearTimeout(this.timer);
    this.timer = undefined;
    const saved = await this.write();
    this.afterWrite(saved);
    return saved;
  }

  /**
   * Writes what is dirty now and resolves when it is written (or FLUSH_ATTEMPTS writes failed);
   * the saver writes nothing more after it. Disposal and shutdown await this before the code goes.
   */
  async flush(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing !== undefined) await this.writing;
    for (let attempt = 0; this.dirty && attempt < FLUSH_ATTEMPTS; attempt++) await this.write();
    if (this.dirty) this.deps.log().error({ attempts: FLUSH_ATTEMPTS }, "jam could not be saved before the room closed");
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write().then((saved) => this.afterWrite(saved));
    }, ms);
    // A pending save never keeps the process alive on its own: shutdown flushes explicitly.
    this.timer.unref();
  }

  /** A failed write is retried with backoff; changes made during a write get a window of their own. */
  private afterWrite(saved: boolean): void {
    if (this.closed || this.timer !== undefined || this.writing !== undefined) return;
    if (!saved) this.schedule(Math.min(this.deps.delayMs * 2 ** this.failures, MAX_RETRY_MS));
    else if (this.dirty) this.schedule(this.deps.delayMs);
  }

  /** One write of the jam as it is now; resolves whether it was saved. Never rejects. */
  private write(): Promise<boolean> {
    this.dirty = false;
    const { metrics, store } = this.deps;
    const started = process.hrtime.bigint();
    const done = (): void => {
      metrics.jamSaveDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    };
    const writing = Promise.resolve()
      .then(() => store.save(this.deps.snapshot()))
      .then(
        () => {
          done();
          metrics.jamSaves.inc();
          if (this.failures > 0) this.deps.log().info({ failures: this.failures }, "jam saved again after failures");
          this.failures = 0;
          return true;
        },
        (error: unknown) => {
          done();
          // What failed to be written is still to be written.
          this.dirty = true;
          this.failures++;
          metrics.jamSaveFailures.inc();
          this.logFailure(error);
          return false;
        },
      )
      .finally(() => {
        this.writing = undefined;
      });
    this.writing = writing;
    return writing;
  }

  private logFailure(error: unknown): void {
    const now = this.deps.now();
    if (now - this.lastFailureLog < FAILURE_LOG_EVERY_MS) return;
    this.lastFailureLog = now;
    this.deps.log().error({ err: error, failures: this.failures }, "jam could not be saved, retrying");
  }
}

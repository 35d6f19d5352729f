/**
 * One writer per process for every recording room's batches: it takes each running recording's
 * new events once a second and writes many rooms' batches in one store call (two statements,
 * whatever the number of rooms). A statement costs the server far more CPU than a row: a write per
 * room per second made recording cost half again as much CPU per relayed note on PostgreSQL. The
 * rooms are split into a few groups written a fraction of a second apart, so no single event-loop
 * turn turns every room's second of notes into JSON at once (that delayed the notes arriving in it).
 * Writes run one at a time, so a recording's batches reach the store in order.
 */
import type { Logger } from "../logger";
import type { JamMetrics } from "../observability/metrics";
import type { JamStore, RecordingBatch } from "../storage/jamStore";

/** How often every running recording's new events go to the store. */
export const RECORDING_BATCH_EVERY_MS = 1000;
/** Groups of recordings, written in turn, `everyMs / WRITE_GROUPS` apart. */
const WRITE_GROUPS = 4;

/** A running recording, as the writer sees it. */
export interface RecordingSource {
  /** What to write now, if anything: the same batch again, renewed, after a failed write. */
  take(): RecordingBatch | undefined;
  /** The batch `take` gave is in the store. */
  written(batch: RecordingBatch): void;
}

export interface RecordingWriterDeps {
  store: Pick<JamStore, "appendRecordings">;
  metrics: Pick<JamMetrics, "recordingBatches" | "recordedEvents">;
  logger: Logger;
  everyMs: number;
  /** A repeating timer; the writer keeps one only while some recording runs. */
  /** A repeating timer (it fires WRITE_GROUPS times per `everyMs`). */
  every: (callback: () => void, ms: number) => { clear(): void };
}

/** The process's timer: unref'd, so a recording never holds a stopping process open. */
export function processTimer(callback: () => void, ms: number): { clear(): void } {
  const timer = setInterval(callback, ms);
  timer.unref();
  return { clear: () => clearInterval(timer) };
}

export class RecordingWriter {
  /** Running recordings and the group each is written with. */
  private readonly sources = new Map<RecordingSource, number>();
  private added = 0;
  private ticks = 0;
  private writes: Promise<void> = Promise.resolve();
  /** A periodic write is queued or under way: a slow database skips ticks rather than queue them. */
  private busy = false;
  private timer: { clear(): void } | undefined;

  constructor(private readonly deps: RecordingWriterDeps) {}

  /** A recording started: its batches go with its group's from the group's next tick on. */
  add(source: RecordingSource): void {
    this.sources.set(source, this.added++ % WRITE_GROUPS);
    this.timer ??= this.deps.every(() => this.tick(), this.deps.everyMs / WRITE_GROUPS);
  }

  /** A recording stopped: its last batch is written after any write under way, then it is forgotten. */
  finish(source: RecordingSource): Promise<void> {
    this.sources.delete(source);
    if (this.sources.size === 0) {
      this.timer?.clear();
      this.timer = undefined;
    }
    return this.enqueue([source]);
  }

  /** Writes every running recording's batch now (what a second of ticks does). */
  flush(): Promise<void> {
    return this.enqueue([...this.sources.keys()]);
  }

  /** Resolves once every write queued so far is done. */
  settled(): Promise<void> {
    return this.writes;
  }

  private tick(): void {
    const group = this.ticks++ % WRITE_GROUPS;
    if (this.busy) return;
    const due = [...this.sources].filter(([, its]) => its === group).map(([source]) => source);
    if (due.length === 0) return;
    this.busy = true;
    void this.enqueue(due).finally(() => {
      this.busy = false;
    });
  }

  private enqueue(sources: readonly RecordingSource[]): Promise<void> {
    this.writes = this.writes.then(() => this.write(sources));
    return this.writes;
  }

  private async write(sources: readonly RecordingSource[]): Promise<void> {
    const taken: { source: RecordingSource; batch: RecordingBatch }[] = [];
    for (const source of sources) {
      const batch = source.take();
      if (batch !== undefined) taken.push({ source, batch });
    }
    if (taken.length === 0) return;
    try {
      await this.deps.store.appendRecordings(taken.map(({ batch }) => batch));
    } catch (error) {
      // Each source keeps its batch and gives it again next time.
      this.deps.logger.error({ err: error, recordings: taken.length }, "recording batches not written, retrying");
      return;
    }
    let events = 0;
    for (const { source, batch } of taken) {
      source.written(batch);
      events += batch.events.length;
    }
    this.deps.metrics.recordingBatches.inc(taken.length);
    this.deps.metrics.recordedEvents.inc(events);
  }
}

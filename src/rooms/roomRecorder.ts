/**
 * A room's recording: started and stopped by whoever drives the transport, it keeps every relayed
 * note and every tempo and transport change with its server time. The note path only pushes onto
 * an array; a batch goes to the store every second, one write at a time, and a store that is down
 * only delays the batches (bounded, see rules/recording.ts).
 */
import type { Settings } from "../config/settings";
import type { Logger } from "../logger";
import type { JamMetrics } from "../observability/metrics";
import { MAX_RECORDINGS_PER_JAM } from "../protocol/limits";
import { countNote, emptyTally, overflow, type RecordingTally } from "../rules/recording";
import type * as sequencer from "../rules/sequencer";
import type { JamState } from "../schema/JamState";
import type { JamStore, RecordedEvent } from "../storage/jamStore";

export interface RoomRecorderDeps {
  store: JamStore;
  /** What reached the store: the only count of what recording costs the database. */
  metrics: Pick<JamMetrics, "recordingBatches" | "recordedEvents">;
  settings: Pick<Settings, "maxRecordingMin" | "now">;
  state: () => JamState;
  /** Saves the jam now: its recordings refer to it. Resolves whether it is saved. */
  saved: () => Promise<boolean>;
  log: () => Logger;
  /** The room's clock: its timers end with the room. */
  clock: {
    setTimeout(callback: () => void, ms: number): { clear(): void };
    setInterval(callback: () => void, ms: number): { clear(): void };
  };
}

/** How often a running recording's events go to the store. */
const BATCH_EVERY_MS = 1000;

interface Running {
  startedAt: number;
  tempo: number;
  /** Its id in the store, once it is there. */
  id: number | undefined;
  pending: RecordedEvent[];
  tally: RecordingTally;
  /** Set when it stops: the end of the recording. */
  stoppedAt?: number;
  /** The number of its next batch of events. */
  nextChunk: number;
  /** A batch whose write failed: sent again, as it was, before anything newer. */
  unsent?: { chunk: number; events: RecordedEvent[] } | undefined;
  timers: { clear(): void }[];
}

export class RoomRecorder {
  private running: Running | undefined;
  private writes: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(private readonly deps: RoomRecorderDeps) {}

  get recording(): boolean {
    return this.running !== undefined;
  }

  /** Starts recording (already recording: nothing changes). */
  start(): void {
    if (this.running !== undefined) return;
    const state = this.deps.state();
    const startedAt = this.deps.settings.now();
    const { clock, settings } = this.deps;
    const running: Running = { startedAt, tempo: state.tempo, id: undefined, pending: [], tally: emptyTally(), timers: [], nextChunk: 1 };
    // Each room's batches at a phase of its own: rooms that start recording together (a bench, a
    // class) would otherwise all write in the same instant every second.
    const phaseMs = Math.random() * BATCH_EVERY_MS;
    running.timers.push(
      clock.setTimeout(() => running.timers.push(clock.setInterval(() => void this.writeBatch(running), BATCH_EVERY_MS)), phaseMs),
      clock.setTimeout(() => void this.stop("time limit"), settings.maxRecordingMin * 60_000),
    );
    this.running = running;
    state.assign({ recording: true, recordingStartedAt: startedAt });
    void this.writeBatch(running);
    this.deps.log().info({ startedAt }, "recording started");
  }

  /** Stops recording and resolves once everything recorded is written (or could not be). */
  async stop(reason: string): Promise<void> {
    const running = this.running;
    if (running === undefined) return this.writes;
    this.running = undefined;
    running.stoppedAt = this.deps.settings.now();
    for (const timer of running.timers) timer.clear();
    this.deps.state().assign({ recording: false, recordingStartedAt: 0 });
    this.deps.log().info({ reason, notes: running.tally.notes }, "recording stopped");
    await this.writeBatch(running);
  }

  /** A relayed note, as the recording keeps it. Called on the note path: no more than a push. */
  note(message: { note: number; velocity: number; on: boolean; at?: number | undefined }, musician: string, instrument: string): void {
    const running = this.running;
    if (running === undefined) return;
    const { note, velocity, on, at } = message;
    const receivedAt = this.deps.settings.now();
    this.push(
      running,
      at === undefined
        ? { kind: "note", receivedAt, musician, instrument, note, velocity, on }
        : { kind: "note", receivedAt, at, musician, instrument, note, velocity, on },
    );
    countNote(running.tally, musician, on);
  }

  /** The transport changed: its tempo and whether (and where) it plays, as of `now`. */
  transportChanged(before: sequencer.Transport, after: sequencer.Transport, step: number, now: number): void {
    const running = this.running;
    if (running === undefined) return;
    if (after.tempo !== before.tempo) this.push(running, { kind: "tempo", at: now, tempo: after.tempo });
    if (after.isPlaying !== before.isPlaying || after.playStartedAt !== before.playStartedAt) {
      this.push(running, { kind: "transport", at: now, isPlaying: after.isPlaying, step });
    }
  }

  private push(running: Running, event: RecordedEvent): void {
    const excess = overflow(running.pending.length, 1);
    if (excess > 0) {
      running.pending.splice(0, excess);
      this.dropped += excess;
    }
    running.pending.push(event);
  }

  /** Sends what is pending (creating the recording in the store first); one write at a time. */
  private writeBatch(running: Running): Promise<void> {
    this.writes = this.writes.then(async () => {
      const { store, state, saved, log, settings } = this.deps;
      const code = state().roomCode;
      try {
        if (running.id === undefined) {
          // Its row refers to the jam's: retried with the next batch (or lost with a stopped one).
          if (!(await saved())) throw new Error("the jam is not saved yet");
          running.id = await store.startRecording(code, Math.round(running.startedAt), running.tempo, MAX_RECORDINGS_PER_JAM);
        }
        if (running.unsent === undefined) {
          const events = running.pending.splice(0);
          running.unsent = { chunk: events.length > 0 ? running.nextChunk++ : 0, events };
        }
        const { chunk, events } = running.unsent;
        const endedAt = Math.round(running.stoppedAt ?? settings.now());
        const { notes, musicians } = running.tally;
        await store.appendRecording(code, running.id, { chunk, events, endedAt, notes, musicians: [...musicians] });
        running.unsent = undefined;
        this.deps.metrics.recordingBatches.inc();
        this.deps.metrics.recordedEvents.inc(events.length);
      } catch (error) {
        log().error({ err: error, dropped: this.dropped }, "recording batch not written, retrying");
      }
    });
    return this.writes;
  }
}

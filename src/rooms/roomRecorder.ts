/**
 * A room's recording: started and stopped by whoever drives the transport, it keeps every relayed
 * note and every tempo and transport change with its server time. The note path only pushes onto
 * an array; the process's RecordingWriter takes the new events every second, and a store that is
 * down only delays them (bounded, see rules/recording.ts).
 */
import type { Settings } from "../config/settings";
import type { Logger } from "../logger";
import { MAX_RECORDINGS_PER_JAM } from "../protocol/limits";
import { countNote, emptyTally, type RecordingTally } from "../rules/recording";
import type * as sequencer from "../rules/sequencer";
import type { JamState } from "../schema/JamState";
import type { JamStore, RecordingBatch } from "../storage/jamStore";
import { PendingEvents } from "./pendingEvents";
import type { RecordingSource, RecordingWriter } from "./recordingWriter";

export interface RoomRecorderDeps {
  store: Pick<JamStore, "startRecording">;
  /** The process's writer of recording batches. */
  writer: Pick<RecordingWriter, "add" | "finish">;
  settings: Pick<Settings, "maxRecordingMin" | "now">;
  state: () => JamState;
  /** Saves the jam now: its recordings refer to it. Resolves whether it is saved. */
  saved: () => Promise<boolean>;
  log: () => Logger;
  /** The room's clock: the time limit ends with the room. */
  clock: {
    setTimeout(callback: () => void, ms: number): { clear(): void };
  };
}

interface Running {
  startedAt: number;
  tempo: number;
  /** Its id in the store, once it is there. */
  id: number | undefined;
  /** Creating it in the store, under way. */
  opening: Promise<void> | undefined;
  pending: PendingEvents;
  tally: RecordingTally;
  /** Set when it stops: the end of the recording. */
  stoppedAt?: number;
  /** The number of its next batch of events. */
  nextChunk: number;
  /** A batch whose write failed: sent again, renewed, before anything newer. */
  unsent: RecordingBatch | undefined;
  limit: { clear(): void };
  source: RecordingSource;
}

export class RoomRecorder {
  private running: Running | undefined;
  private stopping: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RoomRecorderDeps) {}

  get recording(): boolean {
    return this.running !== undefined;
  }

  /** Starts recording (already recording: nothing changes). */
  start(): void {
    if (this.running !== undefined) return;
    const { state, settings, clock, writer } = this.deps;
    const startedAt = settings.now();
    const running: Running = {
      startedAt,
      tempo: state().tempo,
      id: undefined,
      opening: undefined,
      pending: new PendingEvents(),
      tally: emptyTally(),
      nextChunk: 1,
      unsent: undefined,
      limit: clock.setTimeout(() => void this.stop("time limit"), settings.maxRecordingMin * 60_000),
      source: { take: () => this.take(running), written: (batch) => this.written(running, batch) },
    };
    this.running = running;
    state().assign({ recording: true, recordingStartedAt: startedAt });
    // Created in the store at once: the jam's list of recordings shows it while it runs.
    this.open(running);
    writer.add(running.source);
    this.deps.log().info({ startedAt }, "recording started");
  }

  /** Stops recording and resolves once everything recorded is written (or could not be). */
  stop(reason: string): Promise<void> {
    const running = this.running;
    if (running === undefined) return this.stopping;
    this.running = undefined;
    running.stoppedAt = this.deps.settings.now();
    running.limit.clear();
    this.deps.state().assign({ recording: false, recordingStartedAt: 0 });
    this.deps.log().info({ reason, notes: running.tally.notes }, "recording stopped");
    this.stopping = this.writeLast(running);
    return this.stopping;
  }

  /** Resolves once the running recording is created in the store, or that attempt failed. */
  async created(): Promise<void> {
    await this.running?.opening;
  }

  /** A relayed note, as the recording keeps it. Called on the note path: a few numbers stored. */
  note(message: { note: number; velocity: number; on: boolean; at?: number | undefined }, musician: string, instrument: string): void {
    const running = this.running;
    if (running === undefined) return;
    const { note, velocity, on, at } = message;
    running.pending.pushNote(this.deps.settings.now(), at, musician, instrument, note, velocity, on);
    countNote(running.tally, musician, on);
  }

  /** The transport changed: its tempo and whether (and where) it plays, as of `now`. */
  transportChanged(before: sequencer.Transport, after: sequencer.Transport, step: number, now: number): void {
    const running = this.running;
    if (running === undefined) return;
    if (after.tempo !== before.tempo) running.pending.pushTempo(now, after.tempo);
    if (after.isPlaying !== before.isPlaying || after.playStartedAt !== before.playStartedAt) {
      running.pending.pushTransport(now, after.isPlaying, step);
    }
  }

  /** Its last batch, once it is in the store (tried once more if creating it failed so far). */
  private async writeLast(running: Running): Promise<void> {
    await running.opening;
    if (running.id === undefined) this.open(running);
    await running.opening;
    await this.deps.writer.finish(running.source);
    if (running.unsent !== undefined) {
      this.deps.log().error({ lost: running.unsent.events.length }, "the end of a stopped recording could not be written");
    }
  }

  /** Creates the recording in the store; its row refers to the jam's, so the jam is saved first. */
  private open(running: Running): void {
    if (running.opening !== undefined || running.id !== undefined) return;
    const { store, state, saved, log } = this.deps;
    running.opening = (async () => {
      try {
        if (!(await saved())) throw new Error("the jam is not saved yet");
        running.id = await store.startRecording(state().roomCode, Math.round(running.startedAt), running.tempo, MAX_RECORDINGS_PER_JAM);
      } catch (error) {
        log().error({ err: error, dropped: running.pending.dropped }, "recording not created in the store, retrying");
      } finally {
        running.opening = undefined;
      }
    })();
  }

  /** The writer's tick: what is new since the last batch, or the failed batch again. */
  private take(running: Running): RecordingBatch | undefined {
    if (running.id === undefined) {
      this.open(running);
      return undefined;
    }
    const endedAt = Math.round(running.stoppedAt ?? this.deps.settings.now());
    const { notes, musicians } = running.tally;
    const summary = { endedAt, notes, musicians: [...musicians] };
    if (running.unsent !== undefined) {
      running.unsent = { ...running.unsent, ...summary };
    } else {
      const events = running.pending.take();
      const chunk = events.length > 0 ? running.nextChunk++ : 0;
      running.unsent = { code: this.deps.state().roomCode, recordingId: running.id, chunk, events, ...summary };
    }
    return running.unsent;
  }

  private written(running: Running, batch: RecordingBatch): void {
    if (running.unsent === batch) running.unsent = undefined;
  }
}

/**
 * Made-up recordings of a given size, the way a room records them (events in the order received,
 * kept in batches), for the export's measurements and tests: `performance()` says what was played,
 * `seedRecording()` puts it in a store as a room would.
 */
import type { JamStore, RecordedEvent, Recording, RecordingBatch } from "../src/storage/jamStore";

export interface PerformanceShape {
  startedAt: number;
  minutes: number;
  musicians: number;
  /** Note-ons per second per musician; each is followed by its note-off. */
  notesPerSecond: number;
  tempo: number;
  /** A tempo change every this many minutes (0: none), alternating ±6 BPM. */
  tempoEveryMin: number;
  /** How much time one stored batch covers (a room writes its recording in batches). */
  batchMs: number;
}

export const HOUR_OF_EIGHT: PerformanceShape = {
  startedAt: 1_760_000_000_000,
  minutes: 60,
  musicians: 8,
  notesPerSecond: 8,
  tempo: 120,
  tempoEveryMin: 5,
  batchMs: 1000,
};

/** A batch as a recorder makes it, before it knows which jam and recording it goes to. */
type Batch = Omit<RecordingBatch, "code" | "recordingId">;

export interface Performance {
  recording: Recording;
  batches: Batch[];
}

const TEMPO_ASKED_AHEAD_MS = 200;

export const musicianName = (i: number): string => `Musician ${i + 1}`;

/** Everything a `shape`d jam plays, in the order the server would receive it. */
export function performance(shape: PerformanceShape): Performance {
  const { startedAt, minutes, musicians, notesPerSecond, tempo } = shape;
  const durationMs = minutes * 60_000;
  const gapMs = 1000 / notesPerSecond;
  const events: RecordedEvent[] = [];
  const names = Array.from({ length: musicians }, (_, m) => musicianName(m));
  // Interleave everyone by time, as one room receives them.
  for (let slot = 0; slot * gapMs < durationMs; slot++) {
    for (let m = 0; m < musicians; m++) {
      const receivedAt = startedAt + Math.round(slot * gapMs + (m * gapMs) / musicians);
      const [musician, instrument, note] = [names[m] as string, m === 0 ? "drums" : "keys", 36 + ((slot * 7 + m) % 48)];
      events.push({ kind: "note", receivedAt, at: receivedAt + 40, musician, instrument, note, velocity: 64 + (slot % 64), on: true });
      events.push({ kind: "note", receivedAt: receivedAt + 60, at: receivedAt + 100, musician, instrument, note, velocity: 0, on: false });
    }
  }
  for (let minute = shape.tempoEveryMin, k = 1; shape.tempoEveryMin > 0 && minute < minutes; minute += shape.tempoEveryMin, k++) {
    const at = startedAt + minute * 60_000;
    events.push({ kind: "tempo", at, tempo: tempo + (k % 2 === 1 ? 6 : 0) });
  }
  events.sort((a, b) => receivedOf(a) - receivedOf(b));
  const batches = inBatches(events, startedAt, durationMs, shape.batchMs);
  const last = batches.at(-1);
  const recording: Recording = {
    id: 1,
    startedAt,
    durationMs,
    notes: last?.notes ?? 0,
    musicians: last?.musicians ?? [],
    tempo,
    events,
  };
  return { recording, batches };
}

/** When the server got it; a tempo change is recorded a little before it takes effect. */
function receivedOf(event: RecordedEvent): number {
  return event.kind === "note" ? event.receivedAt : event.at - TEMPO_ASKED_AHEAD_MS;
}

function inBatches(events: RecordedEvent[], startedAt: number, durationMs: number, batchMs: number): Batch[] {
  const batches: Batch[] = [];
  const musicians: string[] = [];
  let notes = 0;
  let next = 0;
  let chunks = 0;
  for (let end = startedAt + batchMs; next < events.length || end - batchMs < startedAt + durationMs; end += batchMs) {
    const batch: RecordedEvent[] = [];
    for (; next < events.length && receivedOf(events[next] as RecordedEvent) < end; next++) {
      const event = events[next] as RecordedEvent;
      batch.push(event);
      if (event.kind !== "note" || !event.on) continue;
      notes++;
      if (!musicians.includes(event.musician)) musicians.push(event.musician);
    }
    const chunk = batch.length > 0 ? ++chunks : 0;
    batches.push({ chunk, events: batch, endedAt: Math.min(end, startedAt + durationMs), notes, musicians: [...musicians] });
  }
  return batches;
}

/** Stores `performed` as recording of the (saved) jam `code`, a batch at a time; returns its id. */
export async function seedRecording(store: JamStore, code: string, performed: Performance, keep = 20): Promise<number> {
  const { startedAt, tempo } = performed.recording;
  const id = await store.startRecording(code, startedAt, tempo, keep);
  for (const batch of performed.batches) await store.appendRecordings([{ code, recordingId: id, ...batch }]);
  return id;
}

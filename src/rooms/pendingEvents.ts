/**
 * A running recording's events until the writer takes them, kept in columns of numbers rather
 * than as an object per event. A note waits up to a second; as objects, every one outlived a
 * young-generation collection and was promoted, and collecting them again in the old generation
 * made recording cost 1.2 × the relay's CPU per delivered note. Here a note adds a few numbers to
 * arrays that grow once and are reused; the events become objects only when taken, to be turned
 * into JSON at once. Names (musician, instrument) are kept once each, in a table.
 */
import { MAX_PENDING_EVENTS, overflow } from "../rules/recording";
import type { RecordedEvent } from "../storage/jamStore";

const NOTE = 0;
const TEMPO = 1;
const TRANSPORT = 2;

const INITIAL_CAPACITY = 64;

export class PendingEvents {
  private capacity = INITIAL_CAPACITY;
  private kind = new Uint8Array(INITIAL_CAPACITY);
  /** A note's receivedAt; a tempo or transport change's time. */
  private time = new Float64Array(INITIAL_CAPACITY);
  /** A note's `at` (NaN when it had none); a tempo change's tempo; a transport change's step. */
  private value = new Float64Array(INITIAL_CAPACITY);
  /** A note: note, velocity, on (1/0), musician and instrument (indices into `names`). A transport change: isPlaying in `on`. */
  private note = new Uint8Array(INITIAL_CAPACITY);
  private velocity = new Uint8Array(INITIAL_CAPACITY);
  private on = new Uint8Array(INITIAL_CAPACITY);
  private musician = new Uint16Array(INITIAL_CAPACITY);
  private instrument = new Uint16Array(INITIAL_CAPACITY);
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private start = 0;
  private end = 0;
  /** Events dropped because the limit was reached (the store was down for long). */
  dropped = 0;

  constructor(private readonly limit: number = MAX_PENDING_EVENTS) {}

  get length(): number {
    return this.end - this.start;
  }

  pushNote(
    receivedAt: number,
    at: number | undefined,
    musician: string,
    instrument: string,
    note: number,
    velocity: number,
    on: boolean,
  ): void {
    const i = this.slot();
    this.kind[i] = NOTE;
    this.time[i] = receivedAt;
    this.value[i] = at ?? Number.NaN;
    this.note[i] = note;
    this.velocity[i] = velocity;
    this.on[i] = on ? 1 : 0;
    this.musician[i] = this.nameOf(musician);
    this.instrument[i] = this.nameOf(instrument);
  }

  pushTempo(at: number, tempo: number): void {
    const i = this.slot();
    this.kind[i] = TEMPO;
    this.time[i] = at;
    this.value[i] = tempo;
  }

  pushTransport(at: number, isPlaying: boolean, step: number): void {
    const i = this.slot();
    this.kind[i] = TRANSPORT;
    this.time[i] = at;
    this.on[i] = isPlaying ? 1 : 0;
    this.value[i] = step;
  }

  /** Every event waiting, in order, as the store keeps them; the buffer is empty afterwards. */
  take(): RecordedEvent[] {
    const events: RecordedEvent[] = [];
    for (let i = this.start; i < this.end; i++) events.push(this.eventAt(i));
    this.start = 0;
    this.end = 0;
    return events;
  }

  private eventAt(i: number): RecordedEvent {
    const time = this.time[i] ?? 0;
    const value = this.value[i] ?? 0;
    if (this.kind[i] === TEMPO) return { kind: "tempo", at: time, tempo: value };
    if (this.kind[i] === TRANSPORT) return { kind: "transport", at: time, isPlaying: this.on[i] === 1, step: value };
    const musician = this.names[this.musician[i] ?? 0] ?? "";
    const instrument = this.names[this.instrument[i] ?? 0] ?? "";
    const note = this.note[i] ?? 0;
    const velocity = this.velocity[i] ?? 0;
    const on = this.on[i] === 1;
    return Number.isNaN(value)
      ? { kind: "note", receivedAt: time, musician, instrument, note, velocity, on }
      : { kind: "note", receivedAt: time, at: value, musician, instrument, note, velocity, on };
  }

  /** The index of the next event: over the limit, the oldest goes; full, the columns grow. */
  private slot(): number {
    const excess = overflow(this.length, 1, this.limit);
    if (excess > 0) {
      this.start += excess;
      this.dropped += excess;
    }
    if (this.end === this.capacity) this.compactOrGrow();
    return this.end++;
  }

  private compactOrGrow(): void {
    const length = this.length;
    const capacity = length + 1 > this.capacity / 2 ? this.capacity * 2 : this.capacity;
    const move = <T extends Uint8Array | Uint16Array | Float64Array>(column: T, make: (n: number) => T): T => {
      const next = capacity === this.capacity ? column : make(capacity);
      next.set(column.subarray(this.start, this.end));
      return next;
    };
    this.kind = move(this.kind, (n) => new Uint8Array(n));
    this.time = move(this.time, (n) => new Float64Array(n));
    this.value = move(this.value, (n) => new Float64Array(n));
    this.note = move(this.note, (n) => new Uint8Array(n));
    this.velocity = move(this.velocity, (n) => new Uint8Array(n));
    this.on = move(this.on, (n) => new Uint8Array(n));
    this.musician = move(this.musician, (n) => new Uint16Array(n));
    this.instrument = move(this.instrument, (n) => new Uint16Array(n));
    this.capacity = capacity;
    this.start = 0;
    this.end = length;
  }

  private nameOf(name: string): number {
    let index = this.nameIndex.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, index);
    }
    return index;
  }
}

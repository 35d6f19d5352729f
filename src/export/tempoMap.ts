/**
 * Time in a Standard MIDI File is counted in ticks, and how many ms a tick lasts depends on the
 * tempo in force: a tempo change changes ticks per ms from its time on. The map converts a time
 * (ms from the recording's start) to the tick a player will sound it at.
 */

export const TICKS_PER_QUARTER = 480;
/** A sequencer step is a 16th. */
export const TICKS_PER_STEP = TICKS_PER_QUARTER / 4;
/** The file keeps a tempo as µs per quarter in 24 bits. */
const MAX_MICROSECONDS_PER_QUARTER = 0xffffff;

/** The tempo as the file keeps it: whole µs per quarter note. */
export function microsecondsPerQuarter(bpm: number): number {
  return Math.min(MAX_MICROSECONDS_PER_QUARTER, Math.max(1, Math.round(60_000_000 / bpm)));
}

export interface TempoChange {
  /** ms from the recording's start. */
  atMs: number;
  bpm: number;
}

export interface TempoSegment {
  startMs: number;
  /** Whole: the file puts the change on this tick, so what follows is counted from it. */
  startTick: number;
  microsecondsPerQuarter: number;
}

export class TempoMap {
  /** Sorted by start; the first starts at 0 ms, tick 0. */
  readonly segments: readonly TempoSegment[];

  /**
   * `changes` in any order; a change at or before the start sets the tempo at the start, and of
   * several changes at one instant the last one given counts.
   */
  constructor(startBpm: number, changes: readonly TempoChange[]) {
    const ordered = changes.map((change, index) => ({ ...change, index })).sort((a, b) => a.atMs - b.atMs || a.index - b.index);
    const segments: TempoSegment[] = [{ startMs: 0, startTick: 0, microsecondsPerQuarter: microsecondsPerQuarter(startBpm) }];
    for (const change of ordered) {
      const atMs = Math.max(0, change.atMs);
      const last = segments[segments.length - 1] as TempoSegment;
      const segment = { startMs: atMs, startTick: ticksIn(last, atMs), microsecondsPerQuarter: microsecondsPerQuarter(change.bpm) };
      if (last.startMs === atMs) segments[segments.length - 1] = { ...segment, startTick: last.startTick };
      else segments.push(segment);
    }
    this.segments = segments;
  }

  /** The whole tick `ms` falls on (before the start: negative, at the start tempo). */
  tickAt(ms: number): number {
    return ticksIn(this.segmentAt(ms), ms);
  }

  /** How long a step (a 16th) lasts at `ms`, at the tempo in force then. */
  stepMsAt(ms: number): number {
    return this.segmentAt(ms).microsecondsPerQuarter / 4000;
  }

  segmentAt(ms: number): TempoSegment {
    // Binary search: a long recording converts hundreds of thousands of times.
    let low = 0;
    let high = this.segments.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.segments[mid] as TempoSegment).startMs <= ms) low = mid;
      else high = mid - 1;
    }
    return this.segments[low] as TempoSegment;
  }
}

function ticksIn(segment: TempoSegment, ms: number): number {
  return segment.startTick + Math.round(((ms - segment.startMs) * 1000 * TICKS_PER_QUARTER) / segment.microsecondsPerQuarter);
}

/**
 * What a running recording keeps besides its events: how many notes sounded and who played, in
 * the order they first played (the MIDI file's track order). Pure, on plain data.
 */
export interface RecordingTally {
  notes: number;
  musicians: string[];
}

export function emptyTally(): RecordingTally {
  return { notes: 0, musicians: [] };
}

/** Counts a recorded note: a note-on sounds; its musician joins the list the first time. */
export function countNote(tally: RecordingTally, musician: string, on: boolean): void {
  if (!on) return;
  tally.notes++;
  if (!tally.musicians.includes(musician)) tally.musicians.push(musician);
}

/**
 * Events waiting for the store are bounded: while the database is down a recording keeps at most
 * this many (about 20 minutes of a band of 8 at 8 notes a second) and drops the oldest beyond it.
 */
export const MAX_PENDING_EVENTS = 80_000;

/** How many of `pending` waiting events must go so that `adding` more fit. */
export function overflow(pending: number, adding: number, limit: number = MAX_PENDING_EVENTS): number {
  return Math.max(0, pending + adding - limit);
}

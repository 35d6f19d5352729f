/**
 * When the network scenario does what, in ms after the jam starts playing: a pure function of the
 * run's length, so every run of one length does the same things at the same moments.
 *
 * - 20 tempo changes, evenly spread, alternating 120 with 90, 140 and 100 BPM;
 * - stalls of A's link, midway between two tempo changes (a stall must not hold back the patch
 *   announcing a change: that is the tempo check's business, not the recovery's), at least
 *   `STALL_SPACING_MS` apart and the last one that long before the end, so each has its 10 s hold;
 * - late joins of C, each in a slot of its own, staying up to 30 s and leaving before the slot ends.
 */

export const BPM = 120;
export const TEMPO_CHANGES = 20;
/** The tempos the jam leaves 120 BPM for, in turn. */
const AWAY_TEMPOS = [90, 140, 100] as const;
export const STALL_MS = 300;
const MAX_STALLS = 5;
/** A stall, the 10 s its recovery must hold, and a margin. */
const STALL_SPACING_MS = 12_000;
const MAX_JOINS = 6;
const JOIN_SLOT_MIN_MS = 20_000;
const JOIN_STAY_MS = 30_000;
/** Each join leaves this much of its slot free (the leave, the next join's set-up). */
const JOIN_SLOT_MARGIN_MS = 5_000;

export interface TempoChange {
  at: number;
  tempo: number;
}

export interface JoinSlot {
  at: number;
  leaveAt: number;
}

export interface NetworkPlan {
  durationMs: number;
  tempoChanges: TempoChange[];
  /** When each stall of A's link begins (each lasts STALL_MS). */
  stalls: number[];
  joins: JoinSlot[];
}

export function networkPlan(durationMs: number): NetworkPlan {
  const every = durationMs / TEMPO_CHANGES;
  const tempoChanges = Array.from({ length: TEMPO_CHANGES }, (_, i) => ({
    at: (i + 0.5) * every,
    tempo: i % 2 === 1 ? BPM : AWAY_TEMPOS[(i / 2) % AWAY_TEMPOS.length],
  }));

  const span = durationMs - STALL_SPACING_MS;
  const stallCount = Math.max(0, Math.min(MAX_STALLS, Math.floor(span / STALL_SPACING_MS)));
  // Midway between two changes: change i is at (i + 0.5) × every, so the midpoints are multiples of it.
  const stalls = Array.from({ length: stallCount }, (_, j) => Math.max(1, Math.round(((j + 0.5) * span) / stallCount / every)) * every);

  const joinCount = Math.max(1, Math.min(MAX_JOINS, Math.floor(durationMs / JOIN_SLOT_MIN_MS)));
  const slot = durationMs / joinCount;
  const stay = Math.min(JOIN_STAY_MS, slot - JOIN_SLOT_MARGIN_MS);
  const joins = Array.from({ length: joinCount }, (_, k) => {
    const at = k * slot + (slot - stay) / 2;
    return { at, leaveAt: at + stay };
  });
  return { durationMs, tempoChanges, stalls, joins };
}

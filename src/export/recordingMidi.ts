/**
 * A recording as a Standard MIDI File, by the contract's rules (docs/PROTOCOL.md, "Export"): a
 * tempo track, then a track per musician who played, in the order they first played.
 *
 * Two things the contract leaves open, decided here:
 * - Before the start: a recording only holds what arrived while it ran, but a note may sound up to
 *   2 s before it arrived (its `at`). A note that began before the start and still sounds at it
 *   begins at tick 0; one that ended by then is left out (none of it was recorded). A tempo change
 *   at or before the start is the tempo at the start.
 * - After the end: nothing is cut. A note still sounding when the recording stopped keeps the
 *   length its rules give it (one step, as its end was not recorded), so the file may run a step
 *   past the recording's duration; every track ends at the same tick, the duration at least.
 * Transport changes are not in the file: MIDI has no transport, and the notes keep their times.
 */
import type { RecordedEvent, Recording } from "../storage/jamStore";
import { type Sliced, timeToYield } from "../timeSlices";
import { type MidiTrack, standardMidiFile, type TrackEvent } from "./smf";
import { type TempoChange, TempoMap } from "./tempoMap";

/** A note's `at` is trusted this close to when the server received it. */
export const AT_TRUSTED_WITHIN_MS = 2000;
/** A note not ended this soon after it began lasts one step. */
export const ENDED_WITHIN_MS = 2000;
/** General MIDI percussion: channel 10, index 9. Every other instrument: channel 1. */
export const DRUM_CHANNEL = 9;
export const DEFAULT_CHANNEL = 0;

type RecordedNote = Extract<RecordedEvent, { kind: "note" }>;

/** A note as the file plays it. */
export interface PlayedNote {
  channel: number;
  note: number;
  velocity: number;
  startTick: number;
  endTick: number;
}

export interface MusicianPart {
  musician: string;
  /** By start. */
  notes: PlayedNote[];
}

export function channelOf(instrument: string): number {
  return instrument === "drums" ? DRUM_CHANNEL : DEFAULT_CHANNEL;
}

/** When a recorded note sounds (ms since epoch): at its `at` when that is near its receipt, else when received. */
export function soundsAt(note: RecordedNote): number {
  return note.at !== undefined && Math.abs(note.at - note.receivedAt) <= AT_TRUSTED_WITHIN_MS ? note.at : note.receivedAt;
}

/** The start tempo and every tempo change, times counted from the recording's start. */
export function* recordingTempoMap(recording: Recording): Sliced<TempoMap> {
  const changes: TempoChange[] = [];
  const { events } = recording;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as RecordedEvent;
    if (event.kind === "tempo") changes.push({ atMs: event.at - recording.startedAt, bpm: event.tempo });
    if (timeToYield(i)) yield;
  }
  return new TempoMap(recording.tempo, changes);
}

interface Sounding {
  startMs: number;
  /** Its note-on's place in the recording: orders the musicians by who played first. */
  index: number;
  channel: number;
  velocity: number;
}

interface Heard {
  timeMs: number;
  index: number;
  event: RecordedNote;
}

/** Each musician's notes with their lengths, musicians in the order they first played. */
export function* musicianParts(recording: Recording, map: TempoMap): Sliced<MusicianPart[]> {
  const heard = new Map<string, Heard[]>();
  const { events } = recording;
  // Indexed loops here and below: these run half a million times for an hour's recording.
  for (let index = 0; index < events.length; index++) {
    if (timeToYield(index)) yield;
    const event = events[index] as RecordedEvent;
    if (event.kind !== "note") continue;
    const list = heard.get(event.musician) ?? [];
    if (list.length === 0) heard.set(event.musician, list);
    list.push({ timeMs: soundsAt(event) - recording.startedAt, index, event });
  }
  const parts: { part: MusicianPart; firstIndex: number }[] = [];
  for (const [musician, list] of heard) {
    const kept = yield* notesOf(list, map);
    if (kept.length === 0) continue;
    const firstIndex = kept.reduce((first, k) => Math.min(first, k.index), Number.POSITIVE_INFINITY);
    parts.push({ part: { musician, notes: kept.map((k) => k.note) }, firstIndex });
  }
  return parts.sort((a, b) => a.firstIndex - b.firstIndex).map(({ part }) => part);
}

/** 1 for an event that sounds a note, 0 for one that ends one. Velocity 0 is MIDI's own way of ending a note. */
function startsNote(event: RecordedNote): number {
  return event.on && event.velocity > 0 ? 1 : 0;
}

/** One musician's notes, paired: an on:false or a new note of the same pitch ends the sounding one. */
function* notesOf(list: Heard[], map: TempoMap): Sliced<{ note: PlayedNote; index: number }[]> {
  // By when they sound. At one instant an end comes first: a key let go and struck again at once
  // is a new note, not one ended as it begins. Otherwise in the order received.
  list.sort((a, b) => a.timeMs - b.timeMs || startsNote(a.event) - startsNote(b.event) || a.index - b.index);
  const sounding = new Map<number, Sounding>();
  const notes: { note: PlayedNote; index: number; startMs: number }[] = [];
  const end = (pitch: number, open: Sounding, endMs: number): void => {
    // Wholly before the start: none of it is in the recording.
    if (open.startMs < 0 && endMs <= 0) return;
    const startTick = map.tickAt(Math.max(0, open.startMs));
    const note = {
      channel: open.channel,
      note: pitch,
      velocity: open.velocity,
      startTick,
      endTick: Math.max(startTick, map.tickAt(endMs)),
    };
    notes.push({ note, index: open.index, startMs: open.startMs });
  };
  const oneStep = (open: Sounding): number => open.startMs + map.stepMsAt(open.startMs);
  for (let round = 0; round < list.length; round++) {
    if (timeToYield(round)) yield;
    const { timeMs, index, event } = list[round] as Heard;
    const open = sounding.get(event.note);
    if (open !== undefined) {
      sounding.delete(event.note);
      end(event.note, open, timeMs - open.startMs <= ENDED_WITHIN_MS ? timeMs : oneStep(open));
    }
    if (startsNote(event) === 1) {
      sounding.set(event.note, { startMs: timeMs, index, channel: channelOf(event.instrument), velocity: event.velocity });
    }
  }
  for (const [pitch, open] of sounding) end(pitch, open, oneStep(open));
  return notes.sort((a, b) => a.startMs - b.startMs || a.index - b.index);
}

/** A part's note-ons and -offs in playing order. */
export function* partEvents(notes: readonly PlayedNote[]): Sliced<TrackEvent[]> {
  // At one tick: the notes ending first (a retrigger's old note must end before the new one
  // begins), then notes that begin and end there (on before off), then notes that begin.
  const ordered: { event: TrackEvent; rank: number; seq: number }[] = [];
  for (let i = 0; i < notes.length; i++) {
    const { channel, note, velocity, startTick, endTick } = notes[i] as PlayedNote;
    const instant = startTick === endTick;
    ordered.push({ event: { tick: startTick, type: "noteOn", channel, note, velocity }, rank: instant ? 1 : 2, seq: 2 * i });
    ordered.push({ event: { tick: endTick, type: "noteOff", channel, note, velocity: 0 }, rank: instant ? 1 : 0, seq: 2 * i + 1 });
    if (timeToYield(i)) yield;
  }
  ordered.sort((a, b) => a.event.tick - b.event.tick || a.rank - b.rank || a.seq - b.seq);
  return ordered.map((o) => o.event);
}

export function tempoEvents(map: TempoMap): TrackEvent[] {
  return map.segments.map((segment) => ({
    tick: segment.startTick,
    type: "tempo",
    microsecondsPerQuarter: segment.microsecondsPerQuarter,
  }));
}

/** The tracks of a recording's file: the tempo map, then one per musician. */
export function* recordingTracks(recording: Recording): Sliced<MidiTrack[]> {
  const map = yield* recordingTempoMap(recording);
  const parts = yield* musicianParts(recording, map);
  let endTick = Math.max(map.tickAt(recording.durationMs), map.segments.at(-1)?.startTick ?? 0);
  for (const part of parts) endTick = part.notes.reduce((end, note) => Math.max(end, note.endTick), endTick);
  const tracks: MidiTrack[] = [{ events: tempoEvents(map), endTick }];
  for (const part of parts) tracks.push({ name: part.musician, events: yield* partEvents(part.notes), endTick });
  return tracks;
}

/** The file's bytes, as sliced work: run it with `inSlices` (or `finish`). */
export function* recordingMidi(recording: Recording): Sliced<Uint8Array> {
  return yield* standardMidiFile(yield* recordingTracks(recording));
}

/**
 * A MIDI file as a player reads it, by parsers other than the server's writer (midifile-ts):
 * midi-file reads the header and every event, each note-on pairs with the next note-off of its
 * pitch on its channel (as a player hears it); @tonejs/midi, which pairs notes its own way and
 * regroups tracks by channel, must hear the same notes.
 */
import assert from "node:assert/strict";
import { Midi } from "@tonejs/midi";
import { type MidiEvent, parseMidi } from "midi-file";

export interface HeardNote {
  tick: number;
  note: number;
  velocity: number;
  durationTicks: number;
  channel: number;
}

export interface HeardTrack {
  name: string;
  notes: HeardNote[];
  endTick: number;
}

export interface HeardFile {
  format: number;
  ticksPerQuarter: number;
  /** µs per quarter, as written, at each tick it changes. */
  tempos: { tick: number; microsecondsPerQuarter: number }[];
  tracks: HeardTrack[];
}

type Timed = MidiEvent & { tick: number };

function absolute(events: MidiEvent[]): Timed[] {
  let tick = 0;
  return events.map((event) => {
    tick += event.deltaTime;
    return { ...event, tick };
  });
}

/** As a player hears them: a note of one pitch on one channel sounds until its note-off, and never twice at once. */
function notesOf(timed: Timed[]): HeardNote[] {
  const sounding = new Map<string, { tick: number; velocity: number }>();
  const notes: HeardNote[] = [];
  for (const event of timed) {
    if (event.type !== "noteOn" && event.type !== "noteOff") continue;
    const key = `${event.channel} ${event.noteNumber}`;
    const on = sounding.get(key);
    if (event.type === "noteOn" && event.velocity > 0) {
      if (on !== undefined) throw new Error(`note ${key} struck at tick ${event.tick} while it sounds since ${on.tick}`);
      sounding.set(key, { tick: event.tick, velocity: event.velocity });
      continue;
    }
    if (on === undefined) throw new Error(`a note-off of ${key} at tick ${event.tick}, with no such note sounding`);
    sounding.delete(key);
    notes.push({
      tick: on.tick,
      note: event.noteNumber,
      velocity: on.velocity,
      durationTicks: event.tick - on.tick,
      channel: event.channel,
    });
  }
  const left = [...sounding.keys()];
  if (left.length > 0) throw new Error(`notes never ended: ${left.join(", ")}`);
  return notes;
}

const byTime = (a: Omit<HeardNote, "channel">, b: Omit<HeardNote, "channel">) =>
  a.tick - b.tick || a.note - b.note || a.durationTicks - b.durationTicks;

export function readMidi(bytes: Uint8Array): HeardFile {
  const raw = parseMidi(bytes);
  const tracks = raw.tracks.map((events) => {
    const timed = absolute(events);
    const name = timed.find((e): e is Timed & { type: "trackName" } => e.type === "trackName")?.text ?? "";
    return {
      // Names are UTF-8 bytes; the parser hands them back one byte per character.
      name: Buffer.from(name, "latin1").toString("utf8"),
      notes: notesOf(timed),
      endTick: timed.find((e) => e.type === "endOfTrack")?.tick ?? Number.NaN,
    };
  });
  const toneNotes = new Midi(bytes).tracks.flatMap((track) =>
    track.notes.map((n) => ({ tick: n.ticks, note: n.midi, velocity: Math.round(n.velocity * 127), durationTicks: n.durationTicks })),
  );
  const ours = tracks.flatMap((track) => track.notes.map(({ channel: _, ...note }) => note));
  assert.deepEqual(toneNotes.sort(byTime), ours.sort(byTime), "@tonejs/midi hears other notes");
  const tempos = absolute(raw.tracks[0] ?? [])
    .filter((e): e is Timed & { type: "setTempo" } => e.type === "setTempo")
    .map((e) => ({ tick: e.tick, microsecondsPerQuarter: e.microsecondsPerBeat }));
  return { format: raw.header.format, ticksPerQuarter: raw.header.ticksPerBeat ?? Number.NaN, tempos, tracks };
}

/** The notes of a track in a form to compare whole: one string each, in time order. */
export function noteLines(track: HeardTrack | undefined): string[] {
  return (track?.notes ?? [])
    .slice()
    .sort((a, b) => a.tick - b.tick || a.note - b.note)
    .map((n) => `tick ${n.tick} note ${n.note} vel ${n.velocity} len ${n.durationTicks} ch ${n.channel + 1}`);
}

/**
 * A jam's pattern as one loop in a Standard MIDI File (docs/PROTOCOL.md, "Export"): a tempo track,
 * then a track per pattern track, named with its instrument; each step that is on sounds its note
 * for one 16th at step × 120 ticks.
 */
import type { SavedJamSettings, SavedTrack } from "../storage/jamStore";
import { finish } from "../timeSlices";
import { channelOf, partEvents, type PlayedNote } from "./recordingMidi";
import { type MidiTrack, standardMidiFile } from "./smf";
import { microsecondsPerQuarter, TICKS_PER_STEP } from "./tempoMap";

export interface Pattern {
  settings: Pick<SavedJamSettings, "tempo" | "loopSteps">;
  tracks: readonly SavedTrack[];
}

export function patternTracks({ settings, tracks }: Pattern): MidiTrack[] {
  // Every track ends with the loop, so a player that loops the file keeps the pattern's length.
  const endTick = settings.loopSteps * TICKS_PER_STEP;
  const tempo: MidiTrack = {
    events: [{ tick: 0, type: "tempo", microsecondsPerQuarter: microsecondsPerQuarter(settings.tempo) }],
    endTick,
  };
  return [
    tempo,
    ...tracks.map((track) => {
      const channel = channelOf(track.instrument);
      const notes: PlayedNote[] = [];
      // Only the steps of the loop; a step on at velocity 0 is silent, so it is left out.
      track.steps.slice(0, settings.loopSteps).forEach((step, i) => {
        if (!step.on || step.velocity === 0) return;
        notes.push({ channel, note: step.note, velocity: step.velocity, startTick: i * TICKS_PER_STEP, endTick: (i + 1) * TICKS_PER_STEP });
      });
      return { name: track.instrument, events: finish(partEvents(notes)), endTick };
    }),
  ];
}

/** At once: a pattern is at most a few thousand steps. */
export function patternMidi(pattern: Pattern): Uint8Array {
  return finish(standardMidiFile(patternTracks(pattern)));
}

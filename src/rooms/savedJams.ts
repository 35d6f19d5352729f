/**
 * Between the synced state and a saved jam, both ways. What is saved is the contract's list:
 * settings, tempo, transport, pattern, musicians' names — never notes, chat, or tokens.
 */
import type { MessageType } from "../protocol/messages";
import type { RoomOptions } from "../protocol/options";
import * as sequencer from "../rules/sequencer";
import { JamState } from "../schema/JamState";
import { Step } from "../schema/Step";
import { Track } from "../schema/Track";
import type { JamVersionDocument, SavedJam, SavedTrack } from "../storage/jamStore";
import type { Handler, Handlers } from "./messageGate";

/** What a saved jam holds beyond the state: kept by the room, written with every save. */
export interface JamRecord {
  createdAt: number;
  remixOf: string;
  /** Everyone who joined as a musician, in order of first join. */
  musicians: string[];
}

/** Adds a musician's name; returns whether it is new (and so worth a save). */
export function addMusician(record: JamRecord, name: string): boolean {
  if (record.musicians.includes(name)) return false;
  record.musicians.push(name);
  return true;
}

function savedTracksOf(state: JamState): SavedTrack[] {
  return Array.from(state.tracks.values(), (track) => ({
    id: track.id,
    instrument: track.instrument,
    createdBy: track.createdBy,
    steps: Array.from(track.steps, (step) => ({ on: step.on, note: step.note, velocity: step.velocity })),
  }));
}

/** A version of the jam as it is now: its settings, tempo and pattern. */
export function versionOf(state: JamState, options: RoomOptions): JamVersionDocument {
  return { settings: { ...options, tempo: state.tempo }, tracks: savedTracksOf(state) };
}

export function snapshotOf(state: JamState, options: RoomOptions, record: JamRecord, now: number): SavedJam {
  const tracks = savedTracksOf(state);
  const waiting = state.nextAt !== 0;
  return {
    code: state.roomCode,
    createdAt: record.createdAt,
    // Whole ms: the store keeps integers (the manual test clock and Date.now() are whole already).
    savedAt: Math.round(now),
    remixOf: record.remixOf,
    // A waiting tempo change is kept as taken in: a jam reopened after a restart is past its instant.
    settings: { ...options, tempo: waiting ? state.nextTempo : state.tempo },
    tracks,
    transport: {
      isPlaying: state.isPlaying,
      playStartedAt: waiting ? state.nextPlayStartedAt : state.playStartedAt,
      stoppedAtStep: state.isPlaying ? 0 : state.currentStep,
    },
    musicians: [...record.musicians],
  };
}

export function restoredState(saved: SavedJam): JamState {
  const { settings } = saved;
  const state = new JamState().assign({
    roomCode: saved.code,
    tempo: settings.tempo,
    loopSteps: settings.loopSteps,
    transport: settings.transport,
    remixOf: saved.remixOf,
  });
  replaceTracks(state, saved.tracks);
  return state;
}

/** The pattern becomes `tracks` (a restored version, a reopened jam). */
export function replaceTracks(state: JamState, tracks: readonly SavedTrack[]): void {
  state.tracks.clear();
  for (const track of tracks) {
    const restored = new Track().assign({ id: track.id, instrument: track.instrument, createdBy: track.createdBy });
    for (const step of track.steps) restored.steps.push(new Step().assign(step));
    state.tracks.set(track.id, restored);
  }
}

/**
 * Saved while playing and opened within the resume window: still playing on the same timeline, so
 * a deploy or a crash does not stop the groove. Otherwise stopped at step 0.
 */
export function restoredTransport(saved: SavedJam, now: number, resumeWindowMs: number): sequencer.Transport {
  const { tempo, loopSteps } = saved.settings;
  const { isPlaying, playStartedAt } = saved.transport;
  if (!isPlaying || now - saved.savedAt > resumeWindowMs) return sequencer.stoppedTransport(tempo, loopSteps);
  return { ...sequencer.stoppedTransport(tempo, loopSteps), isPlaying: true, playStartedAt };
}

function marking<R, T extends MessageType>(handler: Handler<R, T>, markDirty: (room: R) => void): Handler<R, T> {
  return (room, client, message) => {
    handler(room, client, message);
    markDirty(room);
  };
}

/**
 * The handlers, with those that can change what is saved (transport, tempo, pattern) marking the
 * jam dirty after they ran. `note`, `chat`, `event`, `signal` and `ping` are left as they are: the
 * note path never touches saving. A refused message marks it too; the write is the same jam again.
 */
export function markingSaves<R>(handlers: Handlers<R>, markDirty: (room: R) => void): Handlers<R> {
  return {
    ...handlers,
    tempo: marking(handlers.tempo, markDirty),
    play: marking(handlers.play, markDirty),
    pause: marking(handlers.pause, markDirty),
    stop: marking(handlers.stop, markDirty),
    seek: marking(handlers.seek, markDirty),
    addTrack: marking(handlers.addTrack, markDirty),
    setStep: marking(handlers.setStep, markDirty),
    clearTrack: marking(handlers.clearTrack, markDirty),
    removeTrack: marking(handlers.removeTrack, markDirty),
  };
}

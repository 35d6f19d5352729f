/**
 * Writes a rule's answer into the synced state: the schema classes hold fields only, the rules in
 * `src/rules/` know nothing of schemas, and this is where the two meet.
 */
import type { RoomOptions } from "../protocol/options";
import * as sequencer from "../rules/sequencer";
import { nextHost } from "../rules/roles";
import { JamState } from "../schema/JamState";
import { Participant } from "../schema/Participant";
import { Step } from "../schema/Step";
import { Track } from "../schema/Track";

/** What `GET /rooms` and `GET /rooms/:code` read from the matchmaker listing of every process. */
export interface JamListing {
  roomCode: string;
  participants: number;
  maxParticipants: number;
  tempo: number;
  isPlaying: boolean;
}

export function listingOf(state: JamState, maxParticipants: number): JamListing {
  return {
    roomCode: state.roomCode,
    participants: state.participants.size,
    maxParticipants,
    tempo: state.tempo,
    isPlaying: state.isPlaying,
  };
}

export function newJamState(roomCode: string, options: Pick<RoomOptions, "tempo" | "loopSteps" | "transport">): JamState {
  return new JamState().assign({ roomCode, tempo: options.tempo, loopSteps: options.loopSteps, transport: options.transport });
}

export interface Newcomer {
  id: string;
  name: string;
  instrument: string;
  joinedAt: number;
}

/** Adds a participant; the first one hosts. Returns whether it is the host. */
export function addParticipant(state: JamState, newcomer: Newcomer): boolean {
  const isHost = state.participants.size === 0;
  state.participants.set(newcomer.id, new Participant().assign({ ...newcomer, isHost, connected: true, muted: false }));
  if (isHost) state.host = newcomer.id;
  return isHost;
}

/** Makes `id` the host (no one when undefined); returns the previous host, or null when nothing changed. */
export function setHost(state: JamState, id: string | undefined): string | null {
  const previous = state.host;
  if (previous === (id ?? "")) return null;
  const old = state.participants.get(previous);
  if (old !== undefined) old.isHost = false;
  const next = id === undefined ? undefined : state.participants.get(id);
  if (next !== undefined) next.isHost = true;
  state.host = id ?? "";
  return previous;
}

/** Removes a participant; a host that leaves hands over (see `nextHost`). */
export function removeParticipant(
  state: JamState,
  id: string,
): { removed: Participant; hostChange: { from: string; to: string | undefined } | null } | null {
  const removed = state.participants.get(id);
  if (removed === undefined) return null;
  state.participants.delete(id);
  if (state.host !== id) return { removed, hostChange: null };
  const to = nextHost(Array.from(state.participants.values()));
  const from = setHost(state, to);
  return { removed, hostChange: from === null ? null : { from, to } };
}

/** Writes the sequencer's new state; returns whether the listing's tempo or playing changed. */
export function applySequencer(state: JamState, next: sequencer.Transport, now: number): boolean {
  const listed = state.tempo !== next.tempo || state.isPlaying !== next.isPlaying;
  state.tempo = next.tempo;
  state.isPlaying = next.isPlaying;
  state.playStartedAt = next.playStartedAt;
  state.nextTempo = next.nextTempo;
  state.nextPlayStartedAt = next.nextPlayStartedAt;
  state.nextAt = next.nextAt;
  state.currentStep = sequencer.currentStep(next, now);
  return listed;
}

export function addTrack(state: JamState, id: string, instrument: string, createdBy: string): void {
  const track = new Track().assign({ id, instrument, createdBy });
  for (let i = 0; i < state.loopSteps; i++) track.steps.push(new Step());
  state.tracks.set(id, track);
}

/** One step of a track (none when the track is unknown); note and velocity only when given. */
export function setStep(
  track: Track | undefined,
  change: { step: number; on: boolean; note?: number | undefined; velocity?: number | undefined },
): void {
  const step = track?.steps[change.step];
  if (step === undefined) return;
  step.on = change.on;
  if (change.note !== undefined) step.note = change.note;
  if (change.velocity !== undefined) step.velocity = change.velocity;
}

/** Every step of a track off (nothing when the track is unknown). */
export function clearTrack(track: Track | undefined): void {
  for (const step of track?.steps ?? []) step.on = false;
}

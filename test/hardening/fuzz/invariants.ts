/**
 * The invariants of the contract a room's state must hold after any sequence of messages, joins,
 * drops and reconnections: tempo and loop in range, one host who is a participant, the step in
 * the loop, names unique ignoring case, well-formed tracks. Used by the fuzz and by every hardening
 * test that checks a room's state.
 */
import assert from "node:assert/strict";
import type { JamState } from "../../../src/schema/JamState";

const TRACK_ID = /^[a-z0-9_-]{1,32}$/;
const isInt = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

/** Every invariant of the contract a room's state must hold after any sequence of messages. */
export function invariantViolations(state: JamState, maxTracks: number): string[] {
  const problems: string[] = [];
  const { loopSteps } = state;
  if (!(Number.isFinite(state.tempo) && state.tempo >= 20 && state.tempo <= 300)) problems.push(`tempo ${state.tempo} outside 20–300`);
  if (!isInt(loopSteps, 4, 64)) problems.push(`loopSteps ${loopSteps} outside 4–64`);
  if (!isInt(state.currentStep, 0, loopSteps - 1)) problems.push(`currentStep ${state.currentStep} outside 0–${loopSteps - 1}`);
  if (!state.isPlaying && state.playStartedAt !== 0) problems.push(`stopped with playStartedAt ${state.playStartedAt}`);
  if (state.transport !== "host" && state.transport !== "everyone") problems.push(`transport "${state.transport}"`);

  const participants = Array.from(state.participants.entries());
  const hosts = participants.filter(([, p]) => p.isHost).map(([id]) => id);
  if (participants.length > 0) {
    if (!state.participants.has(state.host)) problems.push(`host "${state.host}" is not a participant`);
    if (hosts.length !== 1 || hosts[0] !== state.host) problems.push(`isHost set on [${hosts.join(", ")}], host is "${state.host}"`);
  }
  const names = new Map<string, string>();
  for (const [id, p] of participants) {
    if (p.id !== id) problems.push(`participant keyed "${id}" has id "${p.id}"`);
    const key = p.name.normalize("NFC").toLowerCase();
    const other = names.get(key);
    if (other !== undefined) problems.push(`names "${other}" and "${p.name}" are the same ignoring case`);
    names.set(key, p.name);
    const nameChars = [...p.name].length;
    if (nameChars < 1 || nameChars > 32) problems.push(`name "${p.name}" has ${nameChars} characters`);
    const instrumentChars = [...p.instrument].length;
    if (instrumentChars < 1 || instrumentChars > 32) problems.push(`instrument of ${p.name} has ${instrumentChars} characters`);
  }

  if (state.tracks.size > maxTracks) problems.push(`${state.tracks.size} tracks, more than ${maxTracks}`);
  for (const [id, track] of state.tracks.entries()) {
    if (track.id !== id || !TRACK_ID.test(id)) problems.push(`track keyed "${id}" has id "${track.id}"`);
    if (track.steps.length !== loopSteps) problems.push(`track "${id}" has ${track.steps.length} steps, loopSteps is ${loopSteps}`);
    track.steps.forEach((step, i) => {
      if (!isInt(step.note, 0, 127)) problems.push(`track "${id}" step ${i}: note ${step.note}`);
      if (!isInt(step.velocity, 1, 127)) problems.push(`track "${id}" step ${i}: velocity ${step.velocity}`);
      if (typeof step.on !== "boolean") problems.push(`track "${id}" step ${i}: on ${String(step.on)}`);
    });
  }
  return problems;
}

/** Fails with every broken invariant of `state`, prefixed with `where`. */
export function assertInvariants(state: JamState, maxTracks: number, where = "the room's state"): void {
  assert.deepEqual(invariantViolations(state, maxTracks), [], `${where} breaks the invariants`);
}

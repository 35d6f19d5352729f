/**
 * A jam of two (host Ann, guest Bob) on a server whose clock a test moves by hand, with the ways
 * the transport tests look at it: what each side shows, driving it, and the contract's formula.
 */
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import type { Room } from "colyseus.js";
import type { ErrorReply } from "../../src/protocol/serverMessages";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { watchPatchTicks } from "./patchTicks";
import type { ManualClock } from "./server";
import type { JamTestServer } from "./server";

export const LEAD_IN_MS = 100;

/** Duration of one sequencer step (a 16th note) at `tempo` BPM. */
export const stepMsAt = (tempo: number): number => 60000 / tempo / 4;

/** The contract's formula for the step at server time `now`. */
export function formulaStep(playStartedAt: number, tempo: number, loopSteps: number, now: number): number {
  const step = Math.floor((now - playStartedAt) / stepMsAt(tempo));
  return ((step % loopSteps) + loopSteps) % loopSteps;
}

export interface TransportView {
  tempo: number;
  isPlaying: boolean;
  currentStep: number;
  playStartedAt: number;
  nextTempo: number;
  nextPlayStartedAt: number;
  nextAt: number;
}

export function viewOf(state: JamState): TransportView {
  const { tempo, isPlaying, currentStep, playStartedAt, nextTempo, nextPlayStartedAt, nextAt } = state;
  return { tempo, isPlaying, currentStep, playStartedAt, nextTempo, nextPlayStartedAt, nextAt };
}

export interface Jam {
  host: Room<JamState>;
  guest: Room<JamState>;
  /** The server side of the room. */
  serverState: () => JamState;
  /** Sets the room's patch interval (ms) on the server. */
  setPatchRate: (ms: number) => void;
  /**
   * Moves the server clock by `ms`, lets a patch run while the jam plays, and returns the server's
   * `currentStep` (seen by the guest too).
   */
  advance: (ms: number) => Promise<number>;
}

export async function openJam(server: JamTestServer, clock: ManualClock, options: Record<string, unknown> = {}): Promise<Jam> {
  const host = await server.colyseus.sdk.create<JamState>("jam", { name: "Ann", ...options });
  const guest = await server.colyseus.sdk.joinById<JamState>(host.roomId, { name: "Bob" });
  for (const room of [host, guest]) room.onMessage("*", () => undefined);
  await Promise.all([synced(host), synced(guest)]);
  await stateWhere(host, (state) => state.participants.size === 2);
  const serverRoom = server.colyseus.getRoomById<JamState>(host.roomId);
  const patches = watchPatchTicks(serverRoom);
  return {
    host,
    guest,
    serverState: () => serverRoom.state,
    setPatchRate: (ms) => serverRoom.setPatchRate(ms),
    advance: async (ms) => {
      clock.advance(ms);
      // Stopped, nothing in the jam moves with time and the server leaves the idle room alone (no
      // patch comes): what the guest must see is the state as it stands.
      if (serverRoom.state.isPlaying) await patches.next();
      const step = serverRoom.state.currentStep;
      await sees(guest, { currentStep: step });
      return step;
    },
  };
}

/** Waits until `room` shows `expected`; fails with a diff of what it shows instead. */
export async function sees(room: Room<JamState>, expected: Partial<TransportView>): Promise<void> {
  const shown = (state: JamState) => {
    const view = viewOf(state);
    return Object.fromEntries(Object.keys(expected).map((key) => [key, view[key as keyof TransportView]]));
  };
  await stateWhere(room, (state) => isDeepStrictEqual(shown(state), expected)).catch(() => undefined);
  assert.deepEqual(shown(room.state), expected);
}

/** Sends a transport message and resolves once the server has applied it (the sender sees `expected`). */
export async function drive(room: Room<JamState>, type: string, payload: object, expected: Partial<TransportView>): Promise<void> {
  room.send(type, payload);
  await sees(room, expected);
}

/** Sends a message that must be refused; returns the error's code and type. */
export async function refused(room: Room<JamState>, type: string, payload: unknown): Promise<Pick<ErrorReply, "code" | "type">> {
  const error = nextMessage(room, "error");
  room.send(type, payload);
  const { code, type: rejected } = await error;
  return { code, type: rejected };
}

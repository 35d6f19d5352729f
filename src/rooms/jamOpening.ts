/**
 * How a room comes to be: a new jam under a fresh code, a saved jam opened again under its own
 * code (create option `code`), or a remix: a new jam under a fresh code with a copy of another's
 * settings, tempo and pattern (create option `remixOf`). The code claim in the presence is the
 * lock: of several creates of one code, only the one whose claim succeeds opens it.
 */
import type { Presence } from "@colyseus/core";
import type { Settings } from "../config/settings";
import { refuse } from "../protocol/errors";
import { parseJoinProfile, parseRoomOptions, type RoomOptions } from "../protocol/options";
import { normalizeRoomCode } from "../rules/roomCode";
import * as sequencer from "../rules/sequencer";
import type { JamState } from "../schema/JamState";
import type { JamStore, SavedJam } from "../storage/jamStore";
import * as jam from "./jamStateWriter";
import { CodeClaim } from "./roomCodes";
import { restoredState, restoredTransport, type JamRecord } from "./savedJams";

export interface Opening {
  claim: CodeClaim;
  options: RoomOptions;
  state: JamState;
  transport: sequencer.Transport;
  record: JamRecord;
}

type Target = { code: string } | { remixOf: string } | undefined;

function codeOption(value: unknown, name: "code" | "remixOf"): string {
  const normalized = normalizeRoomCode(value);
  if (normalized === null) throw refuse.invalidOption(`${name} must be 6 characters of a room code`);
  return normalized;
}

/** The create options that choose what opens; the rest are the room's settings. */
function openTarget(rawOptions: unknown): Target {
  if (typeof rawOptions !== "object" || rawOptions === null) return undefined;
  const { code, remixOf } = rawOptions as { code?: unknown; remixOf?: unknown };
  if (code !== undefined && remixOf !== undefined) throw refuse.invalidOption("code and remixOf cannot be given together");
  if (code !== undefined) return { code: codeOption(code, "code") };
  if (remixOf !== undefined) return { remixOf: codeOption(remixOf, "remixOf") };
  return undefined;
}

/** Saves the live room with that code now, on whichever process has it (a remix copies it as of now). */
export type SaveLiveJam = (code: string) => Promise<void>;

export async function openJam(
  rawOptions: unknown,
  presence: Presence,
  store: JamStore,
  settings: Settings,
  saveLive: SaveLiveJam,
): Promise<Opening> {
  // Everything is validated before a code is claimed: a refusal after the claim would leak it.
  const target = openTarget(rawOptions);
  // The contract's "create never makes a listener": refused rather than quietly made a musician,
  // so a client that meant to listen is not made host of a jam it did not mean to play in.
  if (parseJoinProfile(rawOptions, settings).listener)
    throw refuse.invalidOption("create never makes a listener: join with listener: true");
  if (target === undefined) return openNew(rawOptions, presence, store, settings);
  if ("code" in target) return openSaved(target.code, presence, store, settings);
  return openRemix(target.remixOf, presence, store, settings, saveLive);
}

async function claimNewCode(presence: Presence, store: JamStore): Promise<CodeClaim> {
  // A store that does not answer must not stop new jams: a collision with a saved code is then
  // as unlikely as two rooms drawing one code (32⁶ codes), and a live room's claim still guards it.
  const claim = await CodeClaim.take(presence, (candidate) => store.exists(candidate).catch(() => false));
  if (claim === null) throw refuse.codeUnavailable();
  return claim;
}

async function openNew(rawOptions: unknown, presence: Presence, store: JamStore, settings: Settings): Promise<Opening> {
  const options = parseRoomOptions(rawOptions, settings.maxParticipants);
  const claim = await claimNewCode(presence, store);
  return {
    claim,
    options,
    state: jam.newJamState(claim.code, options),
    transport: sequencer.stoppedTransport(options.tempo, options.loopSteps),
    record: { createdAt: Math.round(settings.now()), remixOf: "", musicians: [] },
  };
}

async function openSaved(code: string, presence: Presence, store: JamStore, settings: Settings): Promise<Opening> {
  const claim = await CodeClaim.takeCode(presence, code);
  if (claim === null) throw refuse.alreadyOpen(code);
  let saved: SavedJam | undefined;
  try {
    saved = await store.load(code);
  } catch (error) {
    await claim.release();
    throw error;
  }
  if (saved === undefined) {
    await claim.release();
    throw refuse.jamNotFound(code);
  }
  const options: RoomOptions = { ...saved.settings };
  const state = restoredState(saved);
  const transport = restoredTransport(saved, settings.now(), settings.resumeWindowS * 1000);
  jam.applySequencer(state, transport, settings.now());
  return {
    claim,
    options,
    state,
    transport,
    record: { createdAt: saved.createdAt, remixOf: saved.remixOf, musicians: [...saved.musicians] },
  };
}

async function openRemix(source: string, presence: Presence, store: JamStore, settings: Settings, saveLive: SaveLiveJam): Promise<Opening> {
  await saveLive(source);
  const saved = await store.load(source);
  if (saved === undefined) throw refuse.jamNotFound(source);
  const claim = await claimNewCode(presence, store);
  const options: RoomOptions = { ...saved.settings };
  // A remix starts stopped, with a history of its own.
  const state = restoredState({ ...saved, code: claim.code, remixOf: source });
  return {
    claim,
    options,
    state,
    transport: sequencer.stoppedTransport(options.tempo, options.loopSteps),
    record: { createdAt: Math.round(settings.now()), remixOf: source, musicians: [] },
  };
}

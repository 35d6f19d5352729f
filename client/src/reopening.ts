/**
 * Opening a jam by its code whatever state it is in: joined when a room has the code (on any
 * process), opened again from its saved copy when none has. Used by `JamClient.open` (a saved
 * jam's link) and by a session whose room went away with its process.
 */
import type { Client, Room } from "colyseus.js";
import { JoinError } from "../../src/protocol/codes";
import { InvalidName, InvalidOption, JamNotSaved, RoomFull, RoomNotFound, Unauthorized, toJamError, type JamError } from "./errors";
import { JAM_ROOM_NAME } from "./roomCode";
import type { JamState, JoinOptions, RoomInfo } from "./types";

export interface OpenSteps {
  colyseus: Client;
  /** `GET /rooms/:code` (rejects with RoomNotFound when no room has it). */
  roomInfo(code: string): Promise<RoomInfo>;
}

/**
 * The join preflight's "full" (`GET /rooms/:code` counts musicians): refuses a musician before any
 * socket opens. A listener is never refused here: listeners have their own limit, which only the
 * server knows, and musicians filling the room do not touch it.
 */
export function refuseIfFull(info: RoomInfo, options: JoinOptions): void {
  if (options.listener !== true && info.participants >= info.maxParticipants) {
    throw new RoomFull(`room "${info.roomCode}" is full (${info.maxParticipants} participants)`);
  }
}

/**
 * Joins the room with `code` or opens its saved jam. Of several musicians doing this at once,
 * exactly one opens it (the server answers the others 4235 `already open`) and they join it.
 * Rejects with JamNotSaved when neither a room nor a saved jam has the code. A listener only ever
 * joins (the server never creates a room for a listener): with no room open it rejects with
 * RoomNotFound, which a reopening session retries until a musician has opened the jam again.
 */
export async function openOrJoin(steps: OpenSteps, code: string, options: JoinOptions): Promise<Room<JamState>> {
  let info: RoomInfo | undefined;
  try {
    info = await steps.roomInfo(code);
  } catch (error) {
    if (!(error instanceof RoomNotFound) || options.listener === true) throw error;
  }
  if (info === undefined) {
    try {
      return await steps.colyseus.create<JamState>(JAM_ROOM_NAME, { ...options, code });
    } catch (cause) {
      const error = toJamError(cause);
      if (error.status === JoinError.NOT_FOUND) throw new JamNotSaved(`no room and no saved jam has code "${code}"`);
      if (error.status !== JoinError.ALREADY_OPEN) throw error;
    }
  } else {
    refuseIfFull(info, options);
  }
  return steps.colyseus.joinById<JamState>(code, options);
}

/**
 * Whether trying again later can help after a failed reopening attempt. Not when the jam was never
 * saved, the room filled up with others, or the server refuses this musician itself (name, token,
 * options); everything else (the server still starting, a crashed process's code not yet freed,
 * rate limits, network) passes with time.
 */
export function reopeningCanSucceed(error: JamError): boolean {
  return !(
    error instanceof JamNotSaved ||
    error instanceof RoomFull ||
    error instanceof InvalidName ||
    error instanceof InvalidOption ||
    error instanceof Unauthorized
  );
}

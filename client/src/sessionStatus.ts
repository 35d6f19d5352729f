/**
 * A session's connection status, why it ended, and which close codes end it for good.
 */
import { CloseCode, JoinError } from "../../src/protocol/codes";
import type { JamError } from "./errors";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "disconnected";

/** Why a session ended. */
export type DisconnectReason =
  /** `leave()` was called. */
  | "left"
  /** The host removed this musician (close 4001); the seat is gone. */
  | "kicked"
  /** Removed for flooding far over the rate limits (close 4029). */
  | "flooding"
  /** The server closed the room for a deploy after `server-restart` and the session does not reopen it (`reopen: false`): open its code again after `reconnectInMs`. */
  | "server-restart"
  /** The server closed the connection as a consented leave (4000) without notice. */
  | "closed"
  /** Reconnection did not succeed within the server's grace or the room is gone, and opening its code again failed (see `error`) or is off. */
  | "reconnect-failed"
  /** create/join was refused or failed (see `error`). */
  | "join-failed";

export interface StatusDetail {
  previous: ConnectionStatus;
  /** The WebSocket close code that caused the change, when one did. */
  closeCode?: number;
  /** Set when the status is `disconnected`. */
  reason?: DisconnectReason;
  /** `join-failed`/`reconnect-failed`: what the last attempt ran into. */
  error?: JamError | Error;
  /** `reconnecting`: the attempt about to be made (1, 2, …); `connected` after a reconnection: how many it took. */
  attempt?: number;
  /** `reconnecting`: the room is gone and the session is opening its code again (a new room, a new sessionId). */
  reopening?: boolean;
  /** `connected`: the session is back in its jam through a new room (the one before went away with its process). */
  reopened?: boolean;
  /** `reason: "server-restart"`: how long the server asked clients to wait before joining again. */
  reconnectInMs?: number;
}

export type StatusListener = (status: ConnectionStatus, detail: StatusDetail) => void;

/** Close codes after which reconnecting is pointless (the seat is gone or the room closed). */
export function finalReason(closeCode: number): DisconnectReason | null {
  switch (closeCode) {
    case CloseCode.CONSENTED:
      return "closed";
    case CloseCode.KICKED:
      return "kicked";
    case CloseCode.FLOODING:
      return "flooding";
    default:
      return null;
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * A reconnection refused because its room is gone (4212), or because the room under the code does
 * not know the token (4214): a newer room, which a bandmate opened after the old one's process went
 * away — or the old room that has not seen the drop yet, which is why reopening tries the token too.
 */
export function roomIsGone(error: unknown): boolean {
  const code = codeOf(error);
  return code === JoinError.NOT_FOUND || code === JoinError.RECONNECT_REFUSED;
}

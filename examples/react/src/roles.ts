/** What this session may do, by the rules the server applies (it answers NOT_ALLOWED to the rest). */
import type { JamSession, JamState } from "@jam/client";

/** Tempo, play, pause, stop and record: the room's transport policy, and never a listener. */
export function mayDriveTransport(session: JamSession, state: JamState): boolean {
  return !session.isListener && (state.transport === "everyone" || state.host === session.sessionId);
}

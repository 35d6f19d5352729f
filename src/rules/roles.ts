/** Roles in a room: who hosts it when the host goes away, and who may drive the transport. */

export interface HostCandidate {
  id: string;
  joinedAt: number;
  connected: boolean;
}

/**
 * The longest-present connected participant; when nobody is connected (everyone is within their
 * reconnection grace) the longest-present one, so a room with participants always has a host.
 * Ties on `joinedAt` go to the earlier entry. `undefined` only for an empty room.
 */
export function nextHost(candidates: readonly HostCandidate[]): string | undefined {
  let best: HostCandidate | undefined;
  for (const c of candidates) {
    if (best === undefined || ranksBefore(c, best)) best = c;
  }
  return best?.id;
}

function ranksBefore(a: HostCandidate, b: HostCandidate): boolean {
  if (a.connected !== b.connected) return a.connected;
  return a.joinedAt < b.joinedAt;
}

/** Who may send `tempo`/`play`/`pause`/`stop`/`seek` under the room's `transport` policy. */
export function mayDriveTransport(policy: "host" | "everyone", isHost: boolean): boolean {
  return policy === "everyone" || isHost;
}

/**
 * Roles in a room: who hosts it when the host goes away, who may drive the transport, and what a
 * listener may send.
 */
import { refusal, type Refusal } from "./refusal";

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

/** The room as the role rules see it: musicians in `participants`, listeners in `listeners`. */
export interface RoleView {
  host: string;
  participants: { has(id: string): boolean };
  listeners: { has(id: string): boolean };
}

export function transferHostRefusal(room: RoleView, senderId: string, to: string): Refusal | null {
  if (room.host !== senderId) return refusal("NOT_ALLOWED", "only the host can hand over the host role");
  if (room.listeners.has(to)) return refusal("NOT_ALLOWED", "a listener cannot be host; only musicians host");
  if (!room.participants.has(to)) return refusal("NOT_FOUND", `no participant "${to}" in this room`);
  return null;
}

/** The host removes musicians and listeners alike: a listener who disrupts the chat is removed the same way. */
export function kickRefusal(room: RoleView, senderId: string, target: string): Refusal | null {
  if (room.host !== senderId) return refusal("NOT_ALLOWED", "only the host can remove participants");
  if (target === senderId) return refusal("NOT_ALLOWED", "the host cannot kick themselves; leave instead");
  if (!room.participants.has(target) && !room.listeners.has(target)) return refusal("NOT_FOUND", `no participant "${target}" in this room`);
  return null;
}

/** What a listener may send; every other message type, also one added later, is refused. */
export const LISTENER_MESSAGE_TYPES: ReadonlySet<string> = new Set(["chat", "ping"]);

/** A listener follows the jam without playing: it chats and syncs its clock, nothing else. */
export function listenerRefusal(type: string): Refusal | null {
  return LISTENER_MESSAGE_TYPES.has(type) ? null : refusal("NOT_ALLOWED", `listeners may only send chat and ping, not ${type}`);
}

export function transportRefusal(policy: "host" | "everyone", isHost: boolean): Refusal | null {
  return mayDriveTransport(policy, isHost) ? null : refusal("NOT_ALLOWED", "in this room only the host controls the transport");
}

export function restoreVersionRefusal(isHost: boolean): Refusal | null {
  return isHost ? null : refusal("NOT_ALLOWED", "only the host can restore a version");
}

/** A WebRTC signal goes to another participant who is connected now. */
export function signalRefusal(senderId: string, to: string, targetConnected: boolean): Refusal | null {
  if (to === senderId) return refusal("BAD_REQUEST", "cannot signal yourself");
  if (!targetConnected) return refusal("NOT_FOUND", `no connected participant "${to}" in this room`);
  return null;
}

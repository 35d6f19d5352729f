/** colyseus.js clients of the jam server, the way the bench and the load test open rooms. */
import { Client, type Room } from "colyseus.js";
import type { ServerMessages } from "../../src/protocol/serverMessages";
import type { JamState } from "../../src/schema/JamState";

export type JamRoom = Room<JamState>;
export type { ServerMessages };

export const JAM_ROOM = "jam";

/** Keeps colyseus.js from warning about message types a bench client does not listen to. */
export function ignoreOtherMessages(room: JamRoom): JamRoom {
  room.onMessage("*", () => undefined);
  return room;
}

export function onServerMessage<K extends keyof ServerMessages>(
  room: JamRoom,
  type: K,
  listener: (message: ServerMessages[K]) => void,
): () => void {
  return room.onMessage(type, listener);
}

/**
 * `rooms` rooms of `perRoom` clients: the first of each creates it, the others join it by code
 * (in parallel, as musicians following a shared link would). Rooms are opened one after another.
 */
export async function openRooms(
  url: string,
  rooms: number,
  perRoom: number,
  label: string,
  options: Record<string, unknown> = {},
): Promise<JamRoom[][]> {
  const client = new Client(url);
  const opened: JamRoom[][] = [];
  for (let r = 0; r < rooms; r++) {
    const host = ignoreOtherMessages(await client.create<JamState>(JAM_ROOM, { ...options, name: `${label}${r}-0` }));
    const guests = await Promise.all(
      Array.from({ length: perRoom - 1 }, (_, i) =>
        client.joinById<JamState>(host.roomId, { name: `${label}${r}-${i + 1}` }).then(ignoreOtherMessages),
      ),
    );
    opened.push([host, ...guests]);
  }
  return opened;
}

/**
 * `perRoom` listeners in each of `rooms` (as openRooms opened them), joining by code with
 * `listener: true`, all of a room's at once (an audience following a shared link). Returns them
 * room by room.
 */
export async function addListeners(url: string, rooms: readonly JamRoom[][], perRoom: number, label: string): Promise<JamRoom[][]> {
  const client = new Client(url);
  const audiences: JamRoom[][] = [];
  for (const [r, members] of rooms.entries()) {
    audiences.push(
      await Promise.all(
        Array.from({ length: perRoom }, (_, i) =>
          client.joinById<JamState>(members[0].roomId, { name: `${label}${r}-L${i}`, listener: true }).then(ignoreOtherMessages),
        ),
      ),
    );
  }
  return audiences;
}

/** Consented leave of every room, tolerating connections that are already gone. */
export async function leaveAll(rooms: readonly JamRoom[]): Promise<void> {
  await Promise.all(rooms.map((room) => room.leave(true).catch(() => undefined)));
}

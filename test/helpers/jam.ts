/** Opens a jam with several musicians in it, the way most room tests start. */
import type { Room } from "colyseus.js";
import type { JamState } from "../../src/schema/JamState";
import { stateWhere, synced } from "../../support/clients";
import type { JamTestServer } from "./server";

export interface Profile {
  name: string;
  instrument?: string;
}

/** The first profile creates the room, the others join it; resolves once everyone sees everyone. */
export async function openJam(server: JamTestServer, first: Profile, ...others: Profile[]): Promise<Room<JamState>[]> {
  const host = await server.colyseus.sdk.create<JamState>("jam", { ...first });
  const rooms = [host];
  for (const profile of others) rooms.push(await server.colyseus.sdk.joinById<JamState>(host.roomId, { ...profile }));
  // Messages a test does not listen for are expected here: keep colyseus.js from warning about each.
  for (const room of rooms) room.onMessage("*", () => undefined);
  await Promise.all(rooms.map((room) => synced(room)));
  await Promise.all(rooms.map((room) => stateWhere(room, (state) => state.participants.size === rooms.length)));
  return rooms;
}

/** Joins the room with `code` as a listener; resolves once it sees itself among the listeners. */
export async function listen(server: JamTestServer, code: string, name: string): Promise<Room<JamState>> {
  const room = await server.colyseus.sdk.joinById<JamState>(code, { name, listener: true });
  room.onMessage("*", () => undefined);
  return synced(room);
}

/**
 * What is live on this process right now: rooms, and connections that are actually open. Read from
 * memory only — never through the matchmaker driver — so `/health` answers whatever Redis does.
 */
import { matchMaker, type Room } from "@colyseus/core";
import type { EventEmitter } from "node:events";

export interface LiveCounts {
  rooms(): number;
  clients(): number;
  /** The rooms this process hosts. */
  localRooms(): Room[];
  /** Follows the rooms `handler` (what `gameServer.define` returns) creates and disposes here. */
  track(handler: EventEmitter): void;
}

const local = new Set<Room>();

export const liveCounts: LiveCounts = {
  rooms: () => matchMaker.stats.local.roomCount,
  /**
   * Not `stats.ccu`: Colyseus counts a participant within its reconnection grace there until the
   * grace ends, though its connection is gone.
   */
  clients: () => [...local].reduce((sum, room) => sum + room.clients.length, 0),
  localRooms: () => [...local],
  track(handler) {
    handler.on("create", (room: Room) => local.add(room));
    handler.on("dispose", (room: Room) => local.delete(room));
  },
};

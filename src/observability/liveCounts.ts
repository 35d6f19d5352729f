/** What is live on this process right now: rooms, and connections that are actually open. */
import { matchMaker } from "@colyseus/core";

export interface LiveCounts {
  rooms(): number;
  clients(): Promise<number>;
}

export const liveCounts: LiveCounts = {
  rooms: () => matchMaker.stats.local.roomCount,
  /**
   * Not `stats.ccu`: Colyseus counts a participant within its reconnection grace there until the
   * grace ends, though its connection is gone.
   */
  async clients() {
    const local = await matchMaker.query({ processId: matchMaker.processId });
    return local.reduce((sum, cache) => sum + (matchMaker.getLocalRoomById(cache.roomId)?.clients.length ?? 0), 0);
  },
};

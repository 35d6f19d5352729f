/**
 * State propagation: in R rooms of K clients, each host changes the tempo once a second (rooms
 * staggered); a change is timed from the host's `send` until every client of the room has decoded a
 * patch carrying the new tempo (as `tempo`, or as `nextTempo` where a playing room announces it).
 * Transport changes go out in a patch of their own at once, not at the next 50 ms tick.
 */
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import { stateWhere } from "../../support/clients";
import { leaveAll, openRooms, type JamRoom } from "../lib/jamClients";
import type { StateResult } from "../lib/results";
import { summarize } from "../lib/stats";
import { sleep } from "../lib/wallClock";

const MISSED_AFTER_MS = 2000;

interface Pending {
  tempo: number;
  sentAt: number;
  seen: Set<number>;
  timer: NodeJS.Timeout;
}

export async function stateChanges(flags: Flags, link: RunnerLink): Promise<StateResult> {
  const url = serverUrl(flags);
  const roomCount = flags.number("rooms", 10);
  const perRoom = flags.number("per-room", 8);
  const seconds = flags.number("seconds", 10);
  const periodMs = flags.number("period-ms", 1000);

  const rooms = await openRooms(url, roomCount, perRoom, "state");
  // Every client has the full state (and so the current tempo) before timing starts.
  await Promise.all(rooms.flat().map((room) => stateWhere(room, (state) => state.participants?.size === perRoom, 5000)));
  link.ready();

  const seenByAll: number[] = [];
  const perClient: number[] = [];
  let changes = 0;
  let missed = 0;

  const runRoom = async (members: JamRoom[], index: number): Promise<void> => {
    let pending: Pending | undefined;
    for (const [member, room] of members.entries()) {
      room.onStateChange((state) => {
        if (pending === undefined || pending.seen.has(member)) return;
        if (state.tempo !== pending.tempo && state.nextTempo !== pending.tempo) return;
        const latency = performance.now() - pending.sentAt;
        perClient.push(latency);
        pending.seen.add(member);
        if (pending.seen.size === members.length) {
          seenByAll.push(latency);
          clearTimeout(pending.timer);
          pending = undefined;
        }
      });
    }
    await sleep((index / roomCount) * periodMs);
    const deadline = performance.now() + seconds * 1000;
    let tempo = members[0].state.tempo;
    while (performance.now() < deadline && !link.stopping) {
      // A tempo no client has seen yet, so the patch that carries it is unambiguous.
      tempo = tempo >= 280 ? 60 + index : tempo + 1;
      if (pending === undefined) {
        changes++;
        const timer = setTimeout(() => {
          missed++;
          pending = undefined;
        }, MISSED_AFTER_MS);
        pending = { tempo, sentAt: performance.now(), seen: new Set(), timer };
        members[0].send("tempo", { tempo });
      }
      await sleep(periodMs);
    }
    await sleep(MISSED_AFTER_MS);
  };

  await Promise.all(rooms.map((members, index) => runRoom(members, index)));
  await leaveAll(rooms.flat());
  return {
    rooms: roomCount,
    perRoom,
    changes,
    missed,
    seenByAllMs: summarize(seenByAll),
    perClientMs: summarize(perClient),
  };
}

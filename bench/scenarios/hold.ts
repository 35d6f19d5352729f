/** Idle clients for the memory figures: R rooms × K clients join, then nothing happens until stop. */
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import { leaveAll, openRooms } from "../lib/jamClients";

export async function hold(flags: Flags, link: RunnerLink): Promise<{ clients: number }> {
  const url = serverUrl(flags);
  const rooms = flags.number("rooms", 100);
  const perRoom = flags.number("per-room", 10);
  const start = performance.now();
  const clients = (await openRooms(url, rooms, perRoom, "idle")).flat();
  link.ready({ clients: clients.length, connectMs: Math.round(performance.now() - start) });
  await link.stopped();
  await leaveAll(clients);
  return { clients: clients.length };
}

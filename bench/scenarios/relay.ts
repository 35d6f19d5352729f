/**
 * Note relay through the jam server, measured like the shared loadgen.js measures every relay:
 * R rooms × K clients, each sending `rate` notes/s evenly paced; every note must reach the K−1
 * others. Latency is sender → receiver on this process's monotonic clock. With `--hold` the load
 * keeps running after the result until the runner says stop (other probes measure under it).
 *
 * Send phases are spread evenly over the note period in client order, as loadgen.js spreads them,
 * so a room's musicians send close together (as a band plays on the beat). `--interleave` orders
 * the phases room by room instead: each room's notes are spread over the whole period, the least
 * favourable case for the server's per-turn write coalescing.
 */
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import { leaveAll, onServerMessage, openRooms } from "../lib/jamClients";
import { CpuWindow, OwnCpuWindow, rssBytes } from "../lib/proc";
import type { RelayResult } from "../lib/results";
import { summarize } from "../lib/stats";
import { sleep } from "../lib/wallClock";

/** Notes of the window still in flight when it closes are counted if they land within this. */
const GRACE_MS = 1000;
const PACING_TICK_MS = 5;

export async function relay(flags: Flags, link: RunnerLink): Promise<RelayResult> {
  const url = serverUrl(flags);
  const rooms = flags.number("rooms", 50);
  const perRoom = flags.number("per-room", 8);
  const rate = flags.number("rate", 8);
  const seconds = flags.number("seconds", 10);
  const warmup = flags.number("warmup", 2);
  const pid = flags.number("pid", 0);
  const hold = flags.boolean("hold");
  const interleave = flags.boolean("interleave");

  const connectStart = performance.now();
  const clients = (await openRooms(url, rooms, perRoom, "relay")).flat();
  const connectMs = performance.now() - connectStart;
  link.ready({ clients: clients.length, connectMs: Math.round(connectMs) });

  // seq → send time, for notes sent inside the measured window; every delivery of one counts.
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let measuring = false;
  let sent = 0;
  let delivered = 0;
  for (const room of clients) {
    onServerMessage(room, "note", (note) => {
      if (note.seq === undefined) return;
      const at = sentAt.get(note.seq);
      if (at === undefined) return;
      delivered++;
      latencies.push(performance.now() - at);
    });
  }

  const periodMs = 1000 / rate;
  // Client i is musician i % perRoom of room ⌊i / perRoom⌋ (openRooms opens them in that order).
  const phaseSlot = (i: number): number => (interleave ? (i % perRoom) * rooms + Math.floor(i / perRoom) : i);
  const next = clients.map((_, i) => performance.now() + (phaseSlot(i) / clients.length) * periodMs);
  let seq = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    for (let i = 0; i < clients.length; i++) {
      while (next[i] <= t) {
        next[i] += periodMs;
        seq = (seq + 1) >>> 0;
        if (measuring) {
          sentAt.set(seq, performance.now());
          sent++;
        }
        clients[i].send("note", { note: 60 + (seq % 12), velocity: 100, seq });
      }
    }
  }, PACING_TICK_MS);

  await sleep(warmup * 1000);
  const serverCpu = pid > 0 ? new CpuWindow(pid) : undefined;
  const ownCpu = new OwnCpuWindow();
  const windowStart = performance.now();
  measuring = true;
  await sleep(seconds * 1000);
  measuring = false;
  const windowS = (performance.now() - windowStart) / 1000;
  const server = serverCpu?.end();
  const generatorCpuPct = ownCpu.endPct();
  const serverRssMiB = pid > 0 ? rssBytes(pid) / 2 ** 20 : NaN;
  if (!hold) clearInterval(timer);
  await sleep(GRACE_MS);

  const expected = sent * (perRoom - 1);
  const latency = summarize(latencies);
  const cpuS = server?.cpuS ?? NaN;
  const result: RelayResult = {
    target: "jam",
    tool: "bench",
    interleaved: interleave,
    rooms,
    perRoom,
    rate,
    clients: clients.length,
    connectMs: Math.round(connectMs),
    windowS: Math.round(windowS * 100) / 100,
    sentPerSec: Math.round(sent / windowS),
    deliveredPerSec: Math.round(delivered / windowS),
    lossPct: expected > 0 ? Math.round(10000 * (1 - delivered / expected)) / 100 : NaN,
    latencyMs: { p50: latency.p50, p95: latency.p95, p99: latency.p99, max: latency.max },
    serverCpuPct: Math.round((1000 * cpuS) / windowS) / 10,
    cpuUsPerDelivery: Math.round((100 * cpuS * 1e6) / delivered) / 100,
    generatorCpuPct: Math.round(generatorCpuPct * 10) / 10,
    serverRssMiB: Math.round(serverRssMiB * 10) / 10,
  };
  sentAt.clear();
  if (hold) {
    link.send({ kind: "result", result });
    await link.stopped();
    clearInterval(timer);
  }
  await leaveAll(clients);
  return result;
}

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
 *
 * With `--edit-rate N`, `--editors E` clients of each room also edit the pattern, N `setStep` a
 * second each, until the window closes; the result then says what the clients saw of the pattern
 * at the end, and with `--save-metrics` how the server saved meanwhile (its GET /metrics).
 */
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import { leaveAll, onServerMessage, openRooms } from "../lib/jamClients";
import { CpuWindow, MatchingCpuWindow, OwnCpuWindow, rssBytes } from "../lib/proc";
import { paced } from "../lib/pacing";
import { PatternEditing } from "../lib/patternEdits";
import type { EditedRelayResult } from "../lib/results";
import { readSaveCounters, saveFigures } from "../lib/saveMetrics";
import { summarize } from "../lib/stats";
import { sleep } from "../lib/wallClock";

/** Notes of the window still in flight when it closes are counted if they land within this. */
const GRACE_MS = 1000;

export async function relay(flags: Flags, link: RunnerLink): Promise<EditedRelayResult> {
  const url = serverUrl(flags);
  const rooms = flags.number("rooms", 50);
  const perRoom = flags.number("per-room", 8);
  const rate = flags.number("rate", 8);
  const seconds = flags.number("seconds", 10);
  const warmup = flags.number("warmup", 2);
  const pid = flags.number("pid", 0);
  const hold = flags.boolean("hold");
  const interleave = flags.boolean("interleave");
  const editRate = flags.number("edit-rate", 0);
  const withSaveMetrics = flags.boolean("save-metrics");
  // The store's own processes (PostgreSQL's backends for the run's database), measured alongside the server.
  const cpuOf = flags.string("cpu-of", "");

  const connectStart = performance.now();
  const opened = await openRooms(url, rooms, perRoom, "relay");
  const clients = opened.flat();
  const connectMs = performance.now() - connectStart;
  const editing = editRate > 0 ? new PatternEditing(opened, flags.number("editors", 1), editRate) : undefined;
  await editing?.prepare();
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

  // Client i is musician i % perRoom of room ⌊i / perRoom⌋ (openRooms opens them in that order).
  const phaseSlot = (i: number): number => (interleave ? (i % perRoom) * rooms + Math.floor(i / perRoom) : i);
  let seq = 0;
  const stopNotes = paced(
    clients.length,
    rate,
    (i) => {
      seq = (seq + 1) >>> 0;
      if (measuring) {
        sentAt.set(seq, performance.now());
        sent++;
      }
      clients[i].send("note", { note: 60 + (seq % 12), velocity: 100, seq });
    },
    phaseSlot,
  );
  editing?.start();

  await sleep(warmup * 1000);
  const savesBefore = withSaveMetrics ? await readSaveCounters(httpUrlOf(url)) : undefined;
  const serverCpu = pid > 0 ? new CpuWindow(pid) : undefined;
  const storeCpu = cpuOf === "" ? undefined : new MatchingCpuWindow(cpuOf);
  const ownCpu = new OwnCpuWindow();
  const windowStart = performance.now();
  measuring = true;
  editing?.count(true);
  await sleep(seconds * 1000);
  measuring = false;
  editing?.count(false);
  const windowS = (performance.now() - windowStart) / 1000;
  const server = serverCpu?.end();
  const store = storeCpu?.end();
  const generatorCpuPct = ownCpu.endPct();
  const serverRssMiB = pid > 0 ? rssBytes(pid) / 2 ** 20 : NaN;
  // Read after the CPU window closed: the scrape's own cost is not counted against the notes.
  const savesAfter = savesBefore === undefined ? undefined : await readSaveCounters(httpUrlOf(url));
  // Edits end with the window even when the notes go on (hold): what was saved is then compared
  // with a pattern that no longer changes.
  editing?.stop();
  const editsEndedAt = Date.now();
  if (!hold) stopNotes();
  await sleep(GRACE_MS);

  const expected = sent * (perRoom - 1);
  const latency = summarize(latencies);
  const cpuS = server?.cpuS ?? NaN;
  const result: EditedRelayResult = {
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
  if (editing !== undefined) {
    const { patterns, clientsDisagreeing } = editing.seen();
    result.edits = {
      editorsPerRoom: editing.editorsPerRoom,
      ratePerS: editing.ratePerS,
      sentPerSec: Math.round(editing.sent / windowS),
      refused: editing.refused,
      firstRefusal: editing.firstRefusal,
      clientsDisagreeing,
    };
    result.patternsSeen = patterns;
    result.editsEndedAt = editsEndedAt;
  }
  if (store !== undefined) result.storeCpuPct = Math.round((1000 * store.cpuS) / windowS) / 10;
  if (savesBefore !== undefined && savesAfter !== undefined) result.saves = saveFigures(savesBefore, savesAfter, windowS);
  sentAt.clear();
  if (hold) {
    link.send({ kind: "result", result });
    await link.stopped();
    stopNotes();
  }
  await leaveAll(clients);
  return result;
}

/** The HTTP side of the jam server's WebSocket URL (GET /metrics). */
function httpUrlOf(wsUrl: string): string {
  return wsUrl.replace(/^ws/, "http");
}

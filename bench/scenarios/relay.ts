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
 *
 * With `--record`, every room records from before its first note (its host sends `record`), and
 * the result says what the recordings wrote over the window and, once the band has left, whether
 * the store holds every note sent. With `--listeners L`, L listeners join each room; they send
 * nothing, and their deliveries are counted and timed apart from the musicians'.
 */
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import { addListeners, type JamRoom, leaveAll, onServerMessage, openRooms } from "../lib/jamClients";
import { CpuWindow, MatchingCpuWindow, OwnCpuWindow, rssBytes } from "../lib/proc";
import { paced } from "../lib/pacing";
import { PatternEditing } from "../lib/patternEdits";
import { startRecordings, storedNotes } from "../lib/recordingRun";
import type { EditedRelayResult, ReceiverFigures } from "../lib/results";
import { readSaveCounters, recordingWrites, saveFigures } from "../lib/saveMetrics";
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
  const record = flags.boolean("record");
  const listenersPerRoom = flags.number("listeners", 0);
  // The recordings' writes come from the same scrape; a run without recording reads them too, to show none.
  const withSaveMetrics = flags.boolean("save-metrics") || record;
  // The store's own processes (PostgreSQL's backends for the run's database), measured alongside the server.
  const cpuOf = flags.string("cpu-of", "");

  const connectStart = performance.now();
  const opened = await openRooms(url, rooms, perRoom, "relay");
  const audiences = listenersPerRoom > 0 ? await addListeners(url, opened, listenersPerRoom, "relay") : [];
  const clients = opened.flat();
  const listeners = audiences.flat();
  const connectMs = performance.now() - connectStart;
  if (record) await startRecordings(opened);
  const editing = editRate > 0 ? new PatternEditing(opened, flags.number("editors", 1), editRate) : undefined;
  await editing?.prepare();
  link.ready({ clients: clients.length + listeners.length, connectMs: Math.round(connectMs) });

  // seq → send time, for notes sent inside the measured window; every delivery of one counts.
  const sentAt = new Map<number, number>();
  const toMusicians: number[] = [];
  const toListeners: number[] = [];
  const timeDeliveries = (receivers: readonly JamRoom[], latencies: number[]): void => {
    for (const room of receivers) {
      onServerMessage(room, "note", (note) => {
        const at = note.seq === undefined ? undefined : sentAt.get(note.seq);
        if (at !== undefined) latencies.push(performance.now() - at);
      });
    }
  };
  timeDeliveries(clients, toMusicians);
  timeDeliveries(listeners, toListeners);
  let measuring = false;
  let sent = 0;
  // Every note sent to each room, window or not: what its recording must hold.
  const sentToRoom = new Array<number>(rooms).fill(0);

  // Client i is musician i % perRoom of room ⌊i / perRoom⌋ (openRooms opens them in that order).
  const phaseSlot = (i: number): number => (interleave ? (i % perRoom) * rooms + Math.floor(i / perRoom) : i);
  let seq = 0;
  const stopNotes = paced(
    clients.length,
    rate,
    (i) => {
      seq = (seq + 1) >>> 0;
      sentToRoom[Math.floor(i / perRoom)]++;
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

  const latencies = toListeners.length === 0 ? toMusicians : [...toMusicians, ...toListeners];
  const delivered = latencies.length;
  const expected = sent * (perRoom - 1 + listenersPerRoom);
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
    cpuUsPerSentNote: Math.round((100 * cpuS * 1e6) / sent) / 100,
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
  if (savesBefore !== undefined && savesAfter !== undefined) {
    result.saves = saveFigures(savesBefore, savesAfter, windowS);
    result.recordingWrites = recordingWrites(savesBefore, savesAfter, windowS);
  }
  if (listenersPerRoom > 0) {
    result.byRole = {
      musicians: receiverFigures(toMusicians, perRoom - 1, sent, windowS),
      listeners: receiverFigures(toListeners, listenersPerRoom, sent, windowS),
    };
  }
  sentAt.clear();
  if (hold) {
    link.send({ kind: "result", result });
    await link.stopped();
    stopNotes();
  }
  await leaveAll([...clients, ...listeners]);
  // The band has left: each recording stopped and wrote its last batch.
  if (record) {
    const codes = opened.map(([host]) => host.roomId);
    result.recordedNotes = await storedNotes(httpUrlOf(url), codes, sentToRoom);
  }
  return result;
}

/** The deliveries to one kind of receiver, `perRoom` of them in each room, of `sent` notes. */
function receiverFigures(latencies: readonly number[], perRoom: number, sent: number, windowS: number): ReceiverFigures {
  const { p50, p95, p99, max } = summarize(latencies);
  const expected = sent * perRoom;
  return {
    perRoom,
    deliveredPerSec: Math.round(latencies.length / windowS),
    lossPct: expected > 0 ? Math.round(10000 * (1 - latencies.length / expected)) / 100 : NaN,
    latencyMs: { p50, p95, p99, max },
  };
}

/** The HTTP side of the jam server's WebSocket URL (GET /metrics). */
function httpUrlOf(wsUrl: string): string {
  return wsUrl.replace(/^ws/, "http");
}

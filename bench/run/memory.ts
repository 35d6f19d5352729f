/**
 * The memory scenario: a fresh server's idle footprint, then its footprint with idle clients 2 s
 * after they joined; with one client per room (idle rooms), also the server's CPU while they sit
 * idle and, after that, their footprint once settled (what an idle room keeps, without the garbage
 * and the grown young generation of 500 joins in a burst).
 */
import { CpuWindow, rssBytes } from "../lib/proc";
import type { MemoryResult, ServerTarget } from "../lib/results";
import { opensJamRooms } from "../lib/servers";
import { sleep } from "../lib/wallClock";
import { runLoadgen } from "../refs/loadgen";
import { driver, live, log, noise, startServer, stopServer, track } from "./context";
import type { Options } from "./options";

const MiB = 2 ** 20;
/**
 * Idle rooms' CPU is measured once the server has settled after the joins: V8 shrinks a heap that
 * grew for 500 joins with a burst of collections 10–20 s later (5–6 % of a core for 10 s), a cost
 * of the joins, not of rooms sitting idle. Both servers wait the same.
 */
const IDLE_SETTLE_S = 30;
/** How long idle rooms' CPU is measured. */
const IDLE_CPU_S = 20;
const round1 = (value: number): number => Math.round(value * 10) / 10;

/** Idle rooms once settled: their CPU over the idle window, then the server's RSS and heap. */
interface Settled {
  cpuPct: number;
  rss: number;
  heap: number | undefined;
}

/** A fresh server, its idle footprint, then the footprint with `rooms × perRoom` idle clients. */
export async function measureMemory(target: ServerTarget, options: Options, rooms: number, perRoom: number): Promise<MemoryResult> {
  noise.mark(`${target} memory ${rooms}×${perRoom}`);
  const server = await startServer(target, options);
  try {
    await sleep(1000);
    const baselineRss = rssBytes(server.pid);
    const baselineHeap = await server.heapUsedBytes();
    let loadedRss: number;
    let loadedHeap: number | undefined;
    let connectMs: number;
    let idle: Settled | undefined;
    /** Idle rooms only: the CPU of the settled rooms, then their footprint once settled. */
    const settle = async (): Promise<Settled | undefined> => {
      if (perRoom !== 1) return undefined;
      await sleep(IDLE_SETTLE_S * 1000);
      const window = new CpuWindow(server.pid);
      await sleep(IDLE_CPU_S * 1000);
      const { cpuS, wallS } = window.end();
      return { cpuPct: round1((100 * cpuS) / wallS), rss: rssBytes(server.pid), heap: await server.heapUsedBytes() };
    };
    if (opensJamRooms(target)) {
      const holder = driver<{ clients: number }>("hold", { url: server.url, rooms, "per-room": perRoom });
      const ready = await holder.ready;
      connectMs = Number(ready.connectMs);
      await sleep(2000);
      loadedRss = rssBytes(server.pid);
      loadedHeap = await server.heapUsedBytes();
      idle = await settle();
      await holder.stop();
      live.delete(holder);
    } else {
      const run = track(
        // Held long enough to settle and measure the idle rooms' CPU (loadgen.js sends nothing at rate 0).
        runLoadgen(options.refDir, {
          target,
          url: server.url,
          rooms,
          perRoom,
          rate: 0,
          seconds: perRoom === 1 ? IDLE_SETTLE_S + IDLE_CPU_S + 2 : 1,
          warmup: 2,
          pid: server.pid,
        }),
      );
      await run.windowOpened;
      loadedRss = rssBytes(server.pid);
      idle = await settle();
      connectMs = (await run.result).connectMs;
      live.delete(run);
    }
    const clients = rooms * perRoom;
    const result: MemoryResult = {
      target,
      rooms,
      perRoom,
      clients,
      connectMs,
      baselineRssMiB: round1(baselineRss / MiB),
      loadedRssMiB: round1(loadedRss / MiB),
      rssKiBPerClient: round1((loadedRss - baselineRss) / 1024 / clients),
      rssKiBPerRoom: round1((loadedRss - baselineRss) / 1024 / rooms),
    };
    if (baselineHeap !== undefined && loadedHeap !== undefined) {
      result.baselineHeapMiB = round1(baselineHeap / MiB);
      result.loadedHeapMiB = round1(loadedHeap / MiB);
      result.heapKiBPerClient = round1((loadedHeap - baselineHeap) / 1024 / clients);
      result.heapKiBPerRoom = round1((loadedHeap - baselineHeap) / 1024 / rooms);
    }
    if (idle !== undefined) {
      result.idleCpuPct = idle.cpuPct;
      result.settledRssKiBPerRoom = round1((idle.rss - baselineRss) / 1024 / rooms);
      if (baselineHeap !== undefined && idle.heap !== undefined)
        result.settledHeapKiBPerRoom = round1((idle.heap - baselineHeap) / 1024 / rooms);
    }
    log(
      `${server.label} memory ${rooms}×${perRoom}: RSS ${result.baselineRssMiB} → ${result.loadedRssMiB} MiB (${result.rssKiBPerClient} KiB/client)` +
        (idle === undefined ? "" : `, ${idle.cpuPct} % CPU idle, then ${result.settledRssKiBPerRoom} KiB/room`),
    );
    return result;
  } finally {
    await stopServer(server);
  }
}

/**
 * The memory scenario: a fresh server's idle footprint, then its footprint with idle clients; with
 * one client per room (idle rooms), also the server's CPU while they sit idle.
 */
import { CpuWindow, rssBytes } from "../lib/proc";
import type { MemoryResult, Target } from "../lib/results";
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

/** A fresh server, its idle footprint, then the footprint with `rooms × perRoom` idle clients. */
export async function measureMemory(target: Target, options: Options, rooms: number, perRoom: number): Promise<MemoryResult> {
  noise.mark(`${target} memory ${rooms}×${perRoom}`);
  const server = await startServer(target, options);
  try {
    await sleep(1000);
    const baselineRss = rssBytes(server.pid);
    const baselineHeap = await server.heapUsedBytes();
    let loadedRss: number;
    let loadedHeap: number | undefined;
    let connectMs: number;
    let idleCpuPct: number | undefined;
    const idleCpu = async (): Promise<number | undefined> => {
      if (perRoom !== 1) return undefined;
      await sleep(IDLE_SETTLE_S * 1000);
      const window = new CpuWindow(server.pid);
      await sleep(IDLE_CPU_S * 1000);
      const { cpuS, wallS } = window.end();
      return round1((100 * cpuS) / wallS);
    };
    if (target === "jam") {
      const holder = driver<{ clients: number }>("hold", { url: server.url, rooms, "per-room": perRoom });
      const ready = await holder.ready;
      connectMs = Number(ready.connectMs);
      await sleep(2000);
      loadedRss = rssBytes(server.pid);
      loadedHeap = await server.heapUsedBytes();
      idleCpuPct = await idleCpu();
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
      idleCpuPct = await idleCpu();
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
    if (idleCpuPct !== undefined) result.idleCpuPct = idleCpuPct;
    if (baselineHeap !== undefined && loadedHeap !== undefined) {
      result.baselineHeapMiB = round1(baselineHeap / MiB);
      result.loadedHeapMiB = round1(loadedHeap / MiB);
      result.heapKiBPerClient = round1((loadedHeap - baselineHeap) / 1024 / clients);
      result.heapKiBPerRoom = round1((loadedHeap - baselineHeap) / 1024 / rooms);
    }
    log(
      `${server.label} memory ${rooms}×${perRoom}: RSS ${result.baselineRssMiB} → ${result.loadedRssMiB} MiB (${result.rssKiBPerClient} KiB/client)` +
        (idleCpuPct === undefined ? "" : `, ${idleCpuPct} % CPU idle`),
    );
    return result;
  } finally {
    await stopServer(server);
  }
}

/**
 * Capacity: the most musicians one process serves in rooms of 8 at 8 notes/s with relay p99
 * ≤ 20 ms and no loss. Each target is driven by the shared loadgen.js (its own process) on a fresh
 * server: the room count steps up until a run fails, then the gap between the last pass and the
 * first failure is halved down to CAPACITY_RESOLUTION rooms.
 */
import type { CapacityResult, CapacityStep, Target } from "../lib/results";
import { runLoadgen } from "../refs/loadgen";
import { live, log, logRelay, noise, startServer, stopServer, track } from "./context";
import type { Options } from "./options";

export const CAPACITY_LIMITS = { p99Ms: 20, lossPct: 0 } as const;
const PER_ROOM = 8;
const RATE = 8;
const FIRST_ROOMS = 50;
const STEP_ROOMS = 50;
/** Beyond this the machine, not the server, is what a run measures (4,800 clients). */
const MAX_ROOMS = 600;
const CAPACITY_RESOLUTION = 10;

export async function measureCapacity(target: Target, options: Options): Promise<CapacityResult> {
  const server = await startServer(target, options);
  const steps: CapacityStep[] = [];
  const attempt = async (rooms: number): Promise<boolean> => {
    noise.mark(`${target} capacity ${rooms} rooms`);
    log(`capacity: ${rooms} rooms × ${PER_ROOM} (shared loadgen.js --target ${target})`);
    const run = track(
      runLoadgen(options.refDir, {
        target,
        url: server.url,
        rooms,
        perRoom: PER_ROOM,
        rate: RATE,
        seconds: options.seconds,
        warmup: options.warmup,
        pid: server.pid,
      }),
    );
    const result = await run.result.catch((error: unknown) => {
      log(`  the run failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    live.delete(run);
    if (result === undefined) {
      steps.push({ rooms, musicians: rooms * PER_ROOM, passed: false });
      return false;
    }
    logRelay(result);
    const passed = result.lossPct <= CAPACITY_LIMITS.lossPct && result.latencyMs.p99 <= CAPACITY_LIMITS.p99Ms;
    steps.push({
      rooms,
      musicians: rooms * PER_ROOM,
      passed,
      p99Ms: result.latencyMs.p99,
      lossPct: result.lossPct,
      deliveredPerSec: result.deliveredPerSec,
      serverCpuPct: result.serverCpuPct,
      generatorCpuPct: result.generatorCpuPct,
    });
    return passed;
  };
  try {
    let passed = 0;
    let failed: number | undefined;
    for (let rooms = FIRST_ROOMS; rooms <= MAX_ROOMS && failed === undefined; rooms += STEP_ROOMS) {
      if (await attempt(rooms)) passed = rooms;
      else failed = rooms;
    }
    while (failed !== undefined && failed - passed > CAPACITY_RESOLUTION) {
      const middle = Math.round((passed + failed) / 2 / CAPACITY_RESOLUTION) * CAPACITY_RESOLUTION;
      if (middle <= passed || middle >= failed) break;
      if (await attempt(middle)) passed = middle;
      else failed = middle;
    }
    const capped = failed === undefined;
    log(
      `capacity of ${target}: ${passed * PER_ROOM} musicians (${passed} rooms)${capped ? `, every step up to ${MAX_ROOMS} rooms passed` : ""}`,
    );
    return { target, perRoom: PER_ROOM, rate: RATE, musicians: passed * PER_ROOM, rooms: passed, capped, steps };
  } finally {
    await stopServer(server);
  }
}

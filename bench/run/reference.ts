/**
 * The reference relays' part of the run (raw ws, Socket.IO, from the shared bench folder): memory,
 * capacity, relay rounds with the shared loadgen.js in both traffic shapes, and joins under its load.
 */
import type { JoinsResult, RelayResult } from "../lib/results";
import { relayKey, type TargetFigures } from "../lib/report";
import { runLoadgen } from "../refs/loadgen";
import { driver, finish, live, log, logRelay, noise, startServer, stopServer, track } from "./context";
import { measureCapacity } from "./capacity";
import { measureMemory } from "./memory";
import type { Options } from "./options";

export async function runReference(target: "ws" | "socketio", options: Options): Promise<TargetFigures> {
  const { only } = options;
  const figures: TargetFigures = { relay: [] };
  if (only.has("memory")) {
    figures.memoryClients = await measureMemory(target, options, options.memoryLayout.rooms, options.memoryLayout.perRoom);
    figures.memoryRooms = await measureMemory(target, options, options.idleRooms, 1);
  }
  if (only.has("capacity")) figures.capacity = await measureCapacity(target, options);
  if (!only.has("relay") && !only.has("joins")) return figures;
  const server = await startServer(target, options);
  try {
    if (only.has("relay")) {
      const spread: RelayResult[] = [];
      figures.relaySpread = spread;
      for (let round = 1; round <= options.repeat; round++) {
        for (const config of options.relayConfigs) {
          for (const shape of ["together", "spread"] as const) {
            const label = `${relayKey(config)}${shape === "spread" ? " spread" : ""}`;
            noise.mark(`${target} relay ${label}`);
            log(`relay ${label} (shared loadgen.js --target ${target}${shape === "spread" ? " --interleave 1" : ""}, run ${round})`);
            const run = track(
              runLoadgen(options.refDir, {
                target,
                url: server.url,
                ...config,
                seconds: options.seconds,
                warmup: options.warmup,
                pid: server.pid,
                spread: shape === "spread",
              }),
            );
            const result = await run.result;
            live.delete(run);
            logRelay(result);
            (shape === "spread" ? spread : figures.relay).push(result);
          }
        }
      }
    }
    if (only.has("joins")) {
      // The same background load as the jam server's probes, long enough to outlast the probe.
      const load = options.relayConfigs[0] ?? { rooms: 50, perRoom: 8, rate: 8 };
      noise.mark(`${target} joins`);
      log(`joins under ${relayKey(load)} load`);
      const background = track(
        runLoadgen(options.refDir, {
          target,
          url: server.url,
          ...load,
          seconds: options.seconds + 30,
          warmup: options.warmup,
          pid: server.pid,
        }),
      );
      await background.windowOpened;
      figures.joins = await finish(
        driver<JoinsResult>("joins", { target, url: server.url, seconds: options.seconds, "ref-dir": options.refDir }),
      );
      background.kill();
      live.delete(background);
      log(`joins: connect+join p99 ${figures.joins.createMs.p99} / ${figures.joins.joinMs.p99} ms`);
    }
  } finally {
    await stopServer(server);
  }
  return figures;
}

/**
 * Start-up with saved jams: a store seeded through the store API (in a process of its own), then
 * the production build started on it several times: time from spawn until GET /ready answers 200
 * (what a load balancer waits for: the database answers), and the RSS right then. An empty store
 * (migrated, no jam) is the comparison.
 */
import { rssBytes } from "../lib/proc";
import type { StartupResult } from "../lib/results";
import { round } from "../lib/stats";
import { driver, finish, log, noise, startServer, stopServer } from "./context";
import type { Options } from "./options";
import { type BenchStore, openBenchStore, STORE_LABEL } from "./stores";

/** How often GET /ready is asked while a server starts: the start-up figure's resolution. */
const READY_POLL_MS = 5;

export async function measureStartups(options: Options, notes: string[]): Promise<StartupResult[]> {
  const results: StartupResult[] = [];
  for (const variant of ["file", "postgres"] as const) {
    for (const jams of [0, options.savedJams]) {
      const store = await openBenchStore(variant);
      if (store instanceof Error) {
        notes.push(`Start-up on ${STORE_LABEL[variant]} skipped: ${store.message}`);
        break;
      }
      try {
        results.push(await startups(options, store, variant, jams));
      } finally {
        await store.remove();
      }
    }
  }
  return results;
}

async function startups(options: Options, store: BenchStore, variant: StartupResult["store"], jams: number): Promise<StartupResult> {
  noise.mark(`saving start-up ${variant} ${jams}`);
  log(`saving: seeding ${STORE_LABEL[variant]} with ${jams} jams`);
  const seeded = await finish(driver<{ jams: number; seconds: number; storeBytes: number }>("seed", { ...store.args, jams }));
  const result: StartupResult = { store: variant, jams, seedS: seeded.seconds, storeBytes: seeded.storeBytes, startMs: [], rssMiB: [] };
  for (let run = 1; run <= options.repeat; run++) {
    const server = await startServer(
      "jam",
      { ...options, jamEnv: { ...options.jamEnv, ...store.env } },
      {
        readiness: "ready",
        pollMs: READY_POLL_MS,
      },
    );
    result.startMs.push(round(server.startMs, 1));
    result.rssMiB.push(round(rssBytes(server.pid) / 2 ** 20, 1));
    await stopServer(server);
  }
  log(`  ${jams} jams on ${STORE_LABEL[variant]}: ready after ${result.startMs.join(", ")} ms, RSS ${result.rssMiB.join(", ")} MiB`);
  return result;
}

/**
 * The network scenario (`--only network`, `--network-minutes`): a jam server of its own, and one
 * driver (bench/scenarios/network.ts) holding the links, the musicians and the control client.
 */
import type { NetworkResult } from "../lib/networkFigures";
import { NETWORK_TARGETS } from "../lib/networkRows";
import { driver, finish, log, noise, startServer, stopServer } from "./context";
import type { Options } from "./options";

/** The links' jitter and the device clocks' offsets are drawn from this seed: runs repeat. */
const NETWORK_SEED = 1;

export async function runNetwork(options: Options, notes: string[]): Promise<NetworkResult> {
  noise.mark("jam network");
  const server = await startServer("jam", options);
  try {
    log(`network: A 40 ± 10 ms (clock +50 ppm), B 5 ± 1 ms, late joiner C 40 ± 10 ms, for ${options.networkMinutes} min`);
    const result = await finish(driver<NetworkResult>("network", { url: server.url, minutes: options.networkMinutes, seed: NETWORK_SEED }));
    const { pairs, switches, drift, joins, stalls } = result;
    log(
      `network: A − B p95 ${pairs.apartMs.p95} ms, max ${pairs.apartMs.max} ms (≤ ${NETWORK_TARGETS.apartP95Ms} / ${NETWORK_TARGETS.apartMaxMs}); ` +
        `switched on the server's step ${switches.serverStep}/${switches.changes}, different tempos ${pairs.differentTempo}; ` +
        `drift ${drift.driftMs} ms, slope ${drift.slopePpm} ppm; C settled ${joins.settled}/${joins.joins}, max ${joins.settleS.max} s; ` +
        `stalls back ${stalls.recovered}/${stalls.stalls}, max ${stalls.recoveryS.max} s`,
    );
    notes.push(
      `Network: each musician is a JamClient through its own emulated link (support/networkEmulator.ts, seed ${result.seed}; matchmaking and the WebSocket both cross it), ` +
        "its session's own ServerClock on a device clock that starts off the server's by a seeded offset (A's also runs 50 ppm fast), and a StepScheduler " +
        "with default options, started once the clock has its first estimate. A step's error is the true server time of the local instant the musician " +
        "would play it at (clock.toLocalTime(step.at), converted with Date.now() read to sub-ms) minus step.at. Steps are paired by their place on the " +
        "server's timeline as the control client saw it, not by count alone: count restarts below loopSteps at every tempo change.",
    );
    if (result.failedJoins.length > 0) notes.push(`Network: late joins that failed: ${result.failedJoins.join("; ")}.`);
    return result;
  } finally {
    await stopServer(server);
  }
}

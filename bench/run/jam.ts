/**
 * The jam server's part of the run: memory, saving, a jam's memory (recording, listeners) and
 * musical time over emulated links (network), each on servers and stores of its own, then one
 * server for the relay rounds, the probes under load (joins, state, clock) and the sequencer run
 * alongside.
 */
import type { Driver, DriverArgs } from "../lib/ipc";
import { relayKey, type RelayConfig } from "../lib/report";
import type { ClockResult, JoinsResult, RelayResult, SequencerResult, StateResult } from "../lib/results";
import { runLoadgen } from "../refs/loadgen";
import type { BenchReport } from "./benchReport";
import { driver, finish, live, log, logRelay, noise, startServer, stopServer, track } from "./context";
import { measureCapacity } from "./capacity";
import { runJamMemory } from "./jamMemory";
import { measureMemory } from "./memory";
import { runNetwork } from "./network";
import type { Options } from "./options";
import { runSaving } from "./saving";

export async function runJam(options: Options, report: BenchReport, refsAvailable: boolean): Promise<void> {
  const { only } = options;
  const { jam, meta } = report;
  if (only.has("memory")) {
    jam.memoryClients = await measureMemory("jam", options, options.memoryLayout.rooms, options.memoryLayout.perRoom);
    jam.memoryRooms = await measureMemory("jam", options, options.idleRooms, 1);
    // The framework's floor in the same run: a bare Colyseus room holding the same state, held the same way.
    jam.memoryFloor = await measureMemory("floor", options, options.idleRooms, 1);
  }
  if (only.has("saving")) jam.saving = await runSaving(options);
  if (only.has("recording") || only.has("listeners")) jam.jamMemory = await runJamMemory(options);
  if (only.has("capacity") && refsAvailable) jam.capacity = await measureCapacity("jam", options);
  if (only.has("network")) jam.network = await runNetwork(options, meta.notes);
  const probesUnderLoad = only.has("joins") || only.has("state") || only.has("clock");
  if (!only.has("relay") && !probesUnderLoad && !only.has("sequencer")) return;

  // The sequencer's listener pings every 5 ms to bracket each patch's send time on the server clock:
  // the only change to the server's configuration, a larger `ping` budget.
  const env = only.has("sequencer") ? withPingBudget(options.jamEnv) : options.jamEnv;
  const server = await startServer("jam", { ...options, jamEnv: env });
  const url = server.url;
  let seq: Driver<SequencerResult> | undefined;
  const phase = (name: string): void => {
    noise.mark(`jam ${name}`);
    seq?.send({ kind: "phase", phase: name });
  };
  try {
    if (only.has("sequencer")) {
      seq = driver<SequencerResult>("sequencer", { url, bpm: 300, minutes: options.sequencerMinutes });
      await seq.ready;
      log(`sequencer playing at 300 BPM for ${options.sequencerMinutes} min`);
    }
    if (only.has("clock")) {
      phase("idle");
      log("clock sync, idle");
      jam.clockIdle = await finish(driver<ClockResult>("clock", { url, seconds: options.seconds, estimator: options.clockEstimator }));
    }

    const [headline, ...others] = options.relayConfigs;
    const load = headline ?? { rooms: 50, perRoom: 8, rate: 8 };
    const ownRun = async (config: RelayConfig, round: number, hold = false, interleave = false): Promise<Driver<RelayResult>> => {
      phase(`relay ${relayKey(config)}${interleave ? " interleaved" : ""}`);
      log(
        `relay ${relayKey(config)} (bench driver${interleave ? ", rooms' notes interleaved" : ""}, run ${round})${hold ? ", then probes under it" : ""}`,
      );
      return driver<RelayResult>("relay", { url, ...relayArgs(config, options), pid: server.pid, hold, interleave });
    };
    const loadgenRun = async (config: RelayConfig, round: number, spread: boolean): Promise<void> => {
      const label = `${relayKey(config)}${spread ? " spread" : ""}`;
      phase(`loadgen.js ${label}`);
      log(`relay ${label} (shared loadgen.js --target colyseus${spread ? " --interleave 1" : ""}, run ${round})`);
      const run = track(
        runLoadgen(options.refDir, {
          target: "jam",
          url,
          ...config,
          seconds: options.seconds,
          warmup: options.warmup,
          pid: server.pid,
          spread,
        }),
      );
      const result = await run.result;
      live.delete(run);
      logRelay(result);
      (spread ? jam.relayLoadgenSpread : jam.relayLoadgen).push(result);
    };

    // Round 1: the first relay config is measured, then keeps running as the load the probes measure under.
    if (only.has("relay") || probesUnderLoad) {
      const relay = await ownRun(load, 1, probesUnderLoad);
      const result = await relay.result;
      logRelay(result);
      if (only.has("relay")) jam.relay.push(result);
      if (probesUnderLoad) {
        phase(`probes under ${relayKey(load)}`);
        if (only.has("joins")) {
          log("joins under load");
          jam.joins = await finish(driver<JoinsResult>("joins", { target: "jam", url, seconds: options.seconds }));
          log(`joins: create p99 ${jam.joins.createMs.p99} ms, joinById p99 ${jam.joins.joinMs.p99} ms`);
        }
        if (only.has("state")) {
          log("tempo changes under load");
          jam.state = await finish(driver<StateResult>("state", { url, seconds: options.seconds }));
          log(`state: seen by all p99 ${jam.state.seenByAllMs.p99} ms`);
        }
        if (only.has("clock")) {
          log("clock sync under load");
          jam.clockLoaded = await finish(
            driver<ClockResult>("clock", { url, seconds: options.seconds, estimator: options.clockEstimator }),
          );
        }
      }
      await relay.stop();
      live.delete(relay);
    }
    if (only.has("relay")) {
      for (let round = 1; round <= options.repeat; round++) {
        for (const config of round === 1 ? others : options.relayConfigs) {
          const result = await finish(await ownRun(config, round));
          logRelay(result);
          jam.relay.push(result);
        }
        if (refsAvailable) {
          for (const config of options.relayConfigs) {
            await loadgenRun(config, round, false);
            await loadgenRun(config, round, true);
          }
        }
        // The same load with each room's notes spread over the period: coalescing's worst case.
        for (const config of options.relayConfigs) {
          const result = await finish(await ownRun(config, round, false, true));
          logRelay(result);
          jam.relayInterleaved.push(result);
        }
      }
    }
    if (seq !== undefined) {
      phase("idle");
      log("waiting for the sequencer run to end");
      jam.sequencer = await seq.result;
      await seq.stop();
      live.delete(seq);
      log(`sequencer: ${jam.sequencer.inconsistent} inconsistent of ${jam.sequencer.patches}, drift ${jam.sequencer.driftSteps} steps`);
      meta.notes.push(
        "The jam server of the relay/probe/sequencer phase ran with RATE_LIMITS ping budget 400/s (the sequencer listener pings every 5 ms); every other budget at its default.",
      );
    }
  } finally {
    seq?.kill();
    await stopServer(server);
  }
}

/** RATE_LIMITS with room for 200 pings/s per client, over whatever overrides were given. */
function withPingBudget(env: Record<string, string>): Record<string, string> {
  const given = env.RATE_LIMITS === undefined ? {} : (JSON.parse(env.RATE_LIMITS) as Record<string, unknown>);
  return { ...env, RATE_LIMITS: JSON.stringify({ ...given, ping: { ratePerS: 400, burst: 400 } }) };
}

export function relayArgs(config: RelayConfig, options: Options): DriverArgs {
  return { rooms: config.rooms, "per-room": config.perRoom, rate: config.rate, seconds: options.seconds, warmup: options.warmup };
}

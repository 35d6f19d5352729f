/**
 * The runner's bookkeeping: its log, the servers, drivers and load generators it has running
 * (killed when it ends or is interrupted), and what other processes do with the CPU meanwhile.
 */
import { type DriverArgs, Driver } from "../lib/ipc";
import { NoiseMonitor } from "../lib/proc";
import type { EditedRelayResult, RelayResult, ServerTarget } from "../lib/results";
import { BenchServer, PORT_OFFSET, type ServerOptions, type StopOutcome, TARGET_LABEL } from "../lib/servers";
import type { Options } from "./options";

export const started = Date.now();
export const live = new Set<{ kill(): void }>();
export const noise = new NoiseMonitor();

export function log(text: string): void {
  const elapsed = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${elapsed}s] ${text}\n`);
}

export function track<T extends { kill(): void }>(thing: T): T {
  live.add(thing);
  return thing;
}

/** Kills whatever is still running when the runner ends or is interrupted. */
export function killOnExit(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const thing of live) thing.kill();
      process.exit(130);
    });
  }
  process.once("exit", () => {
    for (const thing of live) thing.kill();
  });
}

/** `extra`: how readiness is judged (ServerOptions), for the start-up figures. */
export async function startServer(
  target: ServerTarget,
  options: Options,
  extra: Pick<ServerOptions, "readiness" | "pollMs"> = {},
): Promise<BenchServer> {
  const port = options.port + PORT_OFFSET[target];
  const server = track(await BenchServer.start({ target, port, refDir: options.refDir, env: options.jamEnv, ...extra }));
  log(`${server.label} up (pid ${server.pid}, port ${port}, ${Math.round(server.startMs)} ms)`);
  return server;
}

export async function stopServer(server: BenchServer): Promise<StopOutcome> {
  const outcome = await server.stop();
  live.delete(server);
  return outcome;
}

export function driver<R>(scenario: string, args: DriverArgs): Driver<R> {
  return track(new Driver<R>(scenario, args, (text) => log(text)));
}

export async function finish<R>(d: Driver<R>): Promise<R> {
  const result = await d.result;
  await d.stop();
  live.delete(d);
  return result;
}

/** One relay driver run on a fresh jam server started with `options` (its store, its settings), stopped after. */
export async function relayOnFreshServer(options: Options, args: DriverArgs): Promise<EditedRelayResult> {
  const server = await startServer("jam", options);
  try {
    return await finish(driver<EditedRelayResult>("relay", { url: server.url, pid: server.pid, ...args }));
  } finally {
    await stopServer(server);
  }
}

export function logRelay(r: RelayResult): void {
  log(
    `  ${TARGET_LABEL[r.target]} [${r.tool}] ${r.rooms}×${r.perRoom}×${r.rate}: ${r.deliveredPerSec} deliveries/s, loss ${r.lossPct} %, ` +
      `p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} max ${r.latencyMs.max} ms, server ${r.serverCpuPct} % = ${r.cpuUsPerDelivery} µs/delivery, generator ${r.generatorCpuPct} %`,
  );
}

/**
 * A load or probe process of the bench, forked by bench/run.ts: `driver.ts <scenario> --flags…`.
 * Runs apart from the runner and the server so its CPU and event loop are its own.
 */
import { Flags } from "./lib/args";
import { RunnerLink } from "./lib/ipc";
import { clockSync } from "./scenarios/clock";
import { crash } from "./scenarios/crash";
import { hold } from "./scenarios/hold";
import { joins } from "./scenarios/joins";
import { network } from "./scenarios/network";
import { relay } from "./scenarios/relay";
import { readback, seed } from "./scenarios/savedJams";
import { sequencer } from "./scenarios/sequencer";
import { stateChanges } from "./scenarios/state";

type Scenario = (flags: Flags, link: RunnerLink) => Promise<unknown>;

const SCENARIOS: Record<string, Scenario> = {
  relay,
  hold,
  joins,
  state: stateChanges,
  clock: clockSync,
  sequencer,
  seed,
  readback,
  crash,
  network,
};

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const scenario = SCENARIOS[name];
  const link = new RunnerLink();
  if (scenario === undefined) throw new Error(`unknown scenario "${name}" (one of ${Object.keys(SCENARIOS).join(", ")})`);
  const result = await scenario(new Flags(rest), link);
  link.send({ kind: "result", result });
}

main().then(
  // Let the IPC message flush, then end: open sockets or timers of libraries must not keep it alive.
  () => setTimeout(() => process.exit(0), 200),
  (error: unknown) => {
    process.send?.({ kind: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    setTimeout(() => process.exit(1), 200);
  },
);

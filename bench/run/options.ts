/**
 * The options of `npm run bench` (see run.ts for the list) and their defaults.
 */
import { resolve } from "node:path";
import { Flags } from "../lib/args";
import { REPO_ROOT } from "../lib/ipc";
import type { RelayConfig } from "../lib/report";
import type { Target } from "../lib/results";

export const SCENARIOS = [
  "relay",
  "joins",
  "state",
  "memory",
  "clock",
  "sequencer",
  "saving",
  "crash",
  "recording",
  "listeners",
  "capacity",
  "network",
] as const;
export const CRASH_CASES = ["pm2", "redis"] as const;
export type CrashCase = (typeof CRASH_CASES)[number];
export type Scenario = (typeof SCENARIOS)[number];

export interface Options {
  only: Set<Scenario>;
  seconds: number;
  warmup: number;
  /** Relay runs per config and server; the table shows the median. */
  repeat: number;
  sequencerMinutes: number;
  /** The network scenario's run, minutes. */
  networkMinutes: number;
  targets: Set<Target>;
  refDir: string;
  port: number;
  relayConfigs: RelayConfig[];
  memoryLayout: { rooms: number; perRoom: number };
  idleRooms: number;
  /** Saved jams in the store for the saving scenario's start-up figures. */
  savedJams: number;
  outDir: string;
  jamEnv: Record<string, string>;
  /** "library": client/src's ServerClock; "bench": the bench's own minimal estimator. */
  clockEstimator: string;
  /** The crash scenario: jams × musicians on the process that is killed, and which deployments. */
  crashLayout: { jams: number; perJam: number };
  crashCases: CrashCase[];
  /**
   * The listeners scenario: rooms × musicians × listeners per room. Within the server's defaults
   * (MAX_PARTICIPANTS 10, MAX_LISTENERS 50), so that it measures them as they ship.
   */
  fanout: { rooms: number; musicians: number; listeners: number };
}

export function parseOptions(argv: readonly string[]): Options {
  const flags = new Flags(argv);
  const only = flags.list("only", SCENARIOS);
  for (const name of only)
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`--only: unknown scenario "${name}" (${SCENARIOS.join(", ")})`);
  const targets = flags.list("targets", ["jam", "ws", "socketio"]);
  const layout = (text: string, parts: number): number[] => {
    const numbers = text.split(/x|×/).map(Number);
    if (numbers.length !== parts || numbers.some((n) => !Number.isInteger(n) || n < 1))
      throw new Error(`"${text}" is not ${parts} positive integers joined by x`);
    return numbers;
  };
  const [memRooms, memPerRoom] = layout(flags.string("memory", "100x10"), 2);
  const [crashJams, crashPerJam] = layout(flags.string("crash", "50x8"), 2);
  const [fanRooms, musicians, listeners] = layout(flags.string("fanout", "10x10x50"), 3);
  if (musicians < 2 || musicians > 10 || listeners > 50)
    throw new Error(
      `--fanout: 2–10 musicians and at most 50 listeners per room (the server's defaults), got ${musicians} and ${listeners}`,
    );
  const crashCases = flags.list("crash-cases", CRASH_CASES);
  for (const name of crashCases)
    if (!(CRASH_CASES as readonly string[]).includes(name))
      throw new Error(`--crash-cases: unknown case "${name}" (${CRASH_CASES.join(", ")})`);
  const rateLimits = flags.string("rate-limits", process.env.RATE_LIMITS ?? "");
  return {
    only: new Set(only as Scenario[]),
    seconds: flags.number("seconds", 10),
    warmup: flags.number("warmup", 3),
    repeat: Math.max(1, Math.floor(flags.number("repeat", 3))),
    sequencerMinutes: flags.number("sequencer-minutes", 10),
    networkMinutes: flags.number("network-minutes", 10),
    targets: new Set(targets as Target[]),
    refDir: resolve(REPO_ROOT, flags.string("ref-dir", process.env.JAM_BENCH_REF_DIR ?? "../shared/bench")),
    port: flags.number("port", 2680),
    relayConfigs: flags.list("relay", ["50x8x8", "100x10x10"]).map((text) => {
      const [rooms, perRoom, rate] = layout(text, 3);
      return { rooms, perRoom, rate };
    }),
    memoryLayout: { rooms: memRooms, perRoom: memPerRoom },
    idleRooms: flags.number("idle-rooms", 500),
    savedJams: flags.number("saved-jams", 10_000),
    outDir: resolve(REPO_ROOT, flags.string("out", "bench/results")),
    jamEnv: rateLimits === "" ? {} : { RATE_LIMITS: rateLimits },
    clockEstimator: flags.string("clock-estimator", "library"),
    crashLayout: { jams: crashJams, perJam: crashPerJam },
    crashCases: crashCases as CrashCase[],
    fanout: { rooms: fanRooms, musicians, listeners },
  };
}

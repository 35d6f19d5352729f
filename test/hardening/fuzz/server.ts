/**
 * The server under fuzz: the real app config with budgets no fuzzer reaches, its warn-and-above
 * log lines captured, what the run counts, and uncaught exceptions caught while the fuzz runs.
 */
import { boot } from "@colyseus/testing";
import { createAppConfig } from "../../../src/app.config";
import { RATE_CATEGORIES, type RateCategory } from "../../../src/config/rateLimits";
import type { BucketSpec } from "../../../src/rules/tokenBucket";
import { CapturedLog } from "../../helpers/capturedLog";
import { memoryStore, testSettings, type JamTestServer } from "../../helpers/server";

/**
 * Generous budgets: with the contract's defaults (note 50/s burst 100, transport 10/s, unknown
 * types 5/s burst 10 …) nearly every fuzz payload would be dropped as RATE_LIMITED before it
 * reached a validator, and a fast fuzzer would be disconnected with 4029. Rate limiting and flood
 * disconnection have their own tests (test/room/rateLimits.test.ts, security.test.ts).
 */
const GENEROUS: BucketSpec = { ratePerS: 1_000_000, burst: 1_000_000 };
export const settings = testSettings({
  rateLimits: Object.fromEntries(RATE_CATEGORIES.map((category) => [category, GENEROUS])) as Record<RateCategory, BucketSpec>,
  floodPolicy: { factor: 1000, seconds: 600 },
  // Short, so fuzzers that are dropped and cannot come back do not fill the room for long.
  reconnectGraceS: 3,
});
export const MAX_FRAME = settings.maxPayloadBytes;
/** A ping normally comes back within milliseconds; this long means the event loop was blocked. */
export const STALL_MS = 500;
export const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

export interface LogLine {
  level: number;
  msg?: string;
  methodName?: string;
  err?: { message?: string };
}

const captured = new CapturedLog<LogLine>("warn");
/** Everything the server logs at warn and above (its own lines and Colyseus'). */
export const logLines = captured.lines;

async function migratedMemoryStore() {
  const store = memoryStore();
  await store.migrate();
  return store;
}

export async function bootFuzzServer(port: number): Promise<JamTestServer> {
  const colyseus = await boot(createAppConfig(settings, captured.logger, await migratedMemoryStore()), port);
  return { colyseus, settings, endpoint: `ws://127.0.0.1:${port}` };
}

// ─── what the run counts (printed as one line at the end) ────────────────────────────────────────

export const stats = {
  messages: 0,
  rawFrames: 0,
  joins: 0,
  /** Payloads colyseus.js itself could not encode (never sent, not counted as tried). */
  unsendable: 0,
  oversize: 0,
  /** Creates refused by Colyseus itself (see the join test). */
  tooLarge: 0,
  errorsReceived: 0,
  reconnects: 0,
  rejoins: 0,
  disconnects: new Map<number, number>(),
  typesFuzzed: new Set<string>(),
  crashes: [] as string[],
  handlerExceptions: [] as string[],
  invariantViolations: [] as string[],
  /** Contract deviations seen on the wire: wrong close codes, missing or wrong `error` answers, silence. */
  deviations: [] as string[],
};

/** Uncaught exceptions while the fuzz runs (mocha's listener is set aside meanwhile). */
export const uncaught: Error[] = [];
const onUncaught = (error: Error) => void uncaught.push(error);
let mochaUncaughtListeners: NodeJS.UncaughtExceptionListener[] = [];

export function captureUncaught(): void {
  mochaUncaughtListeners = process.listeners("uncaughtException") as NodeJS.UncaughtExceptionListener[];
  process.removeAllListeners("uncaughtException");
  process.on("uncaughtException", onUncaught);
}

export function restoreUncaught(): void {
  process.removeListener("uncaughtException", onUncaught);
  for (const listener of mochaUncaughtListeners) process.on("uncaughtException", listener);
}

/**
 * Noise the fuzz provokes by design: colyseus.js warns about every refused join and every
 * connection closed before joining (a reconnection that came too early), and Colyseus'
 * type decoder console.errors each invalid UTF-8 byte of a message type. Counted, not printed.
 */
export const NOISE = [/^colyseus\.js - onError/, /^Room connection was closed unexpectedly/, /^decode\.utf8Read\(\)/];

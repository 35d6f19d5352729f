/**
 * Boots the real app config on a test port with settings a test can control: a clock it moves by
 * hand, a short reconnection grace, a silent logger.
 */
import { boot, type ColyseusTestServer } from "@colyseus/testing";
import { createAppConfig } from "../../src/app.config";
import { loadSettings, type Settings } from "../../src/config/settings";
import { createLogger, type Logger } from "../../src/logger";
import type { JamStore } from "../../src/storage/jamStore";
import { openJamStore } from "../../src/storage/openJamStore";

/** A server clock that only moves when a test moves it. */
export class ManualClock {
  constructor(public time = 1_800_000_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/**
 * Per-address HTTP budgets no ordinary suite reaches: every test client is 127.0.0.1, and suites
 * create hundreds of rooms. The tests of the limits set their own.
 */
export const GENEROUS_HTTP_RATE_LIMITS: Settings["httpRateLimits"] = {
  create: { perMinute: 1_000_000, burst: 1_000_000 },
  join: { perMinute: 1_000_000, burst: 1_000_000 },
};

export function testSettings(overrides: Partial<Settings> = {}): Settings {
  return { ...loadSettings({}), logLevel: "silent", shutdownDrainMs: 0, httpRateLimits: GENEROUS_HTTP_RATE_LIMITS, ...overrides };
}

/** Overridable so several suites (or developers) can run side by side. */
export const TEST_PORT = Number(process.env.TEST_PORT ?? 2568);

export interface JamTestServer {
  colyseus: ColyseusTestServer;
  settings: Settings;
  endpoint: string;
}

/** The store a test server gets unless its test gives one: in memory, nothing on disk. */
export function memoryStore(): JamStore {
  return openJamStore({ databaseUrl: undefined, dataDir: ":memory:" });
}

/** `store` is migrated here and closed when the server shuts down. */
export async function bootJamServer(
  overrides: Partial<Settings> = {},
  port = TEST_PORT,
  store: JamStore = memoryStore(),
  logger: Logger = createLogger("silent"),
): Promise<JamTestServer> {
  const settings = testSettings(overrides);
  await store.migrate();
  const colyseus = await boot(createAppConfig(settings, logger, store), port);
  return { colyseus, settings, endpoint: `ws://127.0.0.1:${port}` };
}

/**
 * The jam server from source, as tests and fault scripts start it: info-level logs (they wait on
 * log lines) and per-address HTTP budgets no suite reaches unless it sets its own.
 */
import { START_TIMEOUT_MS, ServerProcess, type LogRecord } from "./serverProcess";

/**
 * Every test client is 127.0.0.1: per-address HTTP budgets no suite reaches unless it sets its own
 * (tests of the limits do).
 */
export const GENEROUS_HTTP_RATE_LIMITS = JSON.stringify({
  create: { perMinute: 1_000_000, burst: 1_000_000 },
  join: { perMinute: 1_000_000, burst: 1_000_000 },
});

export interface StartOptions {
  port: number;
  /** Added to the process environment (over TS_NODE_TRANSPILE_ONLY, LOG_LEVEL=info, PORT, DATA_DIR=:memory: and generous HTTP_RATE_LIMITS). */
  env?: Record<string, string>;
  /** Shown in error messages, e.g. "A". */
  label?: string;
  startTimeoutMs?: number;
}

/** Starts a server process and resolves once it listens (rejects with its output if it does not). */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const server = new ServerProcess({
    port: options.port,
    entry: { kind: "source" },
    label: options.label,
    // Saved jams in memory unless a test gives a DATA_DIR: nothing is left in the repository.
    env: { LOG_LEVEL: "info", HTTP_RATE_LIMITS: GENEROUS_HTTP_RATE_LIMITS, DATA_DIR: ":memory:", ...options.env },
  });
  try {
    return await server.ready("log", options.startTimeoutMs ?? START_TIMEOUT_MS);
  } catch (error) {
    server.kill("SIGKILL");
    await server.exited;
    throw error;
  }
}

/**
 * Which of `servers` prints (or has printed) a log record satisfying `predicate` first — e.g. which
 * process hosts a room, from its "room created" line. Rejects after `timeoutMs`.
 */
export function firstToLog(
  servers: ServerProcess[],
  predicate: (record: LogRecord) => boolean,
  timeoutMs = 5000,
  what = "matching log line",
): Promise<ServerProcess> {
  const already = servers.find((server) => server.logs.some(predicate));
  if (already !== undefined) return Promise.resolve(already);
  return new Promise((resolveServer, reject) => {
    const stops = servers.map((server) =>
      server.onLog((record) => {
        if (!predicate(record)) return;
        finish();
        resolveServer(server);
      }),
    );
    const finish = () => {
      clearTimeout(timer);
      for (const stop of stops) stop();
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`no server printed a ${what} within ${timeoutMs} ms\n${servers.map((server) => server.output()).join("\n")}`));
    }, timeoutMs);
  });
}

export interface HttpJson<T> {
  status: number;
  body: T;
}

/** GET `path` on a server process; never throws on a 4xx/5xx status. */
export async function httpGet<T = unknown>(server: ServerProcess, path: string): Promise<HttpJson<T>> {
  const response = await fetch(server.httpUrl + path);
  return { status: response.status, body: (await response.json()) as T };
}

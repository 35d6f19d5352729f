/**
 * Real server processes for multi-process tests: `node -r ts-node/register src/index.ts` with the
 * environment a test gives it, ready once its stdout shows the JSON "listening" line. Tests wait
 * on what a process says (log lines) and does (exit), never on fixed sleeps.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

/** The repository root: the server process runs from there, as `npm run dev` would. */
export const REPO_ROOT = resolve(__dirname, "..", "..");

/**
 * Every test client is 127.0.0.1: per-address HTTP budgets no suite reaches unless it sets its own
 * (tests of the limits do).
 */
export const GENEROUS_HTTP_RATE_LIMITS = JSON.stringify({
  create: { perMinute: 1_000_000, burst: 1_000_000 },
  join: { perMinute: 1_000_000, burst: 1_000_000 },
});

/** How long a process may take to print "listening" before the start is declared failed. */
export const START_TIMEOUT_MS = 20_000;

/**
 * Variables the server reads (src/config/settings.ts, @colyseus/tools): never inherited from the
 * shell running the tests, so a developer's REDIS_URL or JWT_SECRET cannot change what a test sees.
 */
const SERVER_VARIABLES = [
  "PORT",
  "REDIS_URL",
  "REDIS_URI",
  "PUBLIC_ADDRESS",
  "NODE_APP_INSTANCE",
  "MAX_PARTICIPANTS",
  "MAX_TRACKS",
  "RECONNECT_GRACE_S",
  "PLAY_LEAD_IN_MS",
  "MAX_PAYLOAD_BYTES",
  "LOG_LEVEL",
  "SHUTDOWN_DRAIN_MS",
  "MONITOR_USER",
  "MONITOR_PASSWORD",
  "CORS_ORIGINS",
  "JWT_SECRET",
  "JWT_MAX_AGE_S",
  "MAX_BUFFERED_KB",
  "HTTP_RATE_LIMITS",
  "TRUST_PROXY",
  "RATE_LIMITS",
  "FLOOD_FACTOR",
  "FLOOD_SECONDS",
  "COLYSEUS_CLOUD",
  "TEST_PORT",
];

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One JSON log line of the server (pino): `msg`, `level`, and whatever fields the line carries. */
export type LogRecord = Record<string, unknown> & { msg?: unknown };

export interface StartOptions {
  port: number;
  /** Added to the process environment (over TS_NODE_TRANSPILE_ONLY, LOG_LEVEL=info, PORT and generous HTTP_RATE_LIMITS). */
  env?: Record<string, string>;
  /** Shown in error messages, e.g. "A". */
  label?: string;
  startTimeoutMs?: number;
}

function parseLogLine(line: string): LogRecord | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Every process started here that may still be running; `killAll` ends them. */
const running = new Set<ServerProcess>();

// If mocha itself goes away (Ctrl-C, a crash), leave no server behind holding its port.
process.once("exit", () => {
  for (const server of running) server.kill("SIGKILL");
});

export class ServerProcess {
  readonly label: string;
  readonly port: number;
  readonly endpoint: string;
  readonly httpUrl: string;
  /** Every stdout line so far, raw. */
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  /** The stdout lines that are JSON log records, parsed, in order. */
  readonly logs: LogRecord[] = [];
  /** Settles once the process has exited and its output is fully read. */
  readonly exited: Promise<ExitStatus>;

  private readonly child: ChildProcess;
  private exitStatus: ExitStatus | undefined;
  private readonly logListeners = new Set<(record: LogRecord) => void>();

  constructor(options: StartOptions) {
    this.label = options.label ?? `:${options.port}`;
    this.port = options.port;
    this.endpoint = `ws://127.0.0.1:${options.port}`;
    this.httpUrl = `http://127.0.0.1:${options.port}`;

    const inherited = { ...process.env };
    for (const name of SERVER_VARIABLES) delete inherited[name];
    this.child = spawn(process.execPath, ["-r", "ts-node/register", "src/index.ts"], {
      cwd: REPO_ROOT,
      env: {
        ...inherited,
        TS_NODE_TRANSPILE_ONLY: "true",
        LOG_LEVEL: "info",
        PORT: String(options.port),
        HTTP_RATE_LIMITS: GENEROUS_HTTP_RATE_LIMITS,
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(this);

    const stdout = this.child.stdout;
    const stderr = this.child.stderr;
    if (stdout === null || stderr === null) throw new Error("spawned without stdout/stderr pipes");
    createInterface({ input: stdout }).on("line", (line) => {
      this.stdoutLines.push(line);
      const record = parseLogLine(line);
      if (record === undefined) return;
      this.logs.push(record);
      for (const listener of [...this.logListeners]) listener(record);
    });
    createInterface({ input: stderr }).on("line", (line) => this.stderrLines.push(line));

    this.exited = new Promise((resolveExit) => {
      // "close", not "exit": by then every line of output has been read.
      this.child.once("close", (code, signal) => {
        this.exitStatus = { code, signal };
        running.delete(this);
        resolveExit(this.exitStatus);
      });
      this.child.once("error", () => {
        // Spawning failed ("close" follows); the output and exit status tell the story.
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitStatus !== undefined;
  }

  /** Sends `signal`; false when the process is already gone. */
  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    if (this.hasExited) return false;
    return this.child.kill(signal);
  }

  /** Everything the process printed, for failure messages. */
  output(): string {
    const stderr = this.stderrLines.length > 0 ? `\n--- stderr ---\n${this.stderrLines.join("\n")}` : "";
    return `--- stdout of server ${this.label} (port ${this.port}) ---\n${this.stdoutLines.join("\n")}${stderr}`;
  }

  /** Calls `listener` with every log record printed from now on; returns a function that stops it. */
  onLog(listener: (record: LogRecord) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /**
   * Resolves with the first log record (already printed or still to come) that satisfies
   * `predicate`; rejects when the process exits first or after `timeoutMs`.
   */
  waitForLog(predicate: (record: LogRecord) => boolean, timeoutMs = 5000, what = "matching log line"): Promise<LogRecord> {
    const seen = this.logs.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolveLog, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.logListeners.delete(listener);
      };
      const listener = (record: LogRecord) => {
        if (!predicate(record)) return;
        finish();
        resolveLog(record);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`server ${this.label}: no ${what} within ${timeoutMs} ms\n${this.output()}`));
      }, timeoutMs);
      this.logListeners.add(listener);
      void this.exited.then((status) => {
        if (!this.logListeners.has(listener)) return;
        finish();
        reject(new Error(`server ${this.label} exited (${describeExit(status)}) before printing a ${what}\n${this.output()}`));
      });
    });
  }

  /** Resolves once the process has printed its "listening" line. */
  async ready(timeoutMs = START_TIMEOUT_MS): Promise<this> {
    try {
      await this.waitForLog((record) => record.msg === "listening", timeoutMs, `"listening" line`);
    } catch (error) {
      this.kill("SIGKILL");
      await this.exited;
      throw error;
    }
    return this;
  }
}

export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `code ${String(status.code)}`;
}

/** Starts a server process and resolves once it listens (rejects with its output if it does not). */
export function startServer(options: StartOptions): Promise<ServerProcess> {
  return new ServerProcess(options).ready(options.startTimeoutMs);
}

/**
 * Which of `servers` prints (or has printed) a log record satisfying `predicate` first — e.g. which
 * process hosts a room, from its "room created" line. Rejects after `timeoutMs`.
 */
export function firstToLog(servers: ServerProcess[], predicate: (record: LogRecord) => boolean, timeoutMs = 5000, what = "matching log line"): Promise<ServerProcess> {
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
      stops.forEach((stop) => stop());
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`no server printed a ${what} within ${timeoutMs} ms\n${servers.map((server) => server.output()).join("\n")}`));
    }, timeoutMs);
  });
}

/** SIGKILLs every process started here that is still running and waits for them: for `after` hooks. */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const server of left) server.kill("SIGKILL");
  await Promise.all(left.map((server) => server.exited));
}

/**
 * Resolves with `promise`'s value, or rejects with `message` after `timeoutMs`. For awaiting an
 * event with a bound (an exit, a close) without leaving a test hanging until mocha's timeout.
 */
export function within<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  return new Promise((resolveValue, reject) => {
    const timer = setTimeout(() => reject(new Error(`${message} (not within ${timeoutMs} ms)`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolveValue(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Re-checks `condition` until it holds (resolves with its value) or `timeoutMs` passes. Only for
 * state that announces no event the test can subscribe to — a key deleted in Redis, a listing
 * removed from the shared driver — and always with a bound.
 */
export async function eventually<T>(
  condition: () => Promise<T | undefined | false>,
  timeoutMs: number,
  message: string,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`${message} (not within ${timeoutMs} ms)`);
    await new Promise((wake) => setTimeout(wake, intervalMs));
  }
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

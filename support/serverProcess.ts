/**
 * A server in a child process of its own, for tests, the bench, the soak and the fault scripts:
 * the jam server from source (`ts-node src/index.ts`, as `npm run dev`) or from build/ (with its
 * production flags, as `npm start`), or a reference relay script. It gets a scrubbed environment
 * (support/serverEnv.ts), is ready once it prints its "listening" line, answers /health, or accepts
 * connections, and is stopped with SIGTERM, then SIGKILL. Whoever waits on it waits on what it says
 * (log lines) and does (exit), never on fixed sleeps.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { serverNodeArgs } from "./nodeArgs";
import { portInUse } from "./ports";
import { REPO_ROOT, scrubbedEnvironment } from "./serverEnv";
import { sleep, valueWithin } from "./waiting";

export { REPO_ROOT } from "./serverEnv";

/** How long a process may take to become ready before the start is declared failed. */
export const START_TIMEOUT_MS = 20_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One JSON log line of the server (pino): `msg`, `level`, and whatever fields the line carries. */
export type LogRecord = Record<string, unknown> & { msg?: unknown };

export type OutputStream = "stdout" | "stderr";

/** What runs in the process. */
export type ServerEntry =
  /** `node -r ts-node/register src/index.ts`: the code as it is now, no build needed. */
  | { kind: "source" }
  /**
   * `node <ecosystem.config.js node_args> build/index.js`: what production runs; `script` (from the
   * repository root) runs another built entry with the same flags.
   */
  | { kind: "build"; script?: string }
  /** Any node script, e.g. a reference relay of the shared bench folder, run with node's defaults. */
  | { kind: "script"; script: string; cwd: string };

export interface ServerProcessOptions {
  port: number;
  entry: ServerEntry;
  /** Over the scrubbed environment and PORT. */
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Shown in messages, e.g. "A"; `:port` unless given. */
  label?: string;
  /** Sees every output line as it is printed (before it is parsed). */
  onLine?: (stream: OutputStream, line: string) => void;
}

/**
 * How readiness is judged: the "listening" log line, a 200 from GET /health (liveness) or from
 * GET /ready (what a load balancer waits for: the database and Redis answer), or an open port.
 */
export type Readiness = "log" | "health" | "ready" | "port";

function parseLogLine(line: string): LogRecord | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}

interface Launch {
  /** Node flags the entry itself needs, before the caller's. */
  flags: string[];
  script: string;
  cwd: string;
  env: Record<string, string>;
}

function launchOf(entry: ServerEntry): Launch {
  switch (entry.kind) {
    case "source":
      return { flags: ["-r", "ts-node/register"], script: "src/index.ts", cwd: REPO_ROOT, env: { TS_NODE_TRANSPILE_ONLY: "true" } };
    case "build":
      return { flags: serverNodeArgs(), script: resolve(REPO_ROOT, entry.script ?? "build/index.js"), cwd: REPO_ROOT, env: {} };
    case "script":
      return { flags: [], script: entry.script, cwd: entry.cwd, env: {} };
  }
}

/** Every process started here that may still be running; `killAll` ends them. */
const running = new Set<ServerProcess>();

// If the tool itself goes away (Ctrl-C, a crash, a watchdog), leave no server behind holding its port.
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
  /** performance.now() just before the process was spawned: where start-up times count from. */
  readonly spawnedAt: number;

  private readonly child: ChildProcess;
  private status: ExitStatus | undefined;
  private stopAsked = false;
  private readonly logListeners = new Set<(record: LogRecord) => void>();

  constructor(options: ServerProcessOptions) {
    this.label = options.label ?? `:${options.port}`;
    this.port = options.port;
    this.endpoint = `ws://127.0.0.1:${options.port}`;
    this.httpUrl = `http://127.0.0.1:${options.port}`;

    const launch = launchOf(options.entry);
    this.spawnedAt = performance.now();
    this.child = spawn(process.execPath, [...launch.flags, ...(options.nodeArgs ?? []), launch.script], {
      cwd: launch.cwd,
      env: { ...scrubbedEnvironment(), ...launch.env, PORT: String(options.port), ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(this);

    const stdout = this.child.stdout;
    const stderr = this.child.stderr;
    if (stdout === null || stderr === null) throw new Error("spawned without stdout/stderr pipes");
    createInterface({ input: stdout }).on("line", (line) => {
      this.stdoutLines.push(line);
      options.onLine?.("stdout", line);
      const record = parseLogLine(line);
      if (record === undefined) return;
      this.logs.push(record);
      for (const listener of [...this.logListeners]) listener(record);
    });
    createInterface({ input: stderr }).on("line", (line) => {
      this.stderrLines.push(line);
      options.onLine?.("stderr", line);
    });

    this.exited = new Promise((resolveExit) => {
      // "close", not "exit": by then every line of output has been read.
      this.child.once("close", (code, signal) => {
        this.status = { code, signal };
        running.delete(this);
        resolveExit(this.status);
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
    return this.status !== undefined;
  }

  /** How it ended; undefined while it runs. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** True once `stop()` was called: an exit after that was asked for. */
  get stopRequested(): boolean {
    return this.stopAsked;
  }

  /** Sends `signal`; false when the process is already gone. */
  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    if (this.hasExited) return false;
    return this.child.kill(signal);
  }

  /**
   * SIGTERM (the server drains and saves), then SIGKILL when it is still there after `graceMs`.
   * Resolves once it is gone (or 5 s after the SIGKILL); true when the SIGKILL was needed.
   */
  async stop(graceMs = 10_000): Promise<boolean> {
    if (this.hasExited) return false;
    this.stopAsked = true;
    this.kill("SIGTERM");
    await valueWithin(this.exited, graceMs, undefined);
    if (this.hasExited) return false;
    this.kill("SIGKILL");
    await valueWithin(this.exited, 5000, undefined);
    return true;
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

  /**
   * Resolves once the process is ready by `readiness`, asked every `pollMs`; rejects (leaving the
   * process as it is) when it exits first or is not ready within `timeoutMs`.
   */
  async ready(readiness: Readiness = "log", timeoutMs = START_TIMEOUT_MS, pollMs = 100): Promise<this> {
    if (readiness === "log") {
      await this.waitForLog((record) => record.msg === "listening", timeoutMs, `"listening" line`);
      return this;
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.hasExited) {
      if (await this.answers(readiness)) return this;
      await sleep(pollMs);
    }
    const why = this.hasExited
      ? `exited (${describeExit(this.status ?? { code: null, signal: null })})`
      : `not ready within ${timeoutMs} ms`;
    throw new Error(`server ${this.label} ${why}\n${this.output()}`);
  }

  private answers(readiness: "health" | "ready" | "port"): Promise<boolean> {
    return readiness === "port" ? portInUse(this.port) : answersHealth(this.httpUrl, 5000, readiness);
  }
}

/** Whether the server at `httpUrl` answers GET /health (or /ready) with 200 within `timeoutMs`. */
export async function answersHealth(httpUrl: string, timeoutMs = 5000, route: "health" | "ready" = "health"): Promise<boolean> {
  try {
    const response = await fetch(`${httpUrl}/${route}`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `code ${String(status.code)}`;
}

/** SIGKILLs every process started here that is still running and waits for them: for `after` hooks. */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const server of left) server.kill("SIGKILL");
  await Promise.all(left.map((server) => server.exited));
}

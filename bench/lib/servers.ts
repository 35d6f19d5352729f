/**
 * The servers under test, each its own child process, started and stopped one at a time:
 * this jam server from build/, the reference relays from the shared bench folder, and the bare
 * Colyseus room of the idle-room floor (bench/refs/colyseusFloor.ts, built into build/floor), all on
 * the shared server process (support/serverProcess.ts).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { portInUse } from "../../support/ports";
import { type ExitStatus, REPO_ROOT, ServerProcess, type ServerEntry } from "../../support/serverProcess";
import type { ServerTarget } from "./results";

/**
 * Every bench client comes from 127.0.0.1 and the scenarios create and join rooms as fast as they
 * can: the per-address HTTP budgets (made for one person) are turned off for the bench.
 */
const BENCH_HTTP_RATE_LIMITS = JSON.stringify({ create: { perMinute: 0 }, join: { perMinute: 0 } });

/** The jam server's environment in the bench: warnings only, no drain, the HTTP budgets off; `extra` over it. */
export function benchJamEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { LOG_LEVEL: "warn", SHUTDOWN_DRAIN_MS: "0", HTTP_RATE_LIMITS: BENCH_HTTP_RATE_LIMITS, ...extra };
}

export interface ServerOptions {
  target: ServerTarget;
  port: number;
  /** Folder of baseline-ws.js and baseline-socketio.js (reference targets only). */
  refDir?: string;
  /** Extra environment for the jam server, e.g. RATE_LIMITS. */
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** What the jam server must answer 200 to count as started (default `health`), asked every `pollMs`. */
  readiness?: "health" | "ready";
  pollMs?: number;
}

/** How a stopped server ended: whether SIGKILL was needed, and its exit status. */
export interface StopOutcome {
  killed: boolean;
  exit: ExitStatus | undefined;
}

export const TARGET_LABEL: Record<ServerTarget, string> = {
  jam: "jam-server",
  ws: "raw ws",
  socketio: "Socket.IO",
  floor: "bare Colyseus room",
};

/** Each server's port, from --port: one apiece, so a server still closing never holds the next one's. */
export const PORT_OFFSET: Record<ServerTarget, number> = { jam: 0, ws: 1, socketio: 2, floor: 3 };

/**
 * The servers whose rooms the bench opens as a musician does (`create("jam")` with a name) and
 * whose heap GET /metrics answers: this jam server and the floor.
 */
export function opensJamRooms(target: ServerTarget): target is "jam" | "floor" {
  return target === "jam" || target === "floor";
}

/** The floor's server, as `tsc -p tsconfig.floor.json` builds it. */
const FLOOR_SCRIPT = "build/floor/bench/refs/colyseusFloor.js";

function entryOf(target: ServerTarget, refDir: string): ServerEntry {
  switch (target) {
    case "jam":
      return { kind: "build" };
    case "floor":
      if (!existsSync(resolve(REPO_ROOT, FLOOR_SCRIPT))) {
        throw new Error(`${FLOOR_SCRIPT} is missing: build it with \`npx tsc -p tsconfig.floor.json\` (npm run bench does)`);
      }
      return { kind: "build", script: FLOOR_SCRIPT };
    case "ws":
      return { kind: "script", script: join(refDir, "baseline-ws.js"), cwd: refDir };
    case "socketio":
      return { kind: "script", script: join(refDir, "baseline-socketio.js"), cwd: refDir };
  }
}

/** One server under test: the shared process plus what the bench asks of it. */
export class BenchServer {
  readonly url: string;
  readonly httpUrl: string;
  /** From spawning the process until it answered its readiness check, ms. */
  readonly startMs: number;

  private constructor(
    readonly options: ServerOptions,
    private readonly process: ServerProcess,
  ) {
    this.url = options.target === "socketio" ? process.httpUrl : process.endpoint;
    this.httpUrl = process.httpUrl;
    this.startMs = performance.now() - process.spawnedAt;
  }

  static async start(options: ServerOptions, timeoutMs = 20_000): Promise<BenchServer> {
    const { target, port } = options;
    if (await portInUse(port)) throw new Error(`port ${port} is in use: choose another with --port`);
    const entry = entryOf(target, options.refDir ?? "");
    // The jam server and the floor run with production's flags (entry "build"); the reference relays with node's defaults.
    const env = target === "jam" ? benchJamEnv(options.env) : {};
    const server = new ServerProcess({ port, entry, env, nodeArgs: options.nodeArgs, label: TARGET_LABEL[target] });
    try {
      await server.ready(target === "jam" ? (options.readiness ?? "health") : "port", timeoutMs, options.pollMs);
    } catch {
      server.kill("SIGKILL");
      const lastLines = [...server.stdoutLines, ...server.stderrLines].slice(-10);
      throw new Error(`${TARGET_LABEL[target]} did not start on port ${port}: ${lastLines.join(" | ")}`);
    }
    return new BenchServer(options, server);
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get label(): string {
    return TARGET_LABEL[this.options.target];
  }

  /** The V8 heap in use of the jam server (prom-client's process metrics) or the floor, from GET /metrics. */
  async heapUsedBytes(): Promise<number | undefined> {
    if (!opensJamRooms(this.options.target)) return undefined;
    const text = await (await fetch(`${this.httpUrl}/metrics`)).text();
    const match = /^nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(text);
    return match === null ? undefined : Number(match[1]);
  }

  /** SIGTERM (the jam server saves every jam first), SIGKILL after 10 s; says how it ended. */
  async stop(): Promise<StopOutcome> {
    const killed = await this.process.stop(10_000);
    return { killed, exit: this.process.exitStatus };
  }

  kill(): void {
    this.process.kill("SIGKILL");
  }
}

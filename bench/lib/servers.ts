/**
 * The servers under test, each its own child process, started and stopped one at a time:
 * this jam server from build/ and the reference relays from the shared bench folder.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "./ipc";
import { serverNodeArgs } from "./launch";
import type { Target } from "./results";
import { sleep } from "./wallClock";

/** Variables the jam server reads: never inherited from the shell that runs the bench. */
const JAM_VARIABLES = [
  "PORT", "REDIS_URL", "REDIS_URI", "PUBLIC_ADDRESS", "NODE_APP_INSTANCE", "MAX_PARTICIPANTS", "MAX_TRACKS",
  "RECONNECT_GRACE_S", "PLAY_LEAD_IN_MS", "MAX_PAYLOAD_BYTES", "LOG_LEVEL", "SHUTDOWN_DRAIN_MS", "MONITOR_USER",
  "MONITOR_PASSWORD", "CORS_ORIGINS", "JWT_SECRET", "RATE_LIMITS", "FLOOD_FACTOR", "FLOOD_SECONDS", "COLYSEUS_CLOUD",
  "HTTP_RATE_LIMITS", "TRUST_PROXY",
];

/**
 * Every bench client comes from 127.0.0.1 and the scenarios create and join rooms as fast as they
 * can: the per-address HTTP budgets (made for one person) are turned off for the bench.
 */
const BENCH_HTTP_RATE_LIMITS = JSON.stringify({ create: { perMinute: 0 }, join: { perMinute: 0 } });

export interface ServerOptions {
  target: Target;
  port: number;
  /** Folder of baseline-ws.js and baseline-socketio.js (reference targets only). */
  refDir?: string;
  /** Extra environment for the jam server, e.g. RATE_LIMITS. */
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

export const TARGET_LABEL: Record<Target, string> = { jam: "jam-server", ws: "raw ws", socketio: "Socket.IO" };

export class ServerProcess {
  readonly url: string;
  readonly httpUrl: string;
  private readonly child: ChildProcess;
  private readonly output: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(readonly options: ServerOptions) {
    const { target, port } = options;
    this.url = target === "socketio" ? `http://127.0.0.1:${port}` : `ws://127.0.0.1:${port}`;
    this.httpUrl = `http://127.0.0.1:${port}`;
    const inherited = { ...process.env };
    for (const name of JAM_VARIABLES) delete inherited[name];
    const script =
      target === "jam" ? resolve(REPO_ROOT, "build", "index.js") : join(options.refDir ?? "", target === "ws" ? "baseline-ws.js" : "baseline-socketio.js");
    const env: NodeJS.ProcessEnv =
      target === "jam"
        ? { ...inherited, PORT: String(port), LOG_LEVEL: "warn", SHUTDOWN_DRAIN_MS: "0", HTTP_RATE_LIMITS: BENCH_HTTP_RATE_LIMITS, ...options.env }
        : { ...inherited, PORT: String(port) };
    // The jam server runs with its production flags; the reference relays with node's defaults.
    const launchArgs = target === "jam" ? serverNodeArgs() : [];
    this.child = spawn(process.execPath, [...launchArgs, ...(options.nodeArgs ?? []), script], {
      cwd: target === "jam" ? REPO_ROOT : options.refDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on("line", (line) => {
        this.output.push(line);
        if (this.output.length > 50) this.output.shift();
      });
    }
    this.exited = new Promise((ok) => this.child.once("exit", () => ok()));
  }

  static async start(options: ServerOptions, timeoutMs = 20_000): Promise<ServerProcess> {
    if (await portInUse(options.port)) throw new Error(`port ${options.port} is in use: choose another with --port`);
    const server = new ServerProcess(options);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (server.child.exitCode !== null) break;
      if (await server.isReady()) return server;
      await sleep(100);
    }
    server.child.kill("SIGKILL");
    throw new Error(`${TARGET_LABEL[options.target]} did not start on port ${options.port}: ${server.output.slice(-10).join(" | ")}`);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get label(): string {
    return TARGET_LABEL[this.options.target];
  }

  private async isReady(): Promise<boolean> {
    if (this.options.target !== "jam") return portInUse(this.options.port);
    try {
      const response = await fetch(`${this.httpUrl}/health`);
      return response.ok;
    } catch {
      return false;
    }
  }

  /** The jam server's V8 heap in use, from GET /metrics (prom-client's process metrics). */
  async heapUsedBytes(): Promise<number | undefined> {
    if (this.options.target !== "jam") return undefined;
    const text = await (await fetch(`${this.httpUrl}/metrics`)).text();
    const match = /^nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(text);
    return match === null ? undefined : Number(match[1]);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once("error", () => resolvePort(false));
  });
}

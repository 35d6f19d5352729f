/**
 * A redis-server of a test's own, on a free port (or one the caller owns), for fault tests and
 * benchmarks: killed with SIGKILL and restarted empty on the same port. Never the shared Redis on 6379.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { freePort } from "./ports";
import { within } from "./waiting";

export const REDIS_SERVER_BINARY = process.env.REDIS_SERVER_BINARY ?? "/usr/bin/redis-server";

/** Every redis-server started here and still running; whoever ends this process ends them too. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export class RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly port: number) {}

  /**
   * Starts a redis-server with no persistence on `port` (default: a free one the OS picks);
   * resolves once it accepts connections.
   */
  static async start(port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()));
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts it (again, empty: nothing is saved) on the same port. */
  async restart(timeoutMs = 5000): Promise<void> {
    if (this.child !== undefined) throw new Error(`redis-server on ${this.port} is already running`);
    const child = spawn(REDIS_SERVER_BINARY, ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    running.add(child);
    const output: string[] = [];
    this.exited = new Promise((resolve) =>
      child.once("exit", () => {
        running.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    const stdout = child.stdout;
    if (stdout === null) throw new Error("redis-server spawned without a stdout pipe");
    const accepting = new Promise<void>((resolve, reject) => {
      createInterface({ input: stdout }).on("line", (line) => {
        output.push(line);
        if (line.includes("Ready to accept connections")) resolve();
      });
      void this.exited.then(() => reject(new Error(`redis-server on ${this.port} exited at start:\n${output.join("\n")}`)));
    });
    await within(accepting, timeoutMs, `redis-server on ${this.port} accepting connections`);
  }

  /** SIGKILL: what a crash looks like to its clients. Resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill("SIGKILL");
    await within(this.exited, 5000, `redis-server on ${this.port} gone after SIGKILL`);
  }
}

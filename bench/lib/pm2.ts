/**
 * The jam server under real PM2, as README's "Deploying with PM2" runs it: `pm2 start
 * ecosystem.config.js --env production`, with a PM2 of the bench's own (its PM2_HOME in a temporary
 * folder, so no daemon or process list of anyone else is touched) that `kill()` ends for good.
 *
 * The project's ecosystem.config.js is used as it is, through a wrapper that only moves it to the
 * bench's port (loaded in this process, where PORT is not the bench's), pins the instance count (the file's own choice, one per CPU with REDIS_URL, is 2 on the bench
 * machine) and points `cwd` at the repository.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { answersHealth } from "../../support/serverProcess";
import { REPO_ROOT, scrubbedEnvironment } from "../../support/serverEnv";
import { eventually } from "../../support/waiting";

const run = promisify(execFile);
const PM2_CLI = resolve(REPO_ROOT, "node_modules", "pm2", "bin", "pm2");
const ECOSYSTEM = resolve(REPO_ROOT, "ecosystem.config.js");

/** One process of the app, as `pm2 jlist` tells it. */
export interface Pm2Process {
  pmId: number;
  /** NODE_APP_INSTANCE: the server listens on PORT + this. */
  instance: number;
  pid: number;
  status: string;
  restarts: number;
}

interface JlistEntry {
  pm_id?: unknown;
  pid?: unknown;
  pm2_env?: { status?: unknown; restart_time?: unknown; NODE_APP_INSTANCE?: unknown };
}

export interface Pm2Options {
  port: number;
  instances: number;
  /** The servers' environment (over the scrubbed one): DATA_DIR, REDIS_URL, … */
  env: Record<string, string>;
}

export class Pm2 {
  private constructor(
    readonly home: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts PM2 with the app and resolves once every instance answers GET /health. */
  static async start(options: Pm2Options, timeoutMs = 30_000): Promise<Pm2> {
    const home = mkdtempSync(join(tmpdir(), "jam-pm2-"));
    // PM2 greets a new PM2_HOME with a banner and a version check over the network; this marks it as seen.
    writeFileSync(join(home, "touch"), String(Date.now()));
    const wrapper = join(home, "ecosystem.config.js");
    writeFileSync(wrapper, wrapperSource(options.port, options.instances));
    const env = { ...scrubbedEnvironment(), ...options.env, PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: "true" };
    const pm2 = new Pm2(home, options.port, env);
    try {
      await pm2.cli("start", wrapper, "--env", "production");
      await Promise.all(Array.from({ length: options.instances }, (_, n) => pm2.healthy(n, timeoutMs)));
    } catch (error) {
      const logs = pm2.lastLogLines();
      pm2.kill();
      throw new Error(`PM2 did not start the jam server: ${error instanceof Error ? error.message : String(error)}\n${logs}`);
    }
    return pm2;
  }

  portOf(instance: number): number {
    return this.port + instance;
  }

  async processes(): Promise<Pm2Process[]> {
    const text = await this.cli("jlist");
    const parsed: unknown = JSON.parse(text.slice(text.indexOf("[")));
    if (!Array.isArray(parsed)) throw new Error("pm2 jlist: not a list");
    return (parsed as JlistEntry[]).map((entry) => ({
      pmId: Number(entry.pm_id),
      instance: Number(entry.pm2_env?.NODE_APP_INSTANCE ?? 0),
      pid: Number(entry.pid),
      status: String(entry.pm2_env?.status),
      restarts: Number(entry.pm2_env?.restart_time ?? 0),
    }));
  }

  async process(instance: number): Promise<Pm2Process> {
    const found = (await this.processes()).find((p) => p.instance === instance);
    if (found === undefined) throw new Error(`PM2 has no instance ${instance}`);
    return found;
  }

  /** `pm2 stop <id>`: a graceful stop (SIGINT, the server drains and saves); PM2 does not restart it. */
  async stop(instance: number): Promise<void> {
    await this.cli("stop", String((await this.process(instance)).pmId));
  }

  /** `pm2 restart <id>` of a stopped or running instance; resolves once it answers GET /health. */
  async restart(instance: number, timeoutMs = 30_000): Promise<void> {
    await this.cli("restart", String((await this.process(instance)).pmId));
    await this.healthy(instance, timeoutMs);
  }

  /** Resolves once instance `instance` answers GET /health with 200. */
  async healthy(instance: number, timeoutMs: number): Promise<void> {
    const url = `http://127.0.0.1:${this.portOf(instance)}`;
    await eventually(() => answersHealth(url, 1000), timeoutMs, `PM2 instance ${instance} answering ${url}/health`, 50);
  }

  /** The last lines of every log PM2 kept, for failure messages. */
  lastLogLines(lines = 15): string {
    try {
      const dir = join(this.home, "logs");
      return readdirSync(dir)
        .map((file) => `--- ${file} ---\n${readFileSync(join(dir, file), "utf8").trimEnd().split("\n").slice(-lines).join("\n")}`)
        .join("\n");
    } catch {
      return "(no PM2 logs)";
    }
  }

  /** `pm2 kill` (the daemon and its processes), then removes its folder. Synchronous: safe in exit handlers. */
  kill(): void {
    try {
      execFileSync(process.execPath, [PM2_CLI, "kill"], { env: this.env, stdio: "ignore", timeout: 30_000 });
    } catch {
      // Already gone, or it did not answer: nothing more can be done from here.
    }
    rmSync(this.home, { recursive: true, force: true });
  }

  private async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [PM2_CLI, ...args], { env: this.env, cwd: REPO_ROOT, maxBuffer: 16 * 2 ** 20 });
    return stdout;
  }
}

function wrapperSource(port: number, instances: number): string {
  return `// Written by the bench: the project's ecosystem.config.js on the bench's port.
const project = require(${JSON.stringify(ECOSYSTEM)});
module.exports = {
  apps: project.apps.map((app) => ({
    ...app,
    cwd: ${JSON.stringify(REPO_ROOT)},
    instances: ${instances},
    env: { ...app.env, PORT: ${port} },
    env_production: { ...app.env_production, PORT: ${port} },
  })),
};
`;
}

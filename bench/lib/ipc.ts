/**
 * Runner ↔ driver messages. Drivers are forked Node processes (ts-node) that generate load or probe
 * the server; they talk to the runner over the fork IPC channel, and end when it goes away.
 */
import { fork, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

export type DriverMessage =
  | { kind: "ready"; detail: Record<string, number | string> }
  | { kind: "result"; result: unknown }
  | { kind: "progress"; text: string }
  | { kind: "failed"; error: string };

export type RunnerMessage = { kind: "stop" } | { kind: "phase"; phase: string };

export const REPO_ROOT = resolve(__dirname, "..", "..");
const DRIVER = resolve(REPO_ROOT, "bench", "driver.ts");

export type DriverArgs = Record<string, string | number | boolean>;

function isDriverMessage(value: unknown): value is DriverMessage {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string";
}

/** A running driver process, seen from the runner. */
export class Driver<R> {
  readonly ready: Promise<Record<string, number | string>>;
  readonly result: Promise<R>;
  private readonly child: ChildProcess;

  constructor(
    readonly scenario: string,
    args: DriverArgs,
    onProgress: (text: string) => void = () => undefined,
  ) {
    const argv = [scenario];
    for (const [name, value] of Object.entries(args)) argv.push(`--${name}`, String(value));
    this.child = fork(DRIVER, argv, {
      cwd: REPO_ROOT,
      execArgv: ["-r", "ts-node/register/transpile-only"],
      env: { ...process.env, TS_NODE_PROJECT: resolve(REPO_ROOT, "tsconfig.json") },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const exited = new Promise<string>((resolveExit) =>
      this.child.once("exit", (code, signal) => resolveExit(`driver "${scenario}" exited (code ${code}, signal ${signal})`)),
    );
    let resolveReady!: (detail: Record<string, number | string>) => void;
    let resolveResult!: (result: R) => void;
    let rejectAll!: (error: Error) => void;
    const ready = new Promise<Record<string, number | string>>((ok) => (resolveReady = ok));
    const result = new Promise<R>((ok) => (resolveResult = ok));
    const failure = new Promise<never>((_, ko) => (rejectAll = ko));
    this.ready = Promise.race([ready, failure]);
    this.result = Promise.race([result, failure]);
    // Unobserved rejections of either are fine: the caller awaits the one it needs.
    this.ready.catch(() => undefined);
    this.result.catch(() => undefined);
    this.child.on("message", (message: unknown) => {
      if (!isDriverMessage(message)) return;
      if (message.kind === "ready") resolveReady(message.detail);
      else if (message.kind === "result") resolveResult(message.result as R);
      else if (message.kind === "progress") onProgress(message.text);
      else rejectAll(new Error(`driver "${scenario}" failed: ${message.error}`));
    });
    void exited.then((why) => rejectAll(new Error(why)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  send(message: RunnerMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Asks the driver to wrap up (it reports its result, if any, then exits); kills it after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((ok) => this.child.once("exit", () => ok()));
    this.send({ kind: "stop" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/** The driver side: how a scenario reports to the runner and hears from it. */
export class RunnerLink {
  private phaseName = "idle";
  private readonly stopListeners: (() => void)[] = [];
  private stopRequested = false;

  constructor() {
    process.on("message", (message: RunnerMessage) => {
      if (message.kind === "stop") {
        this.stopRequested = true;
        for (const listener of this.stopListeners.splice(0)) listener();
      } else if (message.kind === "phase") {
        this.phaseName = message.phase;
      }
    });
    // The runner is gone: nobody is left to report to.
    process.on("disconnect", () => process.exit(0));
  }

  get phase(): string {
    return this.phaseName;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Resolves when the runner asks this driver to stop. */
  stopped(): Promise<void> {
    if (this.stopRequested) return Promise.resolve();
    return new Promise((resolveStop) => this.stopListeners.push(resolveStop));
  }

  send(message: DriverMessage): void {
    process.send?.(message);
  }

  ready(detail: Record<string, number | string> = {}): void {
    this.send({ kind: "ready", detail });
  }

  progress(text: string): void {
    this.send({ kind: "progress", text });
  }
}

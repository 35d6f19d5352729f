/**
 * Runs the shared reference load generator (../shared/bench/loadgen.js) as its own process, with
 * refs/windowProbe.ts preloaded to learn its window edges, and turns its JSON line into a RelayResult.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../lib/ipc";
import { CLOCK_TICKS_PER_S } from "../lib/proc";
import type { RelayResult, Target } from "../lib/results";
import type { StatRead } from "./windowProbe";

const WINDOW_PROBE = resolve(REPO_ROOT, "bench", "refs", "windowProbe.ts");

/** The JSON line loadgen.js prints. */
interface LoadgenLine {
  target: string;
  clients: number;
  rooms: number;
  perRoom: number;
  rate: number;
  connectMs: number;
  sentPerSec: number;
  deliveredPerSec: number;
  lossPct: number | null;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  serverCpuPct: number | null;
  serverRssMiB: number | null;
}

export interface LoadgenArgs {
  target: Target;
  url: string;
  rooms: number;
  perRoom: number;
  rate: number;
  seconds: number;
  warmup: number;
  pid: number;
  /** Each room's notes spread over the period (`--interleave 1`) instead of together. */
  spread?: boolean;
}

export interface LoadgenRun {
  /** Resolves when the measured window opens (every client connected, warm-up over). */
  windowOpened: Promise<void>;
  result: Promise<RelayResult>;
  kill(): void;
}

/** Where the reference relays live, if they are there and installed. */
export function referenceDir(candidate: string): { dir: string } | { missing: string } {
  const dir = resolve(candidate);
  for (const file of ["loadgen.js", "baseline-ws.js", "baseline-socketio.js"]) {
    if (!existsSync(join(dir, file))) return { missing: `${join(dir, file)} not found` };
  }
  for (const module of ["ws", "socket.io", "socket.io-client", "colyseus.js"]) {
    if (!existsSync(join(dir, "node_modules", module))) {
      return { missing: `${dir}/node_modules/${module} missing: run \`npm install\` there (or in a copy, given with --ref-dir)` };
    }
  }
  return { dir };
}

export function runLoadgen(refDir: string, args: LoadgenArgs): LoadgenRun {
  const argv = ["-r", "ts-node/register/transpile-only", "-r", WINDOW_PROBE, join(refDir, "loadgen.js")];
  // loadgen.js calls the jam server's contract "colyseus".
  argv.push(
    "--target",
    args.target === "jam" ? "colyseus" : args.target,
    "--url",
    args.url,
    "--rooms",
    String(args.rooms),
    "--per-room",
    String(args.perRoom),
  );
  argv.push("--rate", String(args.rate), "--seconds", String(args.seconds), "--warmup", String(args.warmup), "--pid", String(args.pid));
  if (args.spread === true) argv.push("--interleave", "1");
  const child = spawn(process.execPath, argv, {
    cwd: REPO_ROOT,
    env: { ...process.env, TS_NODE_PROJECT: resolve(REPO_ROOT, "tsconfig.json") },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const reads: StatRead[] = [];
  let opened!: () => void;
  const windowOpened = new Promise<void>((ok) => (opened = ok));
  child.on("message", (message: StatRead) => {
    if (message.kind !== "stat-read") return;
    reads.push(message);
    if (reads.length === 1) opened();
  });
  const { stdout, stderr: errors } = child;
  if (stdout === null || errors === null) throw new Error("loadgen.js spawned without output pipes");
  const stderr: string[] = [];
  createInterface({ input: errors }).on("line", (line) => stderr.push(line));
  const result = new Promise<RelayResult>((ok, ko) => {
    createInterface({ input: stdout }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      try {
        ok(toRelayResult(args.target, JSON.parse(line) as LoadgenLine, reads, args.seconds));
      } catch (error) {
        ko(error);
      }
    });
    child.once("exit", (code) => ko(new Error(`loadgen.js exited (code ${code}) without a result: ${stderr.slice(-5).join(" | ")}`)));
  });
  result.catch(() => undefined);
  return { windowOpened, result, kill: () => child.kill("SIGKILL") };
}

function toRelayResult(target: Target, line: LoadgenLine, reads: readonly StatRead[], seconds: number): RelayResult {
  let serverCpuS = ((line.serverCpuPct ?? NaN) / 100) * seconds;
  let windowS = seconds;
  let generatorCpuPct = NaN;
  if (reads.length >= 2) {
    const [start, end] = reads;
    serverCpuS = (end.ticks - start.ticks) / CLOCK_TICKS_PER_S;
    windowS = (end.atMs - start.atMs) / 1000;
    generatorCpuPct = (100 * (end.ownCpuUs - start.ownCpuUs)) / 1e6 / windowS;
  }
  const delivered = line.deliveredPerSec * windowS;
  return {
    target,
    tool: "loadgen.js",
    rooms: line.rooms,
    perRoom: line.perRoom,
    rate: line.rate,
    clients: line.clients,
    connectMs: line.connectMs,
    windowS: Math.round(windowS * 100) / 100,
    sentPerSec: line.sentPerSec,
    deliveredPerSec: line.deliveredPerSec,
    lossPct: line.lossPct ?? NaN,
    latencyMs: { p50: line.p50, p95: line.p95, p99: line.p99, max: line.max },
    serverCpuPct: Math.round((1000 * serverCpuS) / windowS) / 10,
    cpuUsPerDelivery: Math.round((100 * serverCpuS * 1e6) / delivered) / 100,
    generatorCpuPct: Math.round(generatorCpuPct * 10) / 10,
    serverRssMiB: line.serverRssMiB ?? NaN,
  };
}

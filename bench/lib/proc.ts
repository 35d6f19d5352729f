/** What Linux says about a process: CPU time (utime + stime) and resident memory, from /proc. */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { cpus } from "node:os";

function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

export const CLOCK_TICKS_PER_S = clockTicksPerSecond();

/** utime + stime of `pid` in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; everything after its closing parenthesis splits cleanly.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

export function cpuSeconds(pid: number): number {
  return cpuTicks(pid) / CLOCK_TICKS_PER_S;
}

export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Server CPU over a window, read at its two edges. */
export class CpuWindow {
  private readonly startTicks: number;
  private readonly startMs = performance.now();

  constructor(private readonly pid: number) {
    this.startTicks = cpuTicks(pid);
  }

  end(): { cpuS: number; wallS: number } {
    const ticks = cpuTicks(this.pid) - this.startTicks;
    return { cpuS: ticks / CLOCK_TICKS_PER_S, wallS: (performance.now() - this.startMs) / 1000 };
  }
}

/** This process's own CPU over a window (the load generator's share of the machine). */
export class OwnCpuWindow {
  private readonly start = process.cpuUsage();
  private readonly startMs = performance.now();

  endPct(): number {
    const used = process.cpuUsage(this.start);
    return (100 * (used.user + used.system)) / 1000 / (performance.now() - this.startMs);
  }
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  platform: string;
  memTotalMiB: number;
}

export function machineInfo(): MachineInfo {
  const modelLine = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
  const memLine = /MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"));
  return {
    nproc: Number(execFileSync("nproc", { encoding: "utf8" }).trim()),
    cpuModel: modelLine?.[1].trim() ?? cpus()[0]?.model ?? "unknown",
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memTotalMiB: memLine === null ? NaN : Math.round(Number(memLine[1]) / 1024),
  };
}

/** Other processes busy on the CPU right now (pid, command, %CPU over ~1 s), to warn about a noisy machine. */
export function busyProcesses(
  excludePids: ReadonlySet<number>,
  sampleMs = 1000,
): Promise<{ pid: number; command: string; cpuPct: number }[]> {
  const read = () => readProcesses((pid) => !excludePids.has(pid));
  const before = read();
  return new Promise((resolve) =>
    setTimeout(() => {
      const after = read();
      const busy: { pid: number; command: string; cpuPct: number }[] = [];
      for (const [pid, { ticks, command }] of after) {
        const start = before.get(pid);
        if (start === undefined) continue;
        const cpuPct = (100 * (ticks - start.ticks)) / CLOCK_TICKS_PER_S / (sampleMs / 1000);
        if (cpuPct >= 5) busy.push({ pid, command: command.slice(0, 120), cpuPct: Math.round(cpuPct) });
      }
      resolve(busy.sort((a, b) => b.cpuPct - a.cpuPct));
    }, sampleMs),
  );
}

/** CPU ticks and command line of every process `keep` accepts. */
function readProcesses(keep: (pid: number, command: string) => boolean): Map<number, { ticks: number; command: string }> {
  const out = new Map<number, { ticks: number; command: string }>();
  for (const entry of readdirSafe("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      if (keep(pid, command)) out.set(pid, { ticks: cpuTicks(pid), command });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU over a window of every process whose command line contains `text`: e.g. the PostgreSQL
 * backends serving one database, whose work the server's own CPU does not show. A process that
 * starts inside the window counts from its start; one that ends inside it only up to the last reading.
 */
export class MatchingCpuWindow {
  private readonly start: Map<number, number>;
  private readonly startMs = performance.now();

  constructor(private readonly text: string) {
    this.start = this.read();
  }

  end(): { cpuS: number; wallS: number; processes: number } {
    const now = this.read();
    let ticks = 0;
    for (const [pid, value] of now) ticks += value - (this.start.get(pid) ?? 0);
    return { cpuS: ticks / CLOCK_TICKS_PER_S, wallS: (performance.now() - this.startMs) / 1000, processes: now.size };
  }

  private read(): Map<number, number> {
    const found = readProcesses((_pid, command) => command.includes(this.text));
    return new Map([...found].map(([pid, { ticks }]) => [pid, ticks]));
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * CPU used by processes outside this process tree (other work on a shared machine), sampled every
 * `everyMs`: the share of the machine the bench did not control, per stage of the run.
 */
export class NoiseMonitor {
  private stage = "start";
  private readonly samples = new Map<string, number[]>();
  private timer: NodeJS.Timeout | undefined;
  private last: { total: number; ours: number; at: number } | undefined;

  constructor(private readonly everyMs = 2000) {}

  start(): void {
    this.last = this.read();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  mark(stage: string): void {
    this.stage = stage;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Other processes' CPU, in % of one core, per stage: mean and max of the samples. */
  summary(): Record<string, { meanPct: number; maxPct: number }> {
    const out: Record<string, { meanPct: number; maxPct: number }> = {};
    for (const [stage, values] of this.samples) {
      out[stage] = {
        meanPct: Math.round(values.reduce((a, b) => a + b, 0) / values.length),
        maxPct: Math.round(Math.max(...values)),
      };
    }
    return out;
  }

  private sample(): void {
    const now = this.read();
    if (this.last !== undefined) {
      const seconds = (now.at - this.last.at) / 1000;
      const other = (now.total - this.last.total - (now.ours - this.last.ours)) / CLOCK_TICKS_PER_S / seconds;
      const list = this.samples.get(this.stage) ?? [];
      list.push(Math.max(0, other * 100));
      this.samples.set(this.stage, list);
    }
    this.last = now;
  }

  /** Busy ticks of the whole machine (/proc/stat) and of this process and its descendants. */
  private read(): { total: number; ours: number; at: number } {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - cpu[3] - cpu[4];
    const parents = new Map<number, number>();
    const ticks = new Map<number, number>();
    for (const entry of readdirSafe("/proc")) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        parents.set(pid, Number(fields[1]));
        // utime stime cutime cstime: children that exited are counted in their parent's cutime/cstime.
        ticks.set(pid, Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]));
      } catch {
        // gone meanwhile
      }
    }
    let ours = 0;
    for (const [pid, value] of ticks) {
      let p: number | undefined = pid;
      while (p !== undefined && p > 1 && p !== process.pid) p = parents.get(p);
      if (p === process.pid) ours += value;
    }
    return { total, ours, at: performance.now() };
  }
}

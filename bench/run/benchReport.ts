/**
 * The run's report: what it records about the run from the start, and at the end the table on
 * stdout and bench/results/<date>.json (and .md).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../lib/ipc";
import { busyProcesses, machineInfo, type MachineInfo } from "../lib/proc";
import { crashRows } from "../lib/crashRows";
import { jamMemorySection } from "../lib/jamMemoryReport";
import { markdownTable } from "../lib/markdownTable";
import { networkRows } from "../lib/networkRows";
import { savingSection } from "../lib/savingReport";
import { buildRows, relayKey, type JamFigures, type RelayConfig, type Row, type TargetFigures } from "../lib/report";
import { log } from "./context";
import type { Options } from "./options";

export interface BenchReport {
  meta: {
    date: string;
    command: string;
    machine: MachineInfo;
    gitCommit: string;
    loadAverageAtStart: number[];
    busyAtStart: { pid: number; command: string; cpuPct: number }[];
    options: Record<string, unknown>;
    refDir?: string;
    notes: string[];
    durationS?: number;
    /** CPU of processes outside the bench, % of one core, per stage of the run. */
    otherCpuPct?: Record<string, { meanPct: number; maxPct: number }>;
  };
  jam: JamFigures;
  ws?: TargetFigures;
  socketio?: TargetFigures;
  rows: Row[];
}

function gitCommit(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: REPO_ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${commit} (src/ modified)` : commit;
  } catch {
    return "unknown";
  }
}

/** The report as the run starts: its command, machine, commit, options and what else is busy. */
export async function startReport(options: Options, argv: readonly string[]): Promise<BenchReport> {
  const date = new Date();
  return {
    meta: {
      date: date.toISOString(),
      command: ["npm run bench", ...(argv.length ? ["--", ...argv] : [])].join(" "),
      machine: machineInfo(),
      gitCommit: gitCommit(),
      loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
      busyAtStart: await busyProcesses(new Set([process.pid])),
      options: {
        only: [...options.only],
        seconds: options.seconds,
        warmup: options.warmup,
        repeat: options.repeat,
        sequencerMinutes: options.sequencerMinutes,
        networkMinutes: options.networkMinutes,
        targets: [...options.targets],
        relay: options.relayConfigs.map(relayKey),
        memory: `${options.memoryLayout.rooms}×${options.memoryLayout.perRoom}`,
        idleRooms: options.idleRooms,
        fanout: `${options.fanout.rooms}×${options.fanout.musicians}×${options.fanout.listeners}`,
        jamEnv: options.jamEnv,
        clockEstimator: options.clockEstimator,
      },
      notes: [],
    },
    jam: { relay: [], relayLoadgen: [], relayInterleaved: [], relayLoadgenSpread: [] },
    rows: [],
  };
}

/** Prints the table (with a header of the run's facts and notes) and writes the .json and .md files. */
export function writeReport(report: BenchReport, relayConfigs: RelayConfig[], outDir: string): void {
  const { meta } = report;
  report.rows = [
    ...buildRows(report.jam, report.ws, report.socketio, relayConfigs),
    ...crashRows(report.jam.crash ?? []),
    ...networkRows(report.jam.network),
  ];
  // `--only saving` (or recording, listeners) fills no row of the main table: only its own tables are printed then.
  const tables = [
    report.rows.length > 0 ? markdownTable(report.rows, report.jam.relayLoadgen.length > 0) : "",
    savingSection(report.jam.saving),
    jamMemorySection(report.jam.jamMemory),
  ];
  const table = tables.filter((text) => text !== "").join("\n\n");
  const header = [
    `jam-server bench — ${meta.date}`,
    `machine: ${meta.machine.nproc} CPUs, ${meta.machine.cpuModel}, ${meta.machine.memTotalMiB} MiB, Node.js ${meta.machine.node}; commit ${meta.gitCommit}`,
    `command: ${meta.command}; ${meta.durationS} s`,
    ...meta.notes.map((note) => `note: ${note}`),
  ];
  process.stdout.write(`\n${header.join("\n")}\n\n${table}\n\n`);

  mkdirSync(outDir, { recursive: true });
  const stamp = meta.date.replace(/[:]/g, "-").replace(/\.\d+Z$/, "Z");
  const jsonPath = join(outDir, `${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, `${stamp}.md`), `${header.join("  \n")}\n\n${table}\n`);
  log(`wrote ${jsonPath}`);
}

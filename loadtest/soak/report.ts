/**
 * The soak's progress line (at the start, every minute, at the end) and the timeline of those
 * points that goes into the summary: connections held, notes, server and load-generator CPU and
 * memory, round trips and note latency over the last window.
 */
import { cpus } from "node:os";
import type { SoakClient } from "./client";
import { elapsedLabel, mb, ms } from "./format";
import { machineCpu, type MachineCpu, type ServerSample } from "./serverView";
import { errorsTotal, latency, loopDelay, rtt, stats } from "./stats";

interface CpuMark {
  at: number;
  self: NodeJS.CpuUsage;
  serverCpuS: number | undefined;
  machine: MachineCpu | undefined;
}

export interface TimelinePoint {
  label: string;
  atS: number;
  held: number;
  serverClients: number | null;
  notesSent: number;
  notesDelivered: number;
  notesLost: number;
  heapUsed: number | null;
  rss: number | null;
  serverCpuPct: number | null;
  loadgenCpuPct: number;
  machineCpuPct: number | null;
  serverLoopLagP99Ms: number | null;
  pingRttP50: number | null;
  pingRttP99: number | null;
  noteLatencyP50: number | null;
  noteLatencyP99: number | null;
}

export class ProgressReport {
  readonly timeline: TimelinePoint[] = [];
  private cpuMark: CpuMark;
  private readonly cores = cpus().length;

  /** `started`: when play began; `startSample`: the server then. */
  constructor(
    private readonly started: number,
    private readonly target: number,
    private readonly everyone: readonly SoakClient[],
    startSample: ServerSample,
  ) {
    this.cpuMark = {
      at: Date.now(),
      self: process.cpuUsage(),
      serverCpuS: startSample.metrics.get("process_cpu_seconds_total"),
      machine: machineCpu(),
    };
  }

  /** Prints the line for `label` ("start", "progress", "end") and starts a new window. */
  print(label: string, sample: ServerSample): void {
    const now = Date.now();
    const selfCpu = process.cpuUsage(this.cpuMark.self);
    const wallS = Math.max(0.001, (now - this.cpuMark.at) / 1000);
    const serverCpuS = sample.metrics.get("process_cpu_seconds_total");
    const serverPct =
      serverCpuS !== undefined && this.cpuMark.serverCpuS !== undefined
        ? Math.round(((serverCpuS - this.cpuMark.serverCpuS) / wallS) * 100)
        : null;
    const selfPct = Math.round(((selfCpu.user + selfCpu.system) / 1e6 / wallS) * 100);
    const machine = machineCpu();
    const machinePct =
      machine !== undefined && this.cpuMark.machine !== undefined && machine.total > this.cpuMark.machine.total
        ? Math.round(((machine.busy - this.cpuMark.machine.busy) / (machine.total - this.cpuMark.machine.total)) * this.cores * 100)
        : null;
    const othersPct = machinePct === null ? null : Math.max(0, machinePct - selfPct - (serverPct ?? 0));
    this.cpuMark = { at: now, self: process.cpuUsage(), serverCpuS, machine };
    const serverLag = sample.metrics.get("nodejs_eventloop_lag_p99_seconds");
    const serverLagMs = serverLag === undefined ? null : Math.round(serverLag * 1000);
    const held = this.everyone.filter((c) => c.connected).length;
    const errorCount = errorsTotal();
    this.timeline.push({
      label,
      atS: Math.round((now - this.started) / 1000),
      held,
      serverClients: sample.health?.clients ?? null,
      notesSent: stats.notesSent,
      notesDelivered: stats.notesDelivered,
      notesLost: stats.notesLost,
      heapUsed: sample.metrics.get("nodejs_heap_size_used_bytes") ?? null,
      rss: sample.metrics.get("process_resident_memory_bytes") ?? null,
      serverCpuPct: serverPct,
      loadgenCpuPct: selfPct,
      machineCpuPct: machinePct,
      serverLoopLagP99Ms: serverLagMs,
      pingRttP50: rtt.window.percentile(50),
      pingRttP99: rtt.window.percentile(99),
      noteLatencyP50: latency.window.percentile(50),
      noteLatencyP99: latency.window.percentile(99),
    });
    console.log(
      `[soak ${label} ${elapsedLabel(this.started)}] connections held ${held}/${this.target} (server: ${sample.health?.clients ?? "?"} clients, ${sample.health?.rooms ?? "?"} rooms)` +
        ` | notes sent ${stats.notesSent} delivered ${stats.notesDelivered} lost ${stats.notesLost} (excused ${stats.notesExcused}, dup ${stats.notesDuplicated}, corrupt ${stats.notesCorrupt}, misrouted ${stats.notesMisrouted})` +
        ` | floods ${stats.floods} (${stats.floodNotesSent} sent, ${stats.floodNotesDelivered} delivered)` +
        ` | rejected ${JSON.stringify(stats.errorsByCode)} (bad sent ${stats.badSent}, answered ok ${stats.badAnswered}, wrong ${stats.badWrongAnswer})` +
        ` | reconnections ok ${stats.reconnectOk} failed ${stats.reconnectFailed} (drops ${stats.drops}, retries ${stats.reconnectRetries}, rejoins ${stats.rejoinOk})` +
        ` | errors ${errorCount}` +
        ` | server heap ${mb(sample.metrics.get("nodejs_heap_size_used_bytes"))} rss ${mb(sample.metrics.get("process_resident_memory_bytes"))} cpu ${serverPct ?? "?"}% loop p99 ${ms(serverLagMs)}` +
        ` | loadgen cpu ${selfPct}% loop p99 ${ms(Math.round(loopDelay.percentile(99) / 1e6))} max ${ms(Math.round(loopDelay.max / 1e6))}` +
        ` | machine cpu ${machinePct ?? "?"}% of ${this.cores * 100}% (other processes ${othersPct ?? "?"}%)` +
        ` | ping rtt p50 ${ms(rtt.window.percentile(50))} p99 ${ms(rtt.window.percentile(99))} | note latency p50 ${ms(latency.window.percentile(50))} p99 ${ms(latency.window.percentile(99))} max ${ms(latency.window.count > 0 ? latency.window.max : null)}`,
    );
    rtt.window.reset();
    latency.window.reset();
    loopDelay.reset();
  }
}

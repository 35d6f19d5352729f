/** The soak's last lines: server memory at four moments, then `SUMMARY {json}` with every figure. */
import type { ServerProcess } from "../../support/serverProcess";
import type { RedisRestartReport, SlowConsumerReport } from "./faults";
import { mb } from "./format";
import type { SoakOptions } from "./options";
import type { TimelinePoint } from "./report";
import { diff, memory, type ServerSample } from "./serverView";
import { badSentByLabel, errorsTotal, latency, rtt, stats } from "./stats";

/** Everything the run knows at its end, beside the counters. */
export interface RunOutcome {
  crashed: boolean;
  /** The server the soak started; undefined with --endpoint. */
  server: ServerProcess | undefined;
  options: SoakOptions;
  commit: string;
  dirty: boolean;
  started: number;
  windDown: number;
  target: number;
  heldAtEnd: number;
  samples: { idle: ServerSample; start: ServerSample; end: ServerSample; drained: ServerSample };
  redisReport: RedisRestartReport | null;
  slowReport: SlowConsumerReport;
  timeline: TimelinePoint[];
}

export function printSummary(outcome: RunOutcome): void {
  const { crashed, server, options, commit, dirty, started, windDown, target, heldAtEnd, redisReport, slowReport, timeline } = outcome;
  const { idle, start: startSample, end: endSample, drained } = outcome.samples;
  const m = (sample: ServerSample, name: string): number | undefined => sample.metrics.get(name);
  const summary = {
    ok: !crashed,
    serverCrashed: crashed,
    serverExit:
      server === undefined
        ? null
        : { code: server.exitStatus?.code ?? null, signal: server.exitStatus?.signal ?? null, afterSigterm: server.stopRequested },
    options,
    commit,
    srcDirty: dirty,
    minutesPlayed: Number(((windDown - started) / 60_000).toFixed(2)),
    clients: { target, joined: stats.joinsOk, joinFailed: stats.joinsFailed, heldAtEnd },
    connectionsHeld: {
      start: startSample.health?.clients ?? null,
      end: endSample.health?.clients ?? null,
      afterLeave: drained.health?.clients ?? null,
    },
    roomsOnServer: {
      start: startSample.health?.rooms ?? null,
      end: endSample.health?.rooms ?? null,
      afterLeave: drained.health?.rooms ?? null,
    },
    notes: {
      sent: stats.notesSent,
      delivered: stats.notesDelivered,
      lost: stats.notesLost,
      excusedByDrops: stats.notesExcused,
      duplicated: stats.notesDuplicated,
      corrupt: stats.notesCorrupt,
      misrouted: stats.notesMisrouted,
      floods: stats.floods,
      floodNotesSent: stats.floodNotesSent,
      floodNotesDelivered: stats.floodNotesDelivered,
      serverRelayedTotal: m(endSample, "jam_notes_relayed_total") ?? null,
      serverDeliveriesTotal: m(endSample, "jam_note_deliveries_total") ?? null,
    },
    rejected: {
      byCodeReceived: stats.errorsByCode,
      serverRejectedTotal: m(endSample, "jam_messages_rejected_total") ?? null,
      badPayloadsSent: stats.badSent,
      answeredAsExpected: stats.badAnswered,
      wrongAnswer: stats.badWrongAnswer,
      starTypeQuirk: stats.starTypeQuirk,
      unansweredAtDrop: stats.badUnansweredAtDrop,
      unansweredAtEnd: stats.badUnanswered,
      rateLimitedInFlood: stats.rateLimitedInFlood,
      rateLimitedOutsideFlood: stats.rateLimitedOutsideFlood,
      unexpectedErrors: stats.unexpectedErrors,
      badSentByKind: badSentByLabel,
    },
    reconnections: {
      drops: stats.drops,
      oversizeFrameDrops: stats.oversizeDrops,
      oversizeNotClosed: stats.oversizeNotClosed,
      ok: stats.reconnectOk,
      failed: stats.reconnectFailed,
      retries: stats.reconnectRetries,
      rejoinOk: stats.rejoinOk,
      rejoinFailed: stats.rejoinFailed,
      serverReconnectionsTotal: m(endSample, "jam_reconnections_total") ?? null,
    },
    errors: {
      total: errorsTotal(),
      unexpectedCloses: stats.unexpectedCloses,
      exceptions: stats.exceptions,
      sendFailures: stats.sendFailures,
      clientWarnings: stats.clientWarnings,
      joinFailed: stats.joinsFailed,
      serverLogWarn: stats.serverLogWarn,
      serverLogError: stats.serverLogError,
    },
    server: {
      idle: memory(idle),
      start: memory(startSample),
      end: memory(endSample),
      afterLeave: memory(drained),
      cpuSecondsDuringPlay: diff(m(endSample, "process_cpu_seconds_total"), m(startSample, "process_cpu_seconds_total")),
    },
    loadgen: { cpuSecondsTotal: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)) },
    pingRttMs: { p50: rtt.total.percentile(50), p99: rtt.total.percentile(99), max: rtt.total.max, n: rtt.total.count },
    noteLatencyMs: { p50: latency.total.percentile(50), p99: latency.total.percentile(99), max: latency.total.max, n: latency.total.count },
    actions: { transport: stats.transportActions, stepEdits: stats.stepEdits, pings: stats.pingsSent, pongs: stats.pongs },
    faults: { redisRestart: redisReport, slowConsumers: slowReport },
    timeline,
    examples: stats.examples,
  };
  console.log(
    `[soak] heap start ${mb(summary.server.start.heapUsed ?? undefined)} end ${mb(summary.server.end.heapUsed ?? undefined)} after-leave ${mb(summary.server.afterLeave.heapUsed ?? undefined)}; ` +
      `rss start ${mb(summary.server.start.rss ?? undefined)} end ${mb(summary.server.end.rss ?? undefined)} after-leave ${mb(summary.server.afterLeave.rss ?? undefined)}`,
  );
  console.log(`SUMMARY ${JSON.stringify(summary)}`);
}

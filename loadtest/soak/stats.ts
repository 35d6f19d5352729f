/**
 * The soak's counters, shared by its clients and its report: what was sent, delivered, lost,
 * refused and dropped, with a few concrete examples of each kind of problem.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { MsHistogram } from "../../support/percentile";

/** A few concrete examples of each kind of problem, as evidence for a report. */
const MAX_EXAMPLES = 8;

export const stats = {
  clientsTarget: 0,
  joinsOk: 0,
  joinsFailed: 0,
  notesSent: 0,
  notesDelivered: 0,
  notesLost: 0,
  /** Missing, but sent just before the sender dropped: the server may never have read them. */
  notesExcused: 0,
  notesDuplicated: 0,
  /** Arrived with the wrong note/velocity for their seq, or without `at`/`instrument`. */
  notesCorrupt: 0,
  /** From a sender in another room, from the receiver itself, or from an unknown session. */
  notesMisrouted: 0,
  floods: 0,
  floodNotesSent: 0,
  floodNotesDelivered: 0,
  badSent: 0,
  /** Answered with the `error` code and type we expected. */
  badAnswered: 0,
  /** Answered with another code or type. */
  badWrongAnswer: 0,
  /** Not answered before the sender dropped (it may have been answered on the dead socket). */
  badUnansweredAtDrop: 0,
  /** Still unanswered at the end. */
  badUnanswered: 0,
  /** Answers to type "*" whose `type` is not "*" (see onError). */
  starTypeQuirk: 0,
  errorsByCode: {} as Record<string, number>,
  /** `error` messages nothing we sent explains (not a malformed payload, not a flood). */
  unexpectedErrors: 0,
  rateLimitedInFlood: 0,
  rateLimitedOutsideFlood: 0,
  transportActions: 0,
  stepEdits: 0,
  pingsSent: 0,
  pongs: 0,
  drops: 0,
  oversizeDrops: 0,
  /** An oversized frame that did not close the connection with 1009 within 5 s. */
  oversizeNotClosed: 0,
  reconnectOk: 0,
  reconnectFailed: 0,
  /** Reconnect attempts that failed but a later one succeeded. */
  reconnectRetries: 0,
  rejoinOk: 0,
  rejoinFailed: 0,
  unexpectedCloses: {} as Record<string, number>,
  exceptions: 0,
  sendFailures: 0,
  clientWarnings: 0,
  serverLogWarn: 0,
  serverLogError: 0,
  examples: {} as Record<string, string[]>,
};

export function example(kind: string, text: string): void {
  stats.examples[kind] ??= [];
  const list = stats.examples[kind];
  if (list.length < MAX_EXAMPLES) list.push(text);
}

export const bump = (record: Record<string, number>, key: string): void => {
  record[key] = (record[key] ?? 0) + 1;
};

export const rtt = { total: new MsHistogram(), window: new MsHistogram() };
export const latency = { total: new MsHistogram(), window: new MsHistogram() };
export const loopDelay = monitorEventLoopDelay({ resolution: 10 });

/** Malformed payloads sent, per kind (the `label` of each). */
export const badSentByLabel: Record<string, number> = {};

/** Every problem a user would notice, in one number. */
export function errorsTotal(): number {
  const closes = Object.values(stats.unexpectedCloses).reduce((a, b) => a + b, 0);
  return (
    closes +
    stats.exceptions +
    stats.sendFailures +
    stats.joinsFailed +
    stats.unexpectedErrors +
    stats.badWrongAnswer +
    stats.rateLimitedOutsideFlood
  );
}

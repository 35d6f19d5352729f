/**
 * Prometheus metrics (prom-client), one registry per server so tests can boot several in turn.
 * Label values come from closed sets only: a client cannot grow the series count.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { MessageError, type MessageErrorCode } from "../protocol/errors";
import { isMessageType } from "../protocol/messages";
import type { LiveCounts } from "./liveCounts";

const SAVED_JAMS_REFRESH_MS = 60_000;
const EVENT_LOOP_SAMPLE_MS = 100;
const KNOWN_REASONS = new Set<string>(Object.values(MessageError));

export class JamMetrics {
  readonly registry = new Registry();

  /** Counted in plain numbers on the note path and handed to their counters when scraped. */
  private relayed = { notes: 0, deliveries: 0 };

  readonly notesRelayed = drainedCounter(
    this.registry,
    "jam_notes_relayed_total",
    "Notes accepted from a sender and relayed to the rest of its room.",
    () => this.take("notes"),
  );

  readonly noteDeliveries = drainedCounter(
    this.registry,
    "jam_note_deliveries_total",
    "Copies of notes sent to receivers (one per other connected participant).",
    () => this.take("deliveries"),
  );

  /** A note relayed to `deliveries` others: the note path's only metrics call, no more than two additions. */
  noteRelayed(deliveries: number): void {
    this.relayed.notes++;
    this.relayed.deliveries += deliveries;
  }

  private take(kind: "notes" | "deliveries"): number {
    const count = this.relayed[kind];
    this.relayed[kind] = 0;
    return count;
  }

  readonly messagesRejected = new Counter({
    name: "jam_messages_rejected_total",
    help: 'Client messages refused, by error code and message type (unknown types count as "unknown").',
    labelNames: ["reason", "type"] as const,
    registers: [this.registry],
  });

  readonly roomsCreated = counter(this.registry, "jam_rooms_created_total", "Rooms created on this process.");

  readonly reconnections = counter(
    this.registry,
    "jam_reconnections_total",
    "Participants that came back within their reconnection grace.",
  );

  readonly connectionsCut = new Counter({
    name: "jam_connections_cut_total",
    help: "Connections closed for holding too much unread data (slow) or never finishing the join (half-joined).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly sessionDuration = new Histogram({
    name: "jam_session_duration_seconds",
    help: "How long participants stayed in a room, from join to removal.",
    buckets: [10, 60, 300, 900, 1800, 3600, 7200, 14400],
    registers: [this.registry],
  });

  readonly jamSaves = counter(this.registry, "jam_saves_total", "Jams written to the store.");

  readonly jamSaveFailures = counter(
    this.registry,
    "jam_save_failures_total",
    "Writes of a jam to the store that failed (each is retried).",
  );

  readonly jamSaveDuration = new Histogram({
    name: "jam_save_duration_seconds",
    help: "How long one write of a jam to the store took, successful or not.",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly recordingBatches = counter(
    this.registry,
    "jam_recording_batches_total",
    "Batches of a recording written to the store: one a second per recording room, and one as it stops.",
  );

  readonly recordedEvents = counter(
    this.registry,
    "jam_recorded_events_total",
    "Recorded notes and tempo and transport changes written to the store.",
  );

  constructor(live: LiveCounts) {
    // Event-loop delay sampled every 100 ms, not prom-client's 10 ms: a timer waking the process a
    // hundred times a second cost idle rooms half a percent of a core; a stall still shows in full.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    new Gauge({
      name: "jam_rooms",
      help: "Live rooms on this process.",
      registers: [this.registry],
      collect() {
        this.set(live.rooms());
      },
    });
    new Gauge({
      name: "jam_connected_clients",
      help: "Open client connections on this process.",
      registers: [this.registry],
      collect() {
        this.set(live.clients());
      },
    });
  }

  /**
   * `jam_saved_jams` from `count`, asked at most once per `everyMs`: a scrape must not query the
   * database each time, and a failing count keeps the last known value.
   */
  trackSavedJams(count: () => Promise<number>, everyMs = SAVED_JAMS_REFRESH_MS): void {
    let known = 0;
    let askedAt = Number.NEGATIVE_INFINITY;
    new Gauge({
      name: "jam_saved_jams",
      help: "Jams in the store (refreshed at most once a minute).",
      registers: [this.registry],
      async collect() {
        if (Date.now() - askedAt >= everyMs) {
          askedAt = Date.now();
          known = await count().catch(() => known);
        }
        this.set(known);
      },
    });
  }

  rejected(reason: MessageErrorCode, type: string): void {
    this.messagesRejected.inc({ reason: KNOWN_REASONS.has(reason) ? reason : "other", type: isMessageType(type) ? type : "unknown" });
  }
}

/** A counter without labels in `registry`. */
function counter(registry: Registry, name: string, help: string, collect?: (this: Counter) => void): Counter {
  return collect === undefined
    ? new Counter({ name, help, registers: [registry] })
    : new Counter({ name, help, registers: [registry], collect });
}

/** A counter that adds what `drain` has gathered since the last scrape, each time it is scraped. */
function drainedCounter(registry: Registry, name: string, help: string, drain: () => number): Counter {
  return counter(registry, name, help, function () {
    const count = drain();
    if (count > 0) this.inc(count);
  });
}

/**
 * The jam server's saving, as its GET /metrics reports it (Prometheus text): jam_saves_total,
 * jam_save_failures_total and the jam_save_duration_seconds histogram, and the recordings' writes
 * (jam_recording_batches_total, jam_recorded_events_total), read at a window's two edges.
 */
import type { RecordingWrites, SaveFigures } from "./results";
import { round } from "./stats";

export interface SaveCounters {
  saves: number;
  failures: number;
  /** Cumulative histogram: count of writes that took ≤ `le` seconds, ascending `le`, +Inf last. */
  buckets: { le: number; count: number }[];
  durationSumS: number;
  durationCount: number;
  /** Recording batches written to the store, and the events they held. */
  recordingBatches: number;
  recordedEvents: number;
}

function sample(text: string, name: string): number {
  const match = new RegExp(`^${name}\\s+(\\S+)$`, "m").exec(text);
  if (match === null) throw new Error(`GET /metrics has no ${name}`);
  return Number(match[1]);
}

export function parseSaveCounters(text: string): SaveCounters {
  const buckets: SaveCounters["buckets"] = [];
  for (const match of text.matchAll(/^jam_save_duration_seconds_bucket\{le="([^"]+)"\}\s+(\S+)$/gm)) {
    buckets.push({ le: match[1] === "+Inf" ? Infinity : Number(match[1]), count: Number(match[2]) });
  }
  buckets.sort((a, b) => a.le - b.le);
  return {
    saves: sample(text, "jam_saves_total"),
    failures: sample(text, "jam_save_failures_total"),
    buckets,
    durationSumS: sample(text, "jam_save_duration_seconds_sum"),
    durationCount: sample(text, "jam_save_duration_seconds_count"),
    recordingBatches: sample(text, "jam_recording_batches_total"),
    recordedEvents: sample(text, "jam_recorded_events_total"),
  };
}

/** GET /metrics of the jam server at `httpUrl`, its saving counters. */
export async function readSaveCounters(httpUrl: string): Promise<SaveCounters> {
  const response = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return parseSaveCounters(await response.text());
}

/**
 * The `q` quantile (0–1) of the writes counted in `buckets` (cumulative, as Prometheus keeps them),
 * interpolated linearly inside the bucket it falls in, as PromQL's histogram_quantile does; with
 * the upper bound of that bucket, the only figure the histogram guarantees.
 */
export function bucketQuantile(buckets: readonly { le: number; count: number }[], q: number): { value: number; bucketLe: number } {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return { value: NaN, bucketLe: NaN };
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      // Above the last finite bound nothing is known but that bound.
      if (!Number.isFinite(le)) return { value: lower, bucketLe: le };
      const inBucket = count - below;
      return { value: inBucket === 0 ? le : lower + ((le - lower) * (rank - below)) / inBucket, bucketLe: le };
    }
    lower = le;
    below = count;
  }
  return { value: lower, bucketLe: Infinity };
}

/** What was saved between two readings `windowS` apart. */
export function saveFigures(before: SaveCounters, after: SaveCounters, windowS: number): SaveFigures {
  const buckets = after.buckets.map(({ le, count }) => ({ le, count: count - (before.buckets.find((b) => b.le === le)?.count ?? 0) }));
  const p50 = bucketQuantile(buckets, 0.5);
  const p99 = bucketQuantile(buckets, 0.99);
  const count = after.durationCount - before.durationCount;
  const ms = (seconds: number): number => round(seconds * 1000, 3);
  const saves = after.saves - before.saves;
  return {
    saves,
    savesPerSec: round(saves / windowS, 1),
    failures: after.failures - before.failures,
    latencyMs: { p50: ms(p50.value), p99: ms(p99.value), mean: count > 0 ? ms((after.durationSumS - before.durationSumS) / count) : NaN },
    bucketMs: { p50: ms(p50.bucketLe), p99: ms(p99.bucketLe) },
  };
}

/** What the recordings wrote between two readings `windowS` apart. */
export function recordingWrites(before: SaveCounters, after: SaveCounters, windowS: number): RecordingWrites {
  const batches = after.recordingBatches - before.recordingBatches;
  const events = after.recordedEvents - before.recordedEvents;
  return { batches, batchesPerSec: round(batches / windowS, 1), events, eventsPerSec: round(events / windowS, 1) };
}

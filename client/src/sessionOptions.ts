/**
 * What a session can be told: reconnection and reopening schedules, clock sync, injectable time.
 */
import type { Room } from "colyseus.js";
import { realTimers, type ClockOptions, type Timers } from "./clock";
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_RECONNECT_GRACE_MS,
  DEFAULT_REOPEN_BACKOFF_MS,
  DEFAULT_REOPEN_FOR_MS,
  type ReconnectSchedule,
  type ReopenSchedule,
} from "./reconnectSchedule";
import type { JamState } from "./types";

export interface SessionOptions {
  /**
   * Waits before reconnection attempts, ms; the last repeats. Default 1 s, 2 s, 4 s, 8 s, 16 s.
   */
  backoffMs?: readonly number[];
  /**
   * How long the server keeps a dropped musician (its `RECONNECT_GRACE_S`), ms. Default 30 000.
   * No attempt starts after it; the last one is moved to just before its end.
   */
  reconnectGraceMs?: number;
  /** Clock sync options, or false to not sync the clock. */
  clock?: ClockOptions | false;
  /** Timers and wall clock for reconnection; injectable for tests. */
  timers?: Timers;
  now?: () => number;
  /** How long to wait for a Room's first full state, ms. Default 10 000. */
  syncTimeoutMs?: number;
  /**
   * Opens the session's code again when its room is gone (set by `JamClient` unless its `reopen`
   * option is false); without it, a lost room ends the session.
   */
  reopen?: Reopener;
  /** Waits between reopening attempts, ms; the last repeats. Default 0.5 s, 1 s, 2 s, 4 s. */
  reopenBackoffMs?: readonly number[];
  /** No reopening attempt starts later than this after the room was lost, ms. Default 60 000. */
  reopenForMs?: number;
}

/** Joins `code` again or opens its saved jam, as the musician it was (`JamClient.open`). */
export type Reopener = (code: string, profile: { name: string | undefined; instrument: string | undefined }) => Promise<Room<JamState>>;

/** The options with every default filled in. */
export interface ResolvedSessionOptions {
  reconnect: ReconnectSchedule;
  reopen: Reopener | undefined;
  reopenSchedule: ReopenSchedule;
  clock: ClockOptions | false;
  timers: Timers;
  now: () => number;
  syncTimeoutMs: number;
}

export function resolveSessionOptions(options: SessionOptions): ResolvedSessionOptions {
  const nonEmpty = (waits: readonly number[] | undefined, fallback: readonly number[]) =>
    waits !== undefined && waits.length > 0 ? waits : fallback;
  return {
    reconnect: {
      backoffMs: nonEmpty(options.backoffMs, DEFAULT_BACKOFF_MS),
      graceMs: options.reconnectGraceMs ?? DEFAULT_RECONNECT_GRACE_MS,
    },
    reopen: options.reopen,
    reopenSchedule: {
      backoffMs: nonEmpty(options.reopenBackoffMs, DEFAULT_REOPEN_BACKOFF_MS),
      forMs: options.reopenForMs ?? DEFAULT_REOPEN_FOR_MS,
    },
    clock: options.clock ?? {},
    timers: options.timers ?? realTimers,
    now: options.now ?? Date.now,
    syncTimeoutMs: options.syncTimeoutMs ?? 10_000,
  };
}

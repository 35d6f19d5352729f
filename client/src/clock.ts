/**
 * The server's clock, estimated NTP-style from `ping { t }` messages, each answered with
 * `pong { t, serverTime }`: a quick burst when started (the first estimate one round trip after
 * the join), then one ping a second (four a second for the first minute), a burst again after a
 * stall or on `resync()`. clockFilter.ts turns the samples into the estimate.
 */
import { ClockFilter, offsetOf, type FilterEstimate } from "./clockFilter";
import type { Pong } from "./types";

/** Timer functions, injectable so tests can move time by hand. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A monotonic local clock in ms since epoch (not moved by wall-clock adjustments). */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}

/** How pings leave and pongs come back; a JamSession is one. */
export interface PingChannel {
  /** Sends `ping { t }`; false when it could not be sent (not connected). */
  sendPing(t: number): boolean;
  /** Calls `listener` with every `pong`; returns a function that stops. */
  onPong(listener: (pong: Pong) => void): () => void;
}

export interface ClockOptions {
  /**
   * Pings of a burst (on start, after a stall, on `resync()`). Default 20, the server's `ping`
   * burst (10/s): a late joiner on a 40 ± 10 ms link is within 3 ms a second after its join.
   */
  burst?: number;
  /** Gap between two pings of a burst, ms. Default 20. */
  spacingMs?: number;
  /** Gap between two pings while started, after the first minute (a quarter of it before). Default 1000. */
  intervalMs?: number;
  /** A burst ends this long after its last ping; a ping unanswered this long is forgotten. Default 2000. */
  timeoutMs?: number;
  /** Samples the offset is drawn from, ms. Default 60 000. */
  windowMs?: number;
  /** Samples the skew is drawn from, ms. Default 600 000. */
  skewWindowMs?: number;
  /** Local clock, ms. Default: monotonic (`performance.timeOrigin + performance.now()`). */
  now?: () => number;
  timers?: Timers;
}

export interface ClockEstimate {
  /** Server time minus local time at `at`, ms (it moves on by the skew after). */
  offset: number;
  /** The fastest round trip the estimate draws on, ms. */
  rtt: number;
  /** Samples it draws on. */
  samples: number;
  /** Local time of the estimate. */
  at: number;
  /** How far off the offset may be, ms: the figure an app shows ("in sync ±2 ms"). */
  errorMs: number;
  /** The local clock's rate against the server's, parts per million (positive: the local runs slow). */
  skewPpm: number;
}

/** How good the clock is now, for an app to show. */
export interface SyncQuality {
  /** How far off the server time may be now, ms (the estimate's error, grown with its age). */
  errorMs: number;
  /** The link's fastest round trip, ms. */
  rttMs: number;
  skewPpm: number;
  samples: number;
}

/** A burst in flight: its pings not answered yet. */
interface Burst {
  promise: Promise<ClockEstimate | null>;
  resolve(estimate: ClockEstimate | null): void;
  pings: Set<number>;
  sent: number;
  answered: number;
  handle: unknown;
}

/**
 * Pings at four times the pace after a start or a reset: a minute's worth, until the skew can be
 * measured; until then the estimate rests on recent samples alone and more of them steady it.
 */
const WARM_UP_PINGS = 240;
/** Bursts no closer than this (the server's ping budget refills at 10/s). */
const MIN_BURST_GAP_MS = 2000;

export class ServerClock {
  private readonly burst: number;
  private readonly spacingMs: number;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  readonly now: () => number;
  private readonly timers: Timers;
  private readonly filter: ClockFilter;

  /** Sent pings by their `t`, not answered yet. */
  private readonly outstanding = new Set<number>();
  private running: Burst | null = null;
  private lastBurstAt = Number.NEGATIVE_INFINITY;
  private started = false;
  private paceHandle: unknown = undefined;
  private paceDueAt = 0;
  private warmUpLeft = WARM_UP_PINGS;
  /** The estimate served after a restart dropped the samples, until the first new one. */
  private fallback: FilterEstimate | null = null;
  private lastPingT = Number.NEGATIVE_INFINITY;
  private stopListening: (() => void) | null = null;
  private readonly listeners = new Set<(estimate: ClockEstimate) => void>();

  constructor(
    private readonly channel: PingChannel,
    options: ClockOptions = {},
  ) {
    this.burst = Math.max(1, Math.floor(options.burst ?? 20));
    this.spacingMs = Math.max(0, options.spacingMs ?? 20);
    this.intervalMs = Math.max(1, options.intervalMs ?? 1000);
    this.timeoutMs = Math.max(0, options.timeoutMs ?? 2000);
    this.now = options.now ?? monotonicNow;
    this.timers = options.timers ?? realTimers;
    this.filter = new ClockFilter(options);
  }

  /** True once a pong came back. */
  get synced(): boolean {
    return this.current !== null;
  }

  /** Server time minus local time now, ms (0 until synced). */
  get offset(): number {
    return this.offsetAt(this.now());
  }

  /** The latest estimate, or null before the first. */
  get estimate(): ClockEstimate | null {
    const current = this.current;
    return current === null ? null : toClockEstimate(current);
  }

  /** How good the estimate is now, or null before the first. */
  get quality(): SyncQuality | null {
    const current = this.current;
    if (current === null) return null;
    const errorMs = this.filter.errorAt(current, this.now());
    return { errorMs, rttMs: current.rtt, skewPpm: current.skew * 1e6, samples: current.samples };
  }

  /** The server's time now, ms since epoch (the local time until synced). */
  serverNow(): number {
    return this.toServerTime(this.now());
  }

  /** A local time (of `now()`) → server time. */
  toServerTime(localTime: number): number {
    return localTime + this.offsetAt(localTime);
  }

  /** A server time → local time (of `now()`), e.g. to schedule audio for a step's `at`. */
  toLocalTime(serverTime: number): number {
    return serverTime - this.offsetAt(serverTime - this.offsetAt(this.now()));
  }

  /** Calls `listener` with every new estimate; returns a function that stops. */
  onSync(listener: (estimate: ClockEstimate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first estimate (at once if there is one). */
  ready(): Promise<ClockEstimate> {
    const estimate = this.estimate;
    if (estimate !== null) return Promise.resolve(estimate);
    return new Promise((resolve) => {
      const stop = this.onSync((first) => {
        stop();
        resolve(first);
      });
    });
  }

  /**
   * Syncs now with a burst, then pings at a steady pace until `stop()`. A start after a stop
   * (a reconnection, maybe to another process) begins from new samples; the last estimate is
   * served until the first new one.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    const previous = this.current;
    if (previous !== null) {
      this.fallback = previous;
      this.filter.reset();
    }
    this.listen();
    this.warmUpLeft = WARM_UP_PINGS;
    // Within the server's ping budget: no second burst within 2 s of the last (a quick reconnection).
    if (this.now() - this.lastBurstAt >= MIN_BURST_GAP_MS) void this.sync();
    else this.schedulePace();
  }

  /** Stops pinging and ends a burst in flight; the last estimate stays. */
  stop(): void {
    this.started = false;
    this.clearPace();
    this.endBurst();
    this.unlisten();
  }

  /** After a stall or a resume from the background: a burst now (at most one every 2 s). */
  resync(): void {
    if (this.running === null && this.now() - this.lastBurstAt >= MIN_BURST_GAP_MS) void this.sync();
  }

  /**
   * One burst: resolves with the estimate once its pongs are back (or `timeoutMs` after its last
   * ping), or null when none came back. A burst already running is joined, not doubled.
   */
  sync(): Promise<ClockEstimate | null> {
    if (this.running !== null) return this.running.promise;
    this.lastBurstAt = this.now();
    this.clearPace();
    this.listen();
    let resolve: (estimate: ClockEstimate | null) => void = () => undefined;
    const promise = new Promise<ClockEstimate | null>((r) => (resolve = r));
    const burst: Burst = { promise, resolve, pings: new Set(), sent: 0, answered: 0, handle: undefined };
    this.running = burst;
    this.sendBurstPing(burst);
    return promise;
  }

  private sendBurstPing(burst: Burst): void {
    if (this.running !== burst) return;
    burst.sent++;
    const t = this.ping();
    if (t !== null) burst.pings.add(t);
    if (burst.sent < this.burst) burst.handle = this.timers.setTimeout(() => this.sendBurstPing(burst), this.spacingMs);
    else if (burst.pings.size === 0) this.endBurst();
    else burst.handle = this.timers.setTimeout(() => this.endBurst(), this.timeoutMs);
  }

  private endBurst(): void {
    const burst = this.running;
    if (burst === null) return;
    this.timers.clearTimeout(burst.handle);
    // Done before anyone hears of it, so a caller's own sync() starts a new burst.
    this.running = null;
    if (this.started) this.schedulePace();
    else this.unlisten();
    burst.resolve(burst.answered > 0 ? this.estimate : null);
  }

  private get current(): FilterEstimate | null {
    return this.filter.estimate ?? this.fallback;
  }

  private offsetAt(localTime: number): number {
    return offsetOf(this.current, localTime);
  }

  /** Sends one ping; its `t`, or null when it could not be sent (not connected). */
  private ping(): number | null {
    let t = this.now();
    // Never the same `t` twice, so each pong finds its ping.
    if (t <= this.lastPingT) t = this.lastPingT + 0.001;
    this.lastPingT = t;
    this.forgetOld(t);
    if (!this.channel.sendPing(t)) return null;
    this.outstanding.add(t);
    return t;
  }

  private forgetOld(now: number): void {
    for (const t of this.outstanding) if (t < now - this.timeoutMs) this.outstanding.delete(t);
  }

  private listen(): void {
    this.stopListening ??= this.channel.onPong((pong) => this.onPong(pong));
  }

  private unlisten(): void {
    this.stopListening?.();
    this.stopListening = null;
  }

  private onPong(pong: Pong): void {
    if (!this.outstanding.delete(pong.t)) return;
    const t1 = this.now();
    const stalled = this.current !== null && t1 - pong.t > 3 * this.current.rtt + 100;
    const burst = this.running;
    if (burst?.pings.delete(pong.t)) burst.answered++;
    const { estimate } = this.filter.add({ t0: pong.t, t1, serverTime: pong.serverTime });
    if (estimate !== null) {
      this.fallback = null;
      const published = toClockEstimate(estimate);
      for (const listener of Array.from(this.listeners)) callSafely(listener, published);
    }
    if (burst !== null && burst.sent === this.burst && burst.pings.size === 0) this.endBurst();
    // A pong that waited far longer than the link's round trip came through a stall: a burst
    // refreshes the samples instead of waiting for the steady pace.
    if (stalled && this.started) this.resync();
  }

  /** The steady pace: the next ping after the interval (a quarter of it while warming up). */
  private schedulePace(): void {
    this.clearPace();
    const gap = this.warmUpLeft > 0 ? this.intervalMs / 4 : this.intervalMs;
    this.paceDueAt = this.now() + gap;
    const handle = this.timers.setTimeout(() => {
      this.paceHandle = undefined;
      if (!this.started) return;
      // Timers held back for seconds mean the app was in the background or asleep: burst.
      if (this.now() - this.paceDueAt > MIN_BURST_GAP_MS) return void this.sync();
      if (this.warmUpLeft > 0) this.warmUpLeft--;
      this.ping();
      this.schedulePace();
    }, gap);
    // In Node, a pending ping must not keep the process alive.
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.paceHandle = handle;
  }

  private clearPace(): void {
    if (this.paceHandle === undefined) return;
    this.timers.clearTimeout(this.paceHandle);
    this.paceHandle = undefined;
  }
}

function toClockEstimate(estimate: FilterEstimate): ClockEstimate {
  const { offset, rtt, samples, at, errorMs, skew } = estimate;
  return { offset, rtt, samples, at, errorMs, skewPpm: skew * 1e6 };
}

/** Runs an app's listener; an exception in it surfaces asynchronously instead of breaking the caller. */
export function callSafely<A extends unknown[]>(listener: (...args: A) => void, ...args: A): void {
  try {
    listener(...args);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

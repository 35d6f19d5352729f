/**
 * The server's clock, estimated NTP-style: a burst of `ping { t }` messages, each answered with
 * `pong { t, serverTime }`. A sample's round trip is `t1 - t0` and its offset
 * `serverTime - (t0 + t1) / 2` (exact when the way there and back take as long); the samples with
 * the shortest round trips are the least disturbed by queues, so only those are kept.
 */
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
  /** Pings per burst. Default 8 (the server's `ping` budget is 10/s, burst 20). */
  burst?: number;
  /** Lowest-round-trip samples averaged into the offset. Default 3. */
  keep?: number;
  /** Gap between two pings of a burst, ms. Default 50. */
  spacingMs?: number;
  /** A burst ends this long after its last ping, with the pongs it has. Default 2000. */
  timeoutMs?: number;
  /** Re-sync period while started, ms. Default 30000. */
  resyncMs?: number;
  /** Local clock, ms. Default: monotonic (`performance.timeOrigin + performance.now()`). */
  now?: () => number;
  timers?: Timers;
}

export interface ClockSample {
  /** Round trip, ms. */
  rtt: number;
  /** Server time minus local time, ms. */
  offset: number;
}

export interface ClockEstimate {
  /** Server time minus local time, ms: `serverNow() = now() + offset`. */
  offset: number;
  /** The shortest round trip of the burst, ms; the offset is good to about half of it. */
  rtt: number;
  /** Pongs the burst got back. */
  samples: number;
  /** Local time of the estimate. */
  at: number;
  /** How far off the offset may be, ms: the figure an app shows ("in sync ±2 ms"). */
  errorMs: number;
  /** The local clock's rate against the server's, parts per million (positive: the local runs slow). */
  skewPpm: number;
}

export class ServerClock {
  private readonly burst: number;
  private readonly keep: number;
  private readonly spacingMs: number;
  private readonly timeoutMs: number;
  private readonly resyncMs: number;
  readonly now: () => number;
  private readonly timers: Timers;

  private current: ClockEstimate | null = null;
  private running: Promise<ClockEstimate | null> | null = null;
  private abortBurst: (() => void) | null = null;
  private started = false;
  private resyncHandle: unknown = undefined;
  private lastPingT = -Infinity;
  private burstsFinished = 0;
  private readonly listeners = new Set<(estimate: ClockEstimate) => void>();

  constructor(
    private readonly channel: PingChannel,
    options: ClockOptions = {},
  ) {
    this.burst = Math.max(1, Math.floor(options.burst ?? 8));
    this.keep = Math.max(1, Math.floor(options.keep ?? 3));
    this.spacingMs = Math.max(0, options.spacingMs ?? 50);
    this.timeoutMs = Math.max(0, options.timeoutMs ?? 2000);
    this.resyncMs = Math.max(1, options.resyncMs ?? 30_000);
    this.now = options.now ?? monotonicNow;
    this.timers = options.timers ?? realTimers;
  }

  /** True once a burst got at least one pong back. */
  get synced(): boolean {
    return this.current !== null;
  }

  /** Server time minus local time, ms (0 until synced). */
  get offset(): number {
    return this.current?.offset ?? 0;
  }

  /** The latest estimate, or null before the first. */
  get estimate(): ClockEstimate | null {
    return this.current;
  }

  /** The server's time now, ms since epoch (the local time until synced). */
  serverNow(): number {
    return this.now() + this.offset;
  }

  /** A local time (of `now()`) → server time. */
  toServerTime(localTime: number): number {
    return localTime + this.offset;
  }

  /** A server time → local time (of `now()`), e.g. to schedule audio for a step's `at`. */
  toLocalTime(serverTime: number): number {
    return serverTime - this.offset;
  }

  /** Calls `listener` after every successful burst; returns a function that stops. */
  onSync(listener: (estimate: ClockEstimate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first estimate (at once if there is one). */
  ready(): Promise<ClockEstimate> {
    if (this.current !== null) return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const stop = this.onSync((estimate) => {
        stop();
        resolve(estimate);
      });
    });
  }

  /** Syncs now and then every `resyncMs` until `stop()`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.sync();
  }

  /** Stops re-syncing and ends a burst in flight; the last estimate stays. */
  stop(): void {
    this.started = false;
    this.clearResync();
    this.abortBurst?.();
  }

  /**
   * One burst: resolves with the new estimate, or null when no pong came back (the previous
   * estimate then stays). A burst already running is joined, not doubled.
   */
  sync(): Promise<ClockEstimate | null> {
    if (this.running === null) {
      this.clearResync();
      const finishedBefore = this.burstsFinished;
      const burst = this.runBurst();
      // A burst that could send nothing has finished already: nothing is running then.
      if (this.burstsFinished === finishedBefore) this.running = burst;
      return burst;
    }
    return this.running;
  }

  private runBurst(): Promise<ClockEstimate | null> {
    return new Promise((resolve) => {
      const samples: ClockSample[] = [];
      const outstanding = new Set<number>();
      let sent = 0;
      let handle: unknown;
      let done = false;

      const finish = () => {
        if (done) return;
        done = true;
        stopListening();
        this.timers.clearTimeout(handle);
        this.abortBurst = null;
        this.burstsFinished++;
        // Done before anyone hears of it, so a listener's own sync() starts a new burst.
        this.running = null;
        if (this.started) this.scheduleResync();
        const estimate = this.estimateFrom(samples);
        if (estimate !== null) {
          this.current = estimate;
          for (const listener of Array.from(this.listeners)) callSafely(listener, estimate);
        }
        resolve(estimate);
      };

      const stopListening = this.channel.onPong((pong) => {
        if (done || !outstanding.delete(pong.t)) return;
        const t1 = this.now();
        const rtt = t1 - pong.t;
        if (rtt >= 0) samples.push({ rtt, offset: pong.serverTime - (pong.t + t1) / 2 });
        if (sent === this.burst && outstanding.size === 0) finish();
      });

      const sendNext = () => {
        if (done) return;
        const t = this.pingTime();
        sent++;
        if (this.channel.sendPing(t)) outstanding.add(t);
        if (sent < this.burst) handle = this.timers.setTimeout(sendNext, this.spacingMs);
        else if (outstanding.size === 0) finish();
        else handle = this.timers.setTimeout(finish, this.timeoutMs);
      };

      this.abortBurst = finish;
      sendNext();
    });
  }

  /** The local time to stamp a ping with; never the same twice, so each pong finds its ping. */
  private pingTime(): number {
    let t = this.now();
    if (t <= this.lastPingT) t = this.lastPingT + 0.001;
    this.lastPingT = t;
    return t;
  }

  private estimateFrom(samples: ClockSample[]): ClockEstimate | null {
    if (samples.length === 0) return null;
    const best = [...samples].sort((a, b) => a.rtt - b.rtt).slice(0, this.keep);
    const fastest = best[0];
    if (fastest === undefined) return null;
    const offset = best.reduce((sum, sample) => sum + sample.offset, 0) / best.length;
    return { offset, rtt: fastest.rtt, samples: samples.length, at: this.now(), errorMs: fastest.rtt / 2, skewPpm: 0 };
  }

  private scheduleResync(): void {
    this.clearResync();
    const handle = this.timers.setTimeout(() => {
      this.resyncHandle = undefined;
      if (this.started) void this.sync();
    }, this.resyncMs);
    // In Node, a pending re-sync must not keep the process alive.
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.resyncHandle = handle;
  }

  private clearResync(): void {
    if (this.resyncHandle === undefined) return;
    this.timers.clearTimeout(this.resyncHandle);
    this.resyncHandle = undefined;
  }
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

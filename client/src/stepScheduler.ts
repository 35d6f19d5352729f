/**
 * The lookahead scheduler an app plays the shared sequencer with: every `tickMs` it hands each step
 * starting in the next `lookaheadMs` (server time) to `play`, once, with the instant it starts.
 *
 * How far ahead it commits is bounded by the contract: a tempo change while playing lands on the
 * first step boundary at least `PLAY_LEAD_IN_MS` (default 100) after the server receives it, and a
 * client hears of it one way later. A step committed beyond `nextAt` before the change arrived would
 * play at the old tempo, so `lookaheadMs` + one way + a tick must stay under the lead-in: the default
 * 40 ms with 10 ms ticks covers links up to 50 ms one way at the default lead-in (raise
 * `PLAY_LEAD_IN_MS` on the server for slower links). Web Audio needs only a few ms of lookahead.
 */
import { realTimers, type Timers } from "./clock";
import { upcomingSteps, type ScheduledStep } from "./sequencer";
import type { TransportState } from "./types";

/** What the scheduler reads each tick: the latest synced state and the synced server clock. */
export interface StepSource {
  readonly state: TransportState;
  serverNow(): number;
}

export interface StepSchedulerOptions {
  /** How far ahead steps are committed, ms of server time. Default 40. */
  lookaheadMs?: number;
  /** How often it looks, ms. Default 10. */
  tickMs?: number;
  timers?: Timers;
}

export const DEFAULT_LOOKAHEAD_MS = 40;
export const DEFAULT_SCHEDULER_TICK_MS = 10;

export class StepScheduler {
  private readonly lookaheadMs: number;
  private readonly tickMs: number;
  private readonly timers: Timers;
  /** Server time up to which steps are committed: the next window starts here. */
  private until = Number.NEGATIVE_INFINITY;
  private handle: unknown = undefined;
  private running = false;

  constructor(
    private readonly source: StepSource,
    private readonly play: (step: ScheduledStep) => void,
    options: StepSchedulerOptions = {},
  ) {
    this.lookaheadMs = Math.max(0, options.lookaheadMs ?? DEFAULT_LOOKAHEAD_MS);
    this.tickMs = Math.max(1, options.tickMs ?? DEFAULT_SCHEDULER_TICK_MS);
    this.timers = options.timers ?? realTimers;
  }

  /** Starts looking ahead from now (steps already past are not played). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.until = Number.NEGATIVE_INFINITY;
    this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /**
   * Commits the steps of `[max(committed, now), now + lookahead)`. Windows follow each other, so a
   * step is played once; when the clock estimate moves back, nothing is played twice, and when it
   * moves forward, steps now in the past are skipped rather than played late.
   */
  tick(): void {
    const now = this.source.serverNow();
    const from = Math.max(this.until, now);
    const until = now + this.lookaheadMs;
    if (until > from) {
      this.until = until;
      for (const step of upcomingSteps(this.source.state, from, until)) this.play(step);
    }
    if (this.running) this.handle = this.timers.setTimeout(() => this.tick(), this.tickMs);
  }
}

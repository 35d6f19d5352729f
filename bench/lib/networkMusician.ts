/**
 * One musician of the network scenario, on the client library exactly as an app uses it: a
 * JamClient to its own link's address (matchmaking and the WebSocket both cross the link), the
 * session's own ServerClock (started by the session) on the device's clock, and a StepScheduler
 * with its default options reading the session's state and `serverNow()`.
 *
 * Each step the scheduler commits is recorded with its error: the local instant the musician would
 * play it at (`clock.toLocalTime(step.at)`, on the device's clock) converted to true server time
 * (Date.now()'s scale, read to sub-ms by the bench's WallClock), minus `step.at`.
 */
import { JamClient } from "../../client/src/JamClient";
import type { JamSession } from "../../client/src/JamSession";
import { monotonicNow } from "../../client/src/clock";
import type { ScheduledStep } from "../../client/src/sequencer";
import { StepScheduler } from "../../client/src/stepScheduler";
import { valueWithin } from "../../support/waiting";
import type { CommittedStep, Listening } from "./networkSteps";
import type { WallClock } from "./wallClock";

/** A device's clock: the monotonic clock moved by `offsetMs` and running `skewPpm` fast. */
export interface DeviceClock {
  now: () => number;
  /** Device ms per true ms. */
  rate: number;
  offsetMs: number;
}

export function deviceClock(offsetMs: number, skewPpm: number): DeviceClock {
  const base = monotonicNow();
  const rate = 1 + skewPpm * 1e-6;
  return { now: () => base + offsetMs + (monotonicNow() - base) * rate, rate, offsetMs };
}

export class Musician {
  readonly steps: CommittedStep[] = [];
  /** Pongs received: the pings the clock sent and the server answered. */
  pongs = 0;
  rateLimited = 0;
  readyAt = Number.NaN;
  endedAt = Number.NaN;
  private scheduler: StepScheduler | undefined;

  private constructor(
    readonly session: JamSession,
    private readonly device: DeviceClock,
    private readonly wall: WallClock,
    /** True server time `JamClient.join` resolved. */
    readonly joinedAt: number,
  ) {
    session.on("pong", () => this.pongs++);
    session.on("error", ({ code }) => {
      if (code === "RATE_LIMITED") this.rateLimited++;
    });
  }

  /** Joins jam `code` through `endpoint` (its link) as `name`, its clock on `device`. */
  static async join(endpoint: string, code: string, name: string, device: DeviceClock, wall: WallClock): Promise<Musician> {
    const session = await new JamClient(endpoint, { clock: { now: device.now } }).join(code, { name });
    return new Musician(session, device, wall, wall.now());
  }

  /**
   * Starts the scheduler once the clock has its first estimate (at most `waitMs`): before it, the
   * session's `serverNow()` is the device's own time. Resolves when it started.
   */
  async play(waitMs: number): Promise<void> {
    await valueWithin(this.session.clock.ready(), waitMs, undefined);
    this.readyAt = this.wall.now();
    const session = this.session;
    const source = {
      get state() {
        return session.state;
      },
      serverNow: () => session.serverNow(),
    };
    this.scheduler = new StepScheduler(source, (step) => this.record(step));
    this.scheduler.start();
  }

  async leave(): Promise<void> {
    this.scheduler?.stop();
    this.endedAt = this.wall.now();
    await this.session.leave().catch(() => undefined);
  }

  listening(): Listening {
    return { joinedAt: this.joinedAt, readyAt: this.readyAt, endedAt: this.endedAt, steps: this.steps };
  }

  /** Pings per minute between the join and the leave. */
  pingsPerMin(): number {
    return (this.pongs * 60_000) / Math.max(1, this.endedAt - this.joinedAt);
  }

  private record(step: ScheduledStep): void {
    const deviceNow = this.device.now();
    const trueNow = this.wall.now();
    const local = this.session.clock.toLocalTime(step.at);
    const trueInstant = trueNow + (local - deviceNow) / this.device.rate;
    this.steps.push({
      step: step.step,
      at: step.at,
      tempo: step.tempo,
      committedAt: trueNow,
      errorMs: trueInstant - step.at,
      claimMs: this.session.clock.estimate?.errorMs ?? Number.NaN,
    });
  }
}

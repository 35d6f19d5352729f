/**
 * The soak's infrastructure faults, beside the per-client ones in client.ts:
 * - a Redis restart: the soak's own redis-server is killed and started again empty after
 *   `downS` seconds; then how long until every route, matchmaking and every live room's code
 *   answer again is measured;
 * - slow consumers: connections that never read (but keep answering pings), each in a room of its
 *   own whose host sends it 12 KB signals within the signal budget until the server drops it.
 */
import { Client, type Room } from "colyseus.js";
import { RedisServer } from "../../support/redisServer";
import { connectSeat, neverRead, reserveSeat, type RawConnection } from "../../support/rawSeats";
import { sleep } from "../../support/waiting";

async function answers(url: string, init?: RequestInit): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export interface RedisRestartReport {
  downS: number;
  /** From Redis' return until every probe answered; null when they had not by the deadline. */
  recoveredAfterMs: number | null;
  /** Live room codes that answered `GET /rooms/:code` once recovered, of those probed. */
  codesHeld: number;
  codesProbed: number;
  /** `GET /health` answers while Redis was down, of those tried (one a second). */
  healthAnsweredWhileDown: number;
  healthTriedWhileDown: number;
}

/** The soak's own Redis, to restart in the middle of the run. */
export class SoakRedis {
  private constructor(private readonly server: RedisServer) {}

  static async start(): Promise<SoakRedis> {
    return new SoakRedis(await RedisServer.start());
  }

  get url(): string {
    return this.server.url;
  }

  /**
   * Kills Redis, keeps it down for `downS` seconds, starts it again empty, and measures recovery
   * against `endpoint`: `/health`, `/rooms`, `/metrics`, a create, and `GET /rooms/:code` for each
   * of `codes()` (read when Redis is back: rooms may come and go meanwhile).
   */
  async restart(endpoint: string, downS: number, codes: () => string[], deadlineMs = 60_000): Promise<RedisRestartReport> {
    await this.server.kill();
    let healthAnswered = 0;
    let healthTried = 0;
    const downUntil = Date.now() + downS * 1000;
    while (Date.now() < downUntil) {
      healthTried++;
      if (await answers(`${endpoint}/health`)) healthAnswered++;
      await sleep(Math.max(0, Math.min(1000, downUntil - Date.now())));
    }
    await this.server.restart();
    const back = Date.now();
    const probed = codes();
    let codesHeld = 0;
    let recoveredAfterMs: number | null = null;
    while (Date.now() - back < deadlineMs) {
      const results = await Promise.all(probed.map((code) => answers(`${endpoint}/rooms/${code}`)));
      codesHeld = results.filter(Boolean).length;
      const routes = await Promise.all(
        [`${endpoint}/health`, `${endpoint}/rooms`, `${endpoint}/metrics`, `${endpoint}/ready`].map((url) => answers(url)),
      );
      if (codesHeld === probed.length && routes.every(Boolean) && (await this.canCreate(endpoint))) {
        recoveredAfterMs = Date.now() - back;
        break;
      }
      await sleep(250);
    }
    return {
      downS,
      recoveredAfterMs,
      codesHeld,
      codesProbed: probed.length,
      healthAnsweredWhileDown: healthAnswered,
      healthTriedWhileDown: healthTried,
    };
  }

  private async canCreate(endpoint: string): Promise<boolean> {
    try {
      const room = await new Client(endpoint).create("jam", { name: "Redis probe" });
      await room.leave();
      return true;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    await this.server.kill();
  }
}

export interface SlowConsumerReport {
  started: number;
  /** How many the server dropped (seen by their room's host as `connected: false`). */
  dropped: number;
  /** Milliseconds from the first signal to the drop, per dropped consumer. */
  droppedAfterMs: number[];
  signalsSent: number;
}

interface SlowPair {
  host: Room;
  sloth: RawConnection;
  sessionId: string;
  stopPongs: () => void;
  startedAt: number;
  droppedAfterMs: number | null;
}

/** Connections that stop reading, each fed 12 KB signals by its room's host until it is dropped. */
export class SlowConsumers {
  private readonly pairs: SlowPair[] = [];
  private signalsSent = 0;
  private timer: NodeJS.Timeout | undefined;

  async start(endpoint: string, count: number): Promise<void> {
    const sdk = new Client(endpoint);
    for (let i = 0; i < count; i++) {
      const host = await sdk.create("jam", { name: `Slow host ${i + 1}`, private: true });
      host.onMessage("*", () => undefined);
      const seat = await reserveSeat(endpoint, host.roomId, { name: `Sloth ${i + 1}` });
      const sloth = await connectSeat(endpoint.replace(/^http/, "ws"), seat, { acknowledge: true });
      const stopPongs = neverRead(sloth.ws);
      this.pairs.push({ host, sloth, sessionId: seat.sessionId, stopPongs, startedAt: Date.now(), droppedAfterMs: null });
    }
    const data = "x".repeat(12_000);
    // 45 signals a second per host: inside the contract's signal budget (50/s).
    this.timer = setInterval(() => {
      for (const pair of this.pairs) {
        if (pair.droppedAfterMs !== null) continue;
        const state = pair.host.state as { participants?: Map<string, { connected: boolean }> } | undefined;
        if (state?.participants?.get(pair.sessionId)?.connected === false) {
          pair.droppedAfterMs = Date.now() - pair.startedAt;
          continue;
        }
        for (let i = 0; i < 9; i++) pair.host.send("signal", { to: pair.sessionId, kind: "offer", data });
        this.signalsSent += 9;
      }
    }, 200);
  }

  report(): SlowConsumerReport {
    const dropped = this.pairs.flatMap((pair) => (pair.droppedAfterMs === null ? [] : [pair.droppedAfterMs]));
    return { started: this.pairs.length, dropped: dropped.length, droppedAfterMs: dropped, signalsSent: this.signalsSent };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const pair of this.pairs) {
      pair.stopPongs();
      pair.sloth.ws.terminate();
      await pair.host.leave().catch(() => undefined);
    }
  }
}

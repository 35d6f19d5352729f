/**
 * Every ioredis connection of the process, watched as one service: an outage is logged once when
 * it starts and once when it ends (never per reconnection attempt), its state feeds `/health`, a
 * PING feeds `/ready`, and listeners hear when Redis is back so the process can restore what an
 * empty Redis lost. Listening to `error` also keeps ioredis from printing "Unhandled error event".
 */
import type { Redis, RedisOptions } from "ioredis";
import type { Logger } from "../logger";
import type { DependencyProbe, DependencyState } from "../observability/dependencyStatus";

/**
 * A command waits at most this long, also in ioredis' offline queue while Redis is away: without
 * it, a command sent during an outage waits for 20 reconnection attempts (~10 s), then fails.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** Reconnection attempts back off to once a second: Redis back is Redis used within a second. */
const MAX_RECONNECT_DELAY_MS = 1000;

/** ioredis options for `url` (redis://[user:password@]host[:port][/db], or rediss:// for TLS). */
export function redisOptionsFrom(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1) || "0");
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: Number(parsed.port || "6379"),
    db: Number.isInteger(db) ? db : 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  };
  if (parsed.username !== "") options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== "") options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === "rediss:") options.tls = {};
  return options;
}

interface Watched {
  name: string;
  client: Redis;
}

export class RedisConnections implements DependencyProbe {
  private readonly watched: Watched[] = [];
  private readonly recoveredListeners = new Set<() => void>();
  /** When the outage being logged started; undefined while every connection is ready. */
  private outageSince: number | undefined;
  private lastError: Error | undefined;

  constructor(private readonly logger: Logger) {}

  /** `name` says which connection in the logs (e.g. "presence.pub"). */
  watch(name: string, client: Redis): void {
    this.watched.push({ name, client });
    client.on("error", (error: Error) => {
      this.lastError = error;
      this.update();
    });
    for (const event of ["ready", "close", "end", "reconnecting"]) client.on(event, () => this.update());
  }

  /** Called each time every connection is ready again after an outage (not on the first connect). */
  onRecovered(listener: () => void): () => void {
    this.recoveredListeners.add(listener);
    return () => this.recoveredListeners.delete(listener);
  }

  isReady(): boolean {
    return this.watched.every(({ client }) => client.status === "ready");
  }

  state(): DependencyState {
    return this.isReady() ? "ok" : "down";
  }

  /** A PING on a command connection (a subscriber connection is only checked for being ready). */
  async answers(timeoutMs: number): Promise<boolean> {
    if (!this.isReady()) return false;
    const commander = this.watched.find(({ client }) => client.mode === "normal");
    if (commander === undefined) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const pong = commander.client.ping().then(
      (answer) => answer === "PONG",
      () => false,
    );
    try {
      return await Promise.race([pong, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private update(): void {
    // Our retryStrategy never gives up: an ended connection was closed on purpose (shutdown).
    if (this.watched.some(({ client }) => client.status === "end")) return;
    const ready = this.isReady();
    if (!ready && this.outageSince === undefined && this.hasFailed()) {
      this.outageSince = Date.now();
      const down = this.watched.filter(({ client }) => client.status !== "ready").map(({ name }) => name);
      this.logger.error({ err: this.lastError, connections: down }, "redis unreachable: rooms play on, matchmaking waits for it");
    } else if (ready && this.outageSince !== undefined) {
      const outageMs = Date.now() - this.outageSince;
      this.outageSince = undefined;
      this.lastError = undefined;
      this.logger.info({ outageMs }, "redis reachable again");
      for (const listener of [...this.recoveredListeners]) listener();
    }
  }

  /** A connection that is still making its first attempt is not an outage yet; one that failed is. */
  private hasFailed(): boolean {
    return this.lastError !== undefined || this.watched.some(({ client }) => client.status === "reconnecting" || client.status === "close");
  }
}

/**
 * Works around @colyseus/core 0.16.26 writing to the presence as if Redis never went away:
 *
 * - `Server.gracefullyShutdown` awaits `unregisterNode` (SREM + PUBLISH) before its try block, and
 *   `lockAndDisposeAll` awaits `stats.excludeProcess` (HDEL) before calling any room's
 *   `onBeforeShutdown`. With Redis down those calls wait or throw: clients are never told
 *   `server-restart`, their connections drop (1006) and the process exits by its deadline (1).
 * - `stats.persist` (HSET) and `presence.unsubscribe` are called without being awaited or caught:
 *   a failure is an unhandled rejection, which ends the process.
 *
 * These writes are bookkeeping that Redis restarting empty loses anyway, and what matters of it is
 * written again when Redis is back (src/rooms/redisRecovery.ts). So while a connection is not ready
 * they are skipped at once, and when it is, a failure is logged (debug) instead of thrown.
 *
 * To remove: on a Colyseus whose shutdown survives a presence that throws, and whose stats and
 * dispose paths catch presence errors, construct `RedisPresence` in src/config/scaleOut.ts again and
 * run test/scale/redisOutage.test.ts ("SIGTERM while Redis is down").
 */
import { RedisPresence } from "@colyseus/redis-presence";
import type { Redis, RedisOptions } from "ioredis";
import type { Logger } from "../logger";

type Unsubscribe = RedisPresence["unsubscribe"];

export class ResilientRedisPresence extends RedisPresence {
  constructor(
    options: RedisOptions,
    private readonly logger: Logger,
  ) {
    super(options);
  }

  /** The command connection (also what room codes are claimed through). */
  get pubClient(): Redis {
    return this.pub as Redis;
  }

  /** The subscriber connection. */
  get subClient(): Redis {
    return this.sub as Redis;
  }

  override hset(key: string, field: string, value: string): Promise<boolean> {
    return this.bestEffort(this.pubClient, "hset", false, () => super.hset(key, field, value));
  }

  override hdel(key: string, field: string): Promise<boolean> {
    return this.bestEffort(this.pubClient, "hdel", false, () => super.hdel(key, field));
  }

  override srem(key: string, value: string): Promise<number> {
    return this.bestEffort(this.pubClient, "srem", 0, () => super.srem(key, value));
  }

  override publish(topic: string, data: unknown): Promise<void> {
    return this.bestEffort(this.pubClient, "publish", undefined, () => super.publish(topic, data));
  }

  override unsubscribe(...args: Parameters<Unsubscribe>): Promise<this> {
    // Not skipped: the base class drops the local listeners before it writes to Redis, and a
    // late UNSUBSCRIBE after a reconnection still does its job. Only the failure is kept in.
    return super.unsubscribe(...args).catch((error: unknown) => {
      this.logger.debug({ err: error, command: "unsubscribe" }, "presence write skipped: redis did not answer");
      return this;
    });
  }

  private async bestEffort<T>(client: Redis, command: string, skipped: T, run: () => Promise<T>): Promise<T> {
    if (client.status !== "ready") return skipped;
    try {
      return await run();
    } catch (error) {
      this.logger.debug({ err: error, command }, "presence write skipped: redis did not answer");
      return skipped;
    }
  }
}

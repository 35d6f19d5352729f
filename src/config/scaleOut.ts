/**
 * With `REDIS_URL`, several processes share rooms, room codes and the matchmaker through Colyseus'
 * RedisPresence + RedisDriver (with the workarounds in src/redis/); each process announces the
 * address clients reach it at, and clients connect to `<publicAddress>/<processId>/<roomId>`.
 * Every Redis connection is watched (RedisConnections): outages are logged and reported to
 * `/health` and `/ready`, and when Redis is back this process's rooms are written to it again.
 * Without it: one process, in memory.
 */
import { hostname } from "node:os";
import { matchMaker, type Presence } from "@colyseus/core";
import type { Logger } from "../logger";
import type { DependencyStatus } from "../observability/dependencyStatus";
import { liveCounts } from "../observability/liveCounts";
import { RedisConnections, redisOptionsFrom } from "../redis/redisConnections";
import { ResilientRedisDriver } from "../redis/resilientDriver";
import { ResilientRedisPresence } from "../redis/resilientPresence";
import { restoreRoomsInRedis } from "../rooms/redisRecovery";
import type { Settings } from "./settings";

export interface ScaleOutOptions {
  presence?: Presence;
  driver?: ResilientRedisDriver;
  publicAddress?: string;
  selectProcessIdToCreateRoom?: () => Promise<string>;
}

/**
 * Colyseus workaround: by default a create may be handed over Redis to the least busy process, and
 * a refusal there reaches the client as 4213 with its own code lost (4235 `already open`, 4212
 * `not found`, 4233 …), after a 2 s wait when that process has died. Rooms are created on the
 * process the request reached instead — the load balancer in front spreads creates as it spreads
 * everything else. Remove when a remote create keeps the refusal's code.
 */
const createHere = async (): Promise<string> => matchMaker.processId;

export interface ScaleOut {
  /** For the Colyseus server options. */
  options: ScaleOutOptions;
  /** Every Redis connection of the process; other users of Redis (the HTTP limits) add theirs. */
  redis: RedisConnections | undefined;
}

/** `{port}` in PUBLIC_ADDRESS stands for this process's port (PORT plus the PM2 instance number). */
export function publicAddressOf(settings: Pick<Settings, "publicAddress" | "processPort">): string {
  const template = settings.publicAddress ?? `${hostname()}:{port}`;
  return template.replaceAll("{port}", String(settings.processPort));
}

export function scaleOut(settings: Settings, logger: Logger, status: DependencyStatus): ScaleOut {
  if (settings.redisUrl === undefined) return { options: {}, redis: undefined };
  const options = redisOptionsFrom(settings.redisUrl);
  const presence = new ResilientRedisPresence(options, logger);
  const driver = new ResilientRedisDriver(options, logger);
  const connections = new RedisConnections(logger);
  connections.watch("presence.pub", presence.pubClient);
  connections.watch("presence.sub", presence.subClient);
  connections.watch("driver", driver.client);
  connections.onRecovered(() => void restoreRoomsInRedis(presence, liveCounts.localRooms(), logger));
  status.register("redis", connections);
  return {
    options: { presence, driver, publicAddress: publicAddressOf(settings), selectProcessIdToCreateRoom: createHere },
    redis: connections,
  };
}

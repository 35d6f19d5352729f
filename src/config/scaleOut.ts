/**
 * With `REDIS_URL`, several processes share rooms, room codes and the matchmaker through Colyseus'
 * own RedisPresence + RedisDriver; each process announces the address clients reach it at, and
 * clients connect to `<publicAddress>/<processId>/<roomId>`. Without it: one process, in memory.
 */
import { hostname } from "node:os";
import type { Presence } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import type { Settings } from "./settings";

export interface ScaleOutOptions {
  presence?: Presence;
  driver?: RedisDriver;
  publicAddress?: string;
}

/** `{port}` in PUBLIC_ADDRESS stands for this process's port (PORT plus the PM2 instance number). */
export function publicAddressOf(settings: Pick<Settings, "publicAddress" | "processPort">): string {
  const template = settings.publicAddress ?? `${hostname()}:{port}`;
  return template.replaceAll("{port}", String(settings.processPort));
}

export function scaleOutOptions(settings: Settings): ScaleOutOptions {
  if (settings.redisUrl === undefined) return {};
  return {
    presence: new RedisPresence(settings.redisUrl),
    driver: new RedisDriver(settings.redisUrl),
    publicAddress: publicAddressOf(settings),
  };
}

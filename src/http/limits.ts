/**
 * The HTTP limits that protect everyone (PROTOCOL.md): request body size, and per client address
 * budgets for creating rooms and for joins/code look-ups.
 *
 * Budgets are rate-limiter-flexible limiters: in Redis when REDIS_URL is set, so every process
 * counts against the same budget, in memory otherwise. A Redis outage must not turn matchmaking
 * into errors or hangs: the Redis limiter gets its own connection that fails commands fast (no
 * offline queue, a command timeout) and an in-memory insurance limiter that counts per process
 * until Redis answers again.
 *
 * Windows are fixed (rate-limiter-flexible's): `perMinute` per minute, and when `burst` is higher,
 * an extra `burst - perMinute` once per BURST_WINDOW_S, so a burst does not raise the rate for long.
 */
import type { RequestHandler } from "express";
import { Redis } from "ioredis";
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { HttpRateLimit, HttpRateLimits, Settings } from "../config/settings";
import type { Logger } from "../logger";
import { HttpError } from "../protocol/errors";
import { redisOptionsFrom, type RedisConnections } from "../redis/redisConnections";
import type { ClientAddressOf } from "./clientAddress";
import { sendHttpError } from "./httpErrors";

/** The largest request body any route accepts. */
export const MAX_BODY_BYTES = 16 * 1024;

/** How often the burst above `perMinute` is granted again. */
export const BURST_WINDOW_S = 600;

/** A Redis command slower than this counts in memory instead (the insurance limiter). */
const REDIS_COMMAND_TIMEOUT_MS = 250;

export type Verdict = { allowed: true } | { allowed: false; retryAfterS: number };

export interface RequestLimiter {
  consume(address: string): Promise<Verdict>;
}

export interface HttpLimits {
  /** Matchmaking `create` and `joinOrCreate`. */
  create: RequestLimiter;
  /** Matchmaking `join`/`joinById`, and code look-ups. */
  join: RequestLimiter;
  /** Connects to Redis (when configured); before that, and whenever Redis is away, budgets are counted in memory. */
  start(): void;
  stop(): Promise<void>;
}

export function tooManyRequestsHeaders(retryAfterS: number): Record<string, string> {
  return { "Retry-After": String(retryAfterS) };
}

const allowAll: RequestLimiter = { consume: async () => ({ allowed: true }) };

type StoreOf = (keyPrefix: string, points: number, durationS: number) => RateLimiterAbstract;

function limiterOf(name: string, limit: HttpRateLimit, storeOf: StoreOf, logger: Logger): RequestLimiter {
  if (limit.perMinute === 0) return allowAll;
  const prefix = `jam:http:${name}`;
  let limiter: { consume(key: string): Promise<RateLimiterRes> };
  if (limit.burst > limit.perMinute) {
    limiter = new BurstyRateLimiter(
      storeOf(prefix, limit.perMinute, 60),
      storeOf(`${prefix}:burst`, limit.burst - limit.perMinute, BURST_WINDOW_S),
    );
  } else {
    // A burst below the rate: the same rate over a shorter window, so no more than `burst` at once.
    limiter = storeOf(prefix, limit.burst, Math.max(1, Math.round((60 * limit.burst) / limit.perMinute)));
  }
  return {
    consume: async (address) => {
      try {
        await limiter.consume(address);
        return { allowed: true };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterS: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
        // Neither Redis nor the insurance limiter answered: serve the request rather than fail it.
        logger.warn({ err: refusal, limit: name }, "http rate limit not checked");
        return { allowed: true };
      }
    },
  };
}

/**
 * The limits' own Redis connection: commands fail fast instead of queueing while Redis is away,
 * and the process's Redis watch logs its outages with the others'.
 */
function redisClient(url: string, watch: RedisConnections): Redis {
  const redis = new Redis({
    ...redisOptionsFrom(url),
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  });
  watch.watch("http-limits", redis);
  return redis;
}

export function httpLimits(
  settings: Pick<Settings, "httpRateLimits" | "redisUrl">,
  redisWatch: RedisConnections | undefined,
  logger: Logger,
): HttpLimits {
  const redis = settings.redisUrl === undefined || redisWatch === undefined ? undefined : redisClient(settings.redisUrl, redisWatch);
  const storeOf: StoreOf = (keyPrefix, points, duration) => {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (redis === undefined) return memory;
    return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, rejectIfRedisNotReady: true, insuranceLimiter: memory });
  };
  const limits: HttpRateLimits = settings.httpRateLimits;
  return {
    create: limiterOf("create", limits.create, storeOf, logger),
    join: limiterOf("join", limits.join, storeOf, logger),
    start: () => {
      redis?.connect().catch(() => {
        // Reported by the "error" listener; ioredis keeps reconnecting.
      });
    },
    stop: async () => {
      if (redis === undefined) return;
      redis.disconnect();
    },
  };
}

/** Express middleware: the request counts against `limiter` for its client address; over it, 429. */
export function limitRequests(limiter: RequestLimiter, addressOf: ClientAddressOf): RequestHandler {
  return (req, res, next) => {
    limiter.consume(addressOf(req)).then((verdict) => {
      if (verdict.allowed) next();
      else sendHttpError(res, HttpError.TOO_MANY_REQUESTS, tooManyRequestsHeaders(verdict.retryAfterS));
    }, next);
  };
}

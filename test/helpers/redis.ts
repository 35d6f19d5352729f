/**
 * The Redis the scale-out tests share. A missing Redis fails those suites with a way to start one;
 * only SKIP_REDIS_TESTS=1 turns that into a skip.
 */
import Redis from "ioredis";

/** Redis database the scale-out tests own: flushed before and after them. */
export const TEST_REDIS_DB = 9;
export const TEST_REDIS_URL = `redis://127.0.0.1:6379/${TEST_REDIS_DB}`;

export const SKIP_REDIS_TESTS = process.env.SKIP_REDIS_TESTS === "1";

export const REDIS_MISSING_HINT =
  "These tests need a Redis server on 127.0.0.1:6379. Start one with `redis-server --daemonize yes --port 6379` " +
  "(check it with `redis-cli ping`), or set SKIP_REDIS_TESTS=1 to skip the scale-out tests.";

/**
 * A connection to the test database, or an Error that says why there is none. Fails fast: no
 * reconnection attempts, no offline queue.
 */
export async function connectTestRedis(): Promise<Redis | Error> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket error (ECONNREFUSED…) says more than connect()'s "Connection is closed."; listening
  // also keeps ioredis from printing it as unhandled.
  let socketError: Error | undefined;
  redis.on("error", (error: Error) => (socketError ??= error));
  try {
    await redis.connect();
    const answer = await redis.ping();
    if (answer !== "PONG") throw new Error(`PING answered ${answer}`);
    return redis;
  } catch (error) {
    redis.disconnect();
    const cause = socketError ?? (error instanceof Error ? error : new Error(String(error)));
    return new Error(`Redis at ${TEST_REDIS_URL} does not answer (${cause.message}). ${REDIS_MISSING_HINT}`);
  }
}

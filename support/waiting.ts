/** Waiting with a bound: on a promise, on a condition, or simply for a while. */

export const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

/**
 * Resolves with `promise`'s value, or rejects with `message` after `timeoutMs`. For awaiting an
 * event with a bound (an exit, a close) without leaving a test hanging until mocha's timeout.
 */
export function within<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  return new Promise((resolveValue, reject) => {
    const timer = setTimeout(() => reject(new Error(`${message} (not within ${timeoutMs} ms)`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolveValue(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Resolves with `promise`'s value, or with `fallback` when it rejects or takes longer than
 * `timeoutMs`: for load tools that must carry on whatever one connection does.
 */
export function valueWithin<T>(promise: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  return new Promise((resolveValue) => {
    const timer = setTimeout(() => resolveValue(fallback), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolveValue(value);
      },
      () => {
        clearTimeout(timer);
        resolveValue(fallback);
      },
    );
  });
}

/**
 * Re-checks `condition` until it holds (resolves with its value) or `timeoutMs` passes. Only for
 * state that announces no event the test can subscribe to — a key deleted in Redis, a listing
 * removed from the shared driver — and always with a bound.
 */
export async function eventually<T>(
  condition: () => Promise<T | undefined | false>,
  timeoutMs: number,
  message: string,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`${message} (not within ${timeoutMs} ms)`);
    await sleep(intervalMs);
  }
}

/** One client's message budgets: a token bucket per kind of message, made on first use. */
import { TokenBucket, type BucketSpec } from "./tokenBucket";

/** At most one RATE_LIMITED notice a second, however hard a client floods. */
export const RATE_NOTICE_INTERVAL_MS = 1000;

export type Admission = "accept" | "drop" | "drop-and-notify";

export class ClientLimiter<Category extends string> {
  private readonly buckets = new Map<Category, TokenBucket>();
  private lastNoticeAt = -Infinity;

  constructor(private readonly specs: Readonly<Record<Category, BucketSpec>>) {}

  admit(category: Category, now: number): Admission {
    let bucket = this.buckets.get(category);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.specs[category], now);
      this.buckets.set(category, bucket);
    }
    if (bucket.take(now)) return "accept";
    if (now - this.lastNoticeAt < RATE_NOTICE_INTERVAL_MS) return "drop";
    this.lastNoticeAt = now;
    return "drop-and-notify";
  }
}

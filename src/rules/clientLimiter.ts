/** One client's message budgets: a token bucket and a flood watch per kind of message, made on first use. */
import { DEFAULT_FLOOD_POLICY, FloodWatch, type FloodPolicy } from "./floodWatch";
import { TokenBucket, type BucketSpec } from "./tokenBucket";

/** At most one RATE_LIMITED notice a second, however hard a client floods. */
export const RATE_NOTICE_INTERVAL_MS = 1000;

/** "disconnect": the client has flooded far above this budget for too long. */
export type Admission = "accept" | "drop" | "drop-and-notify" | "disconnect";

interface Budget {
  bucket: TokenBucket;
  flood: FloodWatch;
}

export class ClientLimiter<Category extends string> {
  private readonly budgets = new Map<Category, Budget>();
  private lastNoticeAt = -Infinity;

  constructor(
    private readonly specs: Readonly<Record<Category, BucketSpec>>,
    private readonly floodPolicy: FloodPolicy = DEFAULT_FLOOD_POLICY,
  ) {}

  admit(category: Category, now: number): Admission {
    const { bucket, flood } = this.budgetFor(category, now);
    if (flood.count(now)) return "disconnect";
    if (bucket.take(now)) return "accept";
    if (now - this.lastNoticeAt < RATE_NOTICE_INTERVAL_MS) return "drop";
    this.lastNoticeAt = now;
    return "drop-and-notify";
  }

  private budgetFor(category: Category, now: number): Budget {
    let budget = this.budgets.get(category);
    if (budget === undefined) {
      const spec = this.specs[category];
      budget = {
        bucket: new TokenBucket(spec, now),
        flood: new FloodWatch(spec.ratePerS * this.floodPolicy.factor, this.floodPolicy.seconds, now),
      };
      this.budgets.set(category, budget);
    }
    return budget;
  }
}

/**
 * A token bucket: `ratePerS` tokens a second, holding at most `burst`. Hand-written rather than a
 * library because it sits on the note hot path: no promises, no timers, two numbers per bucket.
 */
export interface BucketSpec {
  ratePerS: number;
  burst: number;
}

export class TokenBucket {
  private tokens: number;

  constructor(
    private readonly spec: BucketSpec,
    private last: number,
  ) {
    this.tokens = spec.burst;
  }

  /** Takes one token at time `now` (ms); false when the bucket is empty. */
  take(now: number): boolean {
    // A clock that steps back (an NTP correction) refills nothing and is not credited twice later.
    const elapsedS = Math.max(0, now - this.last) / 1000;
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.spec.burst, this.tokens + elapsedS * this.spec.ratePerS);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

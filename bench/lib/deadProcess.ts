/**
 * What a process killed without warning leaves in a shared Redis, and when it goes: its rooms'
 * listings in Colyseus' driver (the `roomcaches` hash; removed when another process's health check
 * finds it dead, or when a code look-up finds a listing without a claim) and its rooms' code
 * claims (`jam:code:<code>`, which expire CODE_CLAIM_TTL_S after their last refresh).
 */
import type Redis from "ioredis";
import { CODE_KEY_PREFIX } from "../../src/rooms/roomCodes";
import { round } from "./stats";

/** Colyseus' RedisDriver keeps every room listing as JSON in this hash, keyed by room id. */
const ROOM_LISTINGS_KEY = "roomcaches";
const POLL_MS = 100;

interface Listing {
  processId?: unknown;
  publicAddress?: unknown;
  roomId?: unknown;
}

export interface DeadProcessTimes {
  /** Seconds from the kill until none of its listings was left. */
  listingsGoneS?: number;
  /** Seconds from the kill until the first and the last of its claims no longer held its owner token. */
  claimsGoneS?: { first: number; last: number };
}

export class DeadProcessWatch {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly times: DeadProcessTimes = {};
  private readonly claimGoneAt: number[] = [];

  private constructor(
    private readonly redis: Redis,
    readonly processId: string,
    /** code → the owner token its claim held before the kill. */
    private readonly claims: Map<string, string>,
  ) {}

  /** Before the kill: the process listening on `port`, its rooms and their claims. */
  static async of(redis: Redis, port: number): Promise<DeadProcessWatch> {
    const listings = Object.values(await redis.hgetall(ROOM_LISTINGS_KEY)).map((text) => JSON.parse(text) as Listing);
    const own = listings.filter((l) => typeof l.publicAddress === "string" && l.publicAddress.endsWith(`:${port}`));
    const processId = own[0]?.processId;
    if (typeof processId !== "string") throw new Error(`no room listed for the process on port ${port}`);
    const claims = new Map<string, string>();
    for (const listing of own) {
      const code = String(listing.roomId);
      const owner = await redis.get(CODE_KEY_PREFIX + code);
      if (owner !== null) claims.set(code, owner);
    }
    return new DeadProcessWatch(redis, processId, claims);
  }

  /** Its rooms' claims still holding the token they held before the kill (all of them, before it). */
  get claimsHeld(): number {
    return this.claims.size;
  }

  /** Starts polling Redis (every 100 ms) from the kill at `killAt` (Date.now()). */
  start(killAt: number): void {
    const since = (): number => round((Date.now() - killAt) / 1000, 2);
    const poll = async (): Promise<void> => {
      if (this.times.listingsGoneS === undefined) {
        const listings = Object.values(await this.redis.hgetall(ROOM_LISTINGS_KEY));
        if (!listings.some((text) => (JSON.parse(text) as Listing).processId === this.processId)) this.times.listingsGoneS = since();
      }
      for (const [code, owner] of [...this.claims]) {
        if ((await this.redis.get(CODE_KEY_PREFIX + code)) === owner) continue;
        this.claims.delete(code);
        this.claimGoneAt.push(since());
      }
    };
    const tick = (): void => {
      this.timer = setTimeout(() => {
        void poll()
          .catch(() => undefined)
          .then(() => {
            if (!this.stopped && !this.done) tick();
          });
      }, POLL_MS);
    };
    tick();
  }

  private get done(): boolean {
    return this.times.listingsGoneS !== undefined && this.claims.size === 0;
  }

  stop(): DeadProcessTimes {
    this.stopped = true;
    clearTimeout(this.timer);
    const [first, last] = [this.claimGoneAt[0], this.claimGoneAt[this.claimGoneAt.length - 1]];
    if (first !== undefined && last !== undefined && this.claims.size === 0) this.times.claimsGoneS = { first, last };
    return { ...this.times };
  }
}

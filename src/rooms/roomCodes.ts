/**
 * Room codes are claimed in the presence, so they are unique among the live rooms of every process
 * sharing it (RedisPresence) or of this one (LocalPresence). Over Redis a claim is one atomic
 * `SET key owner NX EX ttl`, where `owner` is a token only this claim knows; it expires unless its
 * room refreshes it, so a process that dies frees its codes. The refresh re-creates a claim that
 * Redis lost (restarted empty) unless another room took the code meanwhile. In memory
 * (LocalPresence), `incr(key) === 1` claims and nothing expires.
 *
 * A saved jam's code held by a process that died is taken over before its claim expires (see
 * `takeOver`): musicians reopening a jam after a crash need not wait out the TTL.
 */
import { randomBytes } from "node:crypto";
import { LocalPresence, matchMaker, type Presence } from "@colyseus/core";
import { RedisPresence } from "@colyseus/redis-presence";
import type { Redis } from "ioredis";
import { generateRoomCode } from "../rules/roomCode";

export const CODE_KEY_PREFIX = "jam:code:";
export const CODE_CLAIM_TTL_S = 15;
/** Three refreshes per TTL, so one late refresh never lets a live room's code expire. */
export const CODE_REFRESH_MS = 5_000;
const CLAIM_ATTEMPTS = 32;

/** Sets the claim (again) when it is missing or still ours; 0 when another owner holds it. */
const REFRESH_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0`;

/**
 * Takes a claim over from `ARGV[1]` (its holder, read before) when it is gone or its holder missed
 * its refreshes: its remaining TTL is at most ARGV[4]. A live holder refreshes every
 * CODE_REFRESH_MS, so its TTL never falls that low.
 */
const TAKE_OVER_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder ~= false and holder ~= ARGV[1] then return 0 end
if holder ~= false and redis.call('TTL', KEYS[1]) > tonumber(ARGV[4]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;
/** A claim whose holder has missed at least one refresh by 2 s or more. */
const STALE_TTL_S = CODE_CLAIM_TTL_S - CODE_REFRESH_MS / 1000 - 2;

/** Deletes the claim only if it is ours: a code lost to another room stays with that room. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const keyOf = (code: string) => CODE_KEY_PREFIX + code;

/** The owner token of each code claimed through Redis by this process. */
const owners = new Map<string, string>();

/**
 * The command connection of a RedisPresence: claims need SET NX EX and scripts, which the Presence
 * interface does not offer. (`pub` is protected in RedisPresence 0.16.)
 */
function redisOf(presence: Presence): Redis | undefined {
  return presence instanceof RedisPresence ? (presence as unknown as { pub: Redis }).pub : undefined;
}

/** Claims `code` with one atomic operation; false when a live room holds it already. */
async function claimOnce(presence: Presence, code: string): Promise<boolean> {
  const redis = redisOf(presence);
  if (redis === undefined) return (await presence.incr(keyOf(code))) === 1;
  const owner = newOwner();
  if ((await redis.set(keyOf(code), owner, "EX", CODE_CLAIM_TTL_S, "NX")) !== "OK") return false;
  owners.set(code, owner);
  return true;
}

/** An owner token names its process, so others can tell when the holder of a code has died. */
function newOwner(): string {
  return `${matchMaker.processId}.${randomBytes(12).toString("base64url")}`;
}

/**
 * Takes `code` over from a holder that died (SIGKILL, a crash): its process no longer listens on
 * its Colyseus process channel and it has missed a refresh. Both, so that a live process whose
 * subscriber connection blipped keeps its codes. False when the holder lives.
 */
async function takeOver(presence: Presence, code: string): Promise<boolean> {
  const redis = redisOf(presence);
  if (redis === undefined) return false;
  const holder = await redis.get(keyOf(code));
  const processId = holder?.split(".")[0];
  if (holder !== null && (processId === undefined || (await redis.pubsub("CHANNELS", `p:${processId}`)).length > 0)) return false;
  const owner = newOwner();
  const taken = await redis.eval(TAKE_OVER_SCRIPT, 1, keyOf(code), holder ?? "", owner, String(CODE_CLAIM_TTL_S), String(STALE_TTL_S));
  if (taken !== 1) return false;
  owners.set(code, owner);
  return true;
}

/**
 * A free code, now claimed by the caller; null when every attempt met a taken code. `isTaken` is
 * asked after the claim (so no other room can take the code meanwhile): a code it names is
 * released and another drawn — saved jams keep their codes while no room is open.
 */
export async function claimRoomCode(
  presence: Presence,
  generate: () => string = generateRoomCode,
  isTaken: (code: string) => Promise<boolean> = async () => false,
): Promise<string | null> {
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const code = generate();
    if (!(await claimOnce(presence, code))) continue;
    if (!(await isTaken(code))) return code;
    await releaseRoomCode(presence, code);
  }
  return null;
}

/**
 * Only a shared presence needs the expiry: in-process codes die with their process. (LocalPresence
 * expires keys with a timer that `del` does not clear, which would outlive the room.)
 */
export function claimsExpire(presence: Presence): boolean {
  return !(presence instanceof LocalPresence);
}

/**
 * Extends the claim, re-creating it if Redis lost it. Rejects when another room holds the code now
 * (it claimed the code while Redis had forgotten ours) or when this process never claimed it.
 * Skipped while Redis is away: the claim is restored the moment it is back (redisRecovery.ts), and
 * a refresh that can only time out would log every 5 s for every room.
 */
export async function refreshRoomCode(presence: Presence, code: string): Promise<void> {
  const redis = redisOf(presence);
  if (redis === undefined || redis.status !== "ready") return;
  const owner = owners.get(code);
  if (owner === undefined) throw new Error(`room code ${code} was not claimed by this process`);
  const held = await redis.eval(REFRESH_SCRIPT, 1, keyOf(code), owner, String(CODE_CLAIM_TTL_S));
  if (held !== 1) throw new Error(`room code ${code} is held by another room`);
}

/** Whether a live room still holds `code`: a listing whose claim expired belongs to a dead process. */
export async function isRoomCodeClaimed(presence: Presence, code: string): Promise<boolean> {
  const value: unknown = await Promise.resolve(presence.get(keyOf(code)));
  return value !== null && value !== undefined;
}

// LocalPresence answers `del` with undefined instead of a promise: Promise.resolve covers both.
export async function releaseRoomCode(presence: Presence, code: string): Promise<void> {
  const redis = redisOf(presence);
  const owner = owners.get(code);
  owners.delete(code);
  if (redis === undefined || owner === undefined) await Promise.resolve(presence.del(keyOf(code)));
  else await redis.eval(RELEASE_SCRIPT, 1, keyOf(code), owner);
}

/** A room's hold on its code, from its claim to its release. */
export class CodeClaim {
  private constructor(
    private readonly presence: Presence,
    readonly code: string,
  ) {}

  /** Claims a free code (one `isTaken` does not name); null when none could be had. */
  static async take(presence: Presence, isTaken?: (code: string) => Promise<boolean>): Promise<CodeClaim | null> {
    const code = await claimRoomCode(presence, generateRoomCode, isTaken);
    return code === null ? null : new CodeClaim(presence, code);
  }

  /**
   * Claims this very code (a saved jam's), atomically as new codes are, or takes it over from a
   * process that died holding it; null when a live room holds it.
   */
  static async takeCode(presence: Presence, code: string): Promise<CodeClaim | null> {
    return (await claimOnce(presence, code)) || (await takeOver(presence, code)) ? new CodeClaim(presence, code) : null;
  }

  /** Refreshes the claim every CODE_REFRESH_MS on `setInterval` (the room's clock) where claims expire. */
  keepAlive(setInterval: (callback: () => void, ms: number) => unknown, onError: (error: unknown) => void): void {
    if (!claimsExpire(this.presence)) return;
    setInterval(() => void refreshRoomCode(this.presence, this.code).catch(onError), CODE_REFRESH_MS);
  }

  release(): Promise<void> {
    return releaseRoomCode(this.presence, this.code);
  }
}

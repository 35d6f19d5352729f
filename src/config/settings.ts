/**
 * Everything a deployment can set, read once from the environment and validated: a bad value stops
 * the process with the variable's name and the rule it broke.
 */
import { z } from "zod";
import { MAX_LISTENERS_LIMIT, MAX_PARTICIPANTS_LIMIT, MIN_PARTICIPANTS } from "../protocol/limits";
import type { BucketSpec } from "../rules/tokenBucket";
import { DEFAULT_FLOOD_POLICY, type FloodPolicy } from "../rules/floodWatch";
import { DEFAULT_RATE_LIMITS, RATE_CATEGORIES, type RateCategory } from "./rateLimits";

/** The contract's 10 s; a setting only so tests need not wait that long. */
export const JOIN_DEADLINE_MS = 10_000;

export interface HttpRateLimit {
  perMinute: number;
  burst: number;
}

export interface HttpRateLimits {
  create: HttpRateLimit;
  join: HttpRateLimit;
}

export const DEFAULT_HTTP_RATE_LIMITS: HttpRateLimits = {
  create: { perMinute: 10, burst: 20 },
  join: { perMinute: 120, burst: 120 },
};

export interface Settings {
  port: number;
  /** The port this process listens on: `PORT` plus PM2's `NODE_APP_INSTANCE`, as @colyseus/tools does. */
  processPort: number;
  /** Default `maxParticipants` of a new room. */
  maxParticipants: number;
  /** Listeners a room takes besides its musicians; 0 turns listening off. */
  maxListeners: number;
  maxTracks: number;
  reconnectGraceS: number;
  playLeadInMs: number;
  maxPayloadBytes: number;
  logLevel: string;
  redisUrl: string | undefined;
  publicAddress: string | undefined;
  /** How long rooms keep playing after a shutdown notice before they close. */
  shutdownDrainMs: number;
  monitorUser: string;
  /** Unset: the monitor is not mounted. */
  monitorPassword: string | undefined;
  /** Unset: any origin may call the HTTP routes and matchmaking. */
  corsOrigins: string[] | undefined;
  /** Set: creating and joining need `options.token`, an HS256 JWT signed with it. */
  jwtSecret: string | undefined;
  rateLimits: Record<RateCategory, BucketSpec>;
  /** When a client flooding over its rate limits is disconnected. */
  floodPolicy: FloodPolicy;
  /** The longest a join token may be valid for (`exp` minus its issue time, or minus now). */
  jwtMaxAgeS: number;
  /** A connection holding more unread outgoing data than this is closed (its participant dropped). */
  maxBufferedBytes: number;
  /**
   * How often every connection is sent a WebSocket ping; one left unanswered until the next closes
   * it, so a vanished client is noticed within two intervals. 0: no pings.
   */
  pingIntervalMs: number;
  /** A connection that has not finished joining this long after its seat was reserved is closed. */
  joinDeadlineMs: number;
  /** Per client address: creating rooms, and joins/code look-ups. `perMinute` 0 turns a limit off. */
  httpRateLimits: HttpRateLimits;
  /** Express' `trust proxy` value; undefined trusts no proxy. */
  trustProxy: boolean | number | string | undefined;
  /** Saved jams live in this PostgreSQL database; unset: an embedded database under `dataDir`. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database; `:memory:` keeps nothing on disk. */
  dataDir: string;
  /** Every change to a jam is saved within this long. */
  saveDelayMs: number;
  /** A jam saved while playing and opened again within this long of its last save is still playing. */
  resumeWindowS: number;
  /** A saved jam neither opened nor changed for this long is deleted; 0 = never. */
  jamTtlDays: number;
  /** How often a version is kept while anything changed since the last one. */
  versionEveryS: number;
  /** The newest this many versions of a jam are kept. */
  maxVersions: number;
  /** A recording stops by itself after this long. */
  maxRecordingMin: number;
  /** Server time in ms since epoch; replaced by a controllable clock in tests. */
  now: () => number;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

const bucketSpec = z.object({ ratePerS: z.number().positive(), burst: z.number().min(1) }).strict();
const rateLimitOverrides = z.partialRecord(z.enum(RATE_CATEGORIES), bucketSpec);

/** JSON text → value; text that is not JSON is kept so the schema reports it as the wrong type. */
function parseJsonOrKeep(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const httpRateLimit = z.object({ perMinute: z.int().min(0).max(1_000_000), burst: z.int().min(1).max(1_000_000).optional() }).strict();
const httpRateLimitOverrides = z.object({ create: httpRateLimit.optional(), join: httpRateLimit.optional() }).strict();

/** `{"perMinute":N}` alone bursts as much as it allows a minute. */
function httpLimitOf(given: { perMinute: number; burst?: number | undefined } | undefined, fallback: HttpRateLimit): HttpRateLimit {
  if (given === undefined) return fallback;
  return { perMinute: given.perMinute, burst: given.burst ?? Math.max(1, given.perMinute) };
}

/**
 * Express' `trust proxy` values: true/false, a hop count, or addresses/subnets/names such as
 * `loopback` (comma-separated).
 */
function trustProxyOf(value: string | undefined): boolean | number | string | undefined {
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(2567),
  MAX_PARTICIPANTS: z.coerce.number().int().min(MIN_PARTICIPANTS).max(MAX_PARTICIPANTS_LIMIT).default(10),
  MAX_LISTENERS: z.coerce.number().int().min(0).max(MAX_LISTENERS_LIMIT).default(50),
  MAX_TRACKS: z.coerce.number().int().min(1).max(64).default(16),
  RECONNECT_GRACE_S: z.coerce.number().min(0).max(3600).default(30),
  PLAY_LEAD_IN_MS: z.coerce.number().int().min(0).max(5000).default(100),
  MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(16 * 1024),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  REDIS_URL: optionalText,
  PUBLIC_ADDRESS: optionalText,
  NODE_APP_INSTANCE: z.coerce.number().int().min(0).default(0),
  // JSON overrides of the per-client budgets, e.g. {"note":{"ratePerS":100,"burst":200}}.
  RATE_LIMITS: optionalText.transform(parseJsonOrKeep).pipe(rateLimitOverrides.optional()),
  FLOOD_FACTOR: z.coerce.number().min(2).max(1000).default(DEFAULT_FLOOD_POLICY.factor),
  FLOOD_SECONDS: z.coerce.number().int().min(1).max(600).default(DEFAULT_FLOOD_POLICY.seconds),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  MONITOR_USER: z.string().trim().min(1).default("admin"),
  CORS_ORIGINS: optionalText
    .transform((value) =>
      value
        ?.split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.url({ protocol: /^https?$/, message: "must be a comma-separated list of http(s) origins such as https://jam.example.com" }),
        )
        .optional(),
    ),
  // Secrets are taken as given (spaces at either end may be part of them); a blank one is unset.
  MONITOR_PASSWORD: z
    .string()
    .optional()
    .transform((value) => (value?.trim() === "" ? undefined : value)),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters (256 bits for HS256)").optional(),
  JWT_MAX_AGE_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(365 * 86400)
    .default(86400),
  MAX_BUFFERED_KB: z.coerce
    .number()
    .int()
    .min(16)
    .max(1024 * 1024)
    .default(1024),
  PING_INTERVAL_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || (ms >= 1000 && ms <= 60_000), "0 (no pings) or 1000 to 60000")
    .default(4500),
  // e.g. {"create":{"perMinute":10,"burst":20},"join":{"perMinute":120,"burst":120}}
  HTTP_RATE_LIMITS: optionalText.transform(parseJsonOrKeep).pipe(httpRateLimitOverrides.optional()),
  TRUST_PROXY: optionalText,
  DATABASE_URL: optionalText.pipe(
    z.url({ protocol: /^postgres(ql)?$/, message: "must be a PostgreSQL URL such as postgres://user:password@host:5432/jams" }).optional(),
  ),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  // At most 1000: the contract promises a crash loses no more than a second of changes.
  SAVE_DELAY_MS: z.coerce.number().int().min(0).max(1000).default(250),
  RESUME_WINDOW_S: z.coerce.number().min(0).max(86400).default(60),
  JAM_TTL_DAYS: z.coerce.number().int().min(0).max(36500).default(30),
  VERSION_EVERY_S: z.coerce.number().int().min(1).max(86400).default(300),
  MAX_VERSIONS: z.coerce.number().int().min(1).max(1000).default(50),
  MAX_RECORDING_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
});

/** Every variable this module reads: tools that start a server scrub these from the environment they pass on. */
export const SETTINGS_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // A variable set to an empty string counts as not set, as in most shells' `VAR= command`.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = envSchema.safeParse(given);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join("; ")}`);
  }
  const e = result.data;
  // Processes sharing rooms through Redis open each other's jams: an embedded store lives on one
  // machine, so only a shared database keeps what one process saved visible to the others.
  if (e.REDIS_URL !== undefined && e.DATABASE_URL === undefined) {
    throw new ConfigError(
      "REDIS_URL is set but DATABASE_URL is not: processes that share rooms through Redis must share saved jams too; " +
        "set DATABASE_URL (postgres://…) on every process, or unset REDIS_URL to run one process with the embedded store",
    );
  }
  return {
    port: e.PORT,
    processPort: e.PORT + e.NODE_APP_INSTANCE,
    maxParticipants: e.MAX_PARTICIPANTS,
    maxListeners: e.MAX_LISTENERS,
    maxTracks: e.MAX_TRACKS,
    reconnectGraceS: e.RECONNECT_GRACE_S,
    playLeadInMs: e.PLAY_LEAD_IN_MS,
    maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    publicAddress: e.PUBLIC_ADDRESS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    monitorUser: e.MONITOR_USER,
    monitorPassword: e.MONITOR_PASSWORD,
    corsOrigins: e.CORS_ORIGINS,
    jwtSecret: e.JWT_SECRET,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...e.RATE_LIMITS },
    floodPolicy: { factor: e.FLOOD_FACTOR, seconds: e.FLOOD_SECONDS },
    jwtMaxAgeS: e.JWT_MAX_AGE_S,
    maxBufferedBytes: e.MAX_BUFFERED_KB * 1024,
    pingIntervalMs: e.PING_INTERVAL_MS,
    joinDeadlineMs: JOIN_DEADLINE_MS,
    httpRateLimits: {
      create: httpLimitOf(e.HTTP_RATE_LIMITS?.create, DEFAULT_HTTP_RATE_LIMITS.create),
      join: httpLimitOf(e.HTTP_RATE_LIMITS?.join, DEFAULT_HTTP_RATE_LIMITS.join),
    },
    trustProxy: trustProxyOf(e.TRUST_PROXY),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    saveDelayMs: e.SAVE_DELAY_MS,
    resumeWindowS: e.RESUME_WINDOW_S,
    jamTtlDays: e.JAM_TTL_DAYS,
    versionEveryS: e.VERSION_EVERY_S,
    maxVersions: e.MAX_VERSIONS,
    maxRecordingMin: e.MAX_RECORDING_MIN,
    now: Date.now,
  };
}

/** For the process entry point: a bad environment ends the process with the reason, not a stack. */
export function loadSettingsOrExit(env: NodeJS.ProcessEnv = process.env): Settings {
  try {
    return loadSettings(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`jam-server: ${error.message}\n`);
    process.exit(1);
  }
}

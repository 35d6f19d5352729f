/**
 * Soak test: many jam rooms full of colyseus.js clients playing for minutes on end, with abrupt
 * drops and reconnections, short note floods and malformed payloads mixed in, against one server
 * process on this machine.
 *
 *   npm run soak -- --rooms 50 --per-room 10 --minutes 10 [--note-rate 4] [--port 2567]
 *   npm run soak -- --endpoint http://127.0.0.1:2567 ...      (a server that is already running)
 *
 * Without `--endpoint` it starts `node build/index.js` itself (building first when build/ is
 * missing or older than src/) with LOG_LEVEL=warn, and stops it at the end. That server runs on a
 * redis-server of the soak's own, which is killed halfway through and started again empty
 * `--redis-down` seconds later (0: no Redis); the soak reports how long until every route,
 * matchmaking and every room's code answered again. `--slow-consumers` connections stop reading
 * (but keep answering pings), each fed 12 KB signals by its room's host; the server must drop them.
 *
 * Note accounting. Every ordinary note carries its sender's `seq` (1, 2, 3 … over the sender's
 * whole life, across reconnections). A receiver must get every ordinary note a roommate sent while
 * both were connected:
 *  - when a receiver (re)connects it notes each roommate's current seq (its floor): everything sent
 *    after that must reach it (the server adds a client to the room before it tells it it joined);
 *  - a gap in a sender's seqs is a lost note unless the sender dropped while that note may still
 *    have been unread by the server (after the last seq the server confirmed with a pong; pongs
 *    are answered in order) — those are counted as "excused";
 *  - at the end everyone stops, two rounds of ping barriers flush every socket, and each receiver's
 *    last seq per roommate is compared with what that roommate sent (the tail).
 * Ordinary notes stay far below the note budget; a flooding client pauses its ordinary notes until
 * the server has consumed the flood and its bucket has refilled, and flood notes carry no seq.
 *
 * Output: a start line, a progress line every minute, an end line, then `SUMMARY {json}`.
 * Exit code: 0, or 2 when the server crashed / stopped answering, 1 when the soak could not start.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Client, type Room } from "colyseus.js";
import { serverNodeArgs } from "../bench/lib/launch";
import { SlowConsumers, SoakRedis, type RedisRestartReport } from "./soakFaults";

// ─── options ──────────────────────────────────────────────────────────────────────────────────────

interface SoakOptions {
  rooms: number;
  perRoom: number;
  minutes: number;
  noteRate: number;
  endpoint: string | undefined;
  port: number;
  /** Mean seconds between abrupt drops, per client. */
  dropEveryS: number;
  /** Mean seconds between floods, per client. */
  floodEveryS: number;
  floodNotes: number;
  /** Mean seconds between malformed payloads, per client. */
  badEveryS: number;
  /** Seconds Redis stays down in the middle of the run (the soak's own Redis); 0: no Redis at all. */
  redisDownS: number;
  /** Connections that never read, each in a room of its own. */
  slowConsumers: number;
  seed: number;
}

const USAGE = `usage: npm run soak -- [--rooms N=50] [--per-room K=10] [--minutes M=10] [--note-rate R=4]
       [--endpoint http://127.0.0.1:PORT] [--port P=2567] [--drop-every S=300] [--flood-every S=600]
       [--flood-notes N=300] [--bad-every S=30] [--redis-down S=10] [--slow-consumers N=2] [--seed N]`;

function parseOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      rooms: { type: "string", default: "50" },
      "per-room": { type: "string", default: "10" },
      minutes: { type: "string", default: "10" },
      "note-rate": { type: "string", default: "4" },
      endpoint: { type: "string" },
      port: { type: "string", default: "2567" },
      "drop-every": { type: "string", default: "300" },
      "flood-every": { type: "string", default: "600" },
      "flood-notes": { type: "string", default: "300" },
      "bad-every": { type: "string", default: "30" },
      "redis-down": { type: "string", default: "10" },
      "slow-consumers": { type: "string", default: "2" },
      seed: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (flag: string, raw: string, min: number, max: number, integer = false): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new Error(`--${flag} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const endpoint = values.endpoint === undefined ? undefined : checkLocalEndpoint(values.endpoint);
  return {
    rooms: num("rooms", values.rooms, 1, 1000, true),
    // 2–16 is the server's range for maxParticipants.
    perRoom: num("per-room", values["per-room"], 2, 16, true),
    minutes: num("minutes", values.minutes, 0.1, 24 * 60),
    // Ordinary notes must stay under the note budget (50/s) or the loss count means nothing.
    noteRate: num("note-rate", values["note-rate"], 0.1, 25),
    endpoint,
    port: num("port", values.port, 1, 65535, true),
    dropEveryS: num("drop-every", values["drop-every"], 5, 1e9),
    floodEveryS: num("flood-every", values["flood-every"], 5, 1e9),
    // Over 499 in one second would be a flood window (10 × 50/s): a sustained one disconnects.
    floodNotes: num("flood-notes", values["flood-notes"], 1, 490, true),
    badEveryS: num("bad-every", values["bad-every"], 1, 1e9),
    redisDownS: num("redis-down", values["redis-down"], 0, 600),
    slowConsumers: num("slow-consumers", values["slow-consumers"], 0, 50, true),
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : num("seed", values.seed, 0, 2 ** 31, true),
  };
}

/** Only this machine: the soak must never be pointed at someone else's server. */
function checkLocalEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `http://${raw}`);
  } catch {
    throw new Error(`--endpoint "${raw}" is not a URL`);
  }
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new Error(`--endpoint must be on 127.0.0.1 or localhost, not "${url.hostname}"`);
  }
  const protocol = url.protocol === "https:" || url.protocol === "wss:" ? "https:" : "http:";
  return `${protocol}//${url.host}`;
}

// ─── small utilities ──────────────────────────────────────────────────────────────────────────────

/** mulberry32: a seeded PRNG, so the mix of actions can be replayed (timing cannot). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let random: () => number = Math.random;
const between = (min: number, max: number): number => min + random() * (max - min);
const randomInt = (min: number, max: number): number => Math.floor(between(min, max + 1));
/** Exponentially distributed delay with the given mean (a Poisson process per client). */
const expDelayMs = (meanS: number): number => -Math.log(1 - random()) * meanS * 1000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return code === undefined ? error.message : `${String(code)} ${error.message}`;
  }
  return String(error);
}

/** Millisecond histogram, 0 … 60 s (the last bucket holds everything above). */
class MsHistogram {
  private counts = new Uint32Array(60_001);
  private n = 0;
  private maxSeen = 0;

  add(ms: number): void {
    const bucket = Math.min(60_000, Math.max(0, Math.round(ms)));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.n++;
    if (ms > this.maxSeen) this.maxSeen = ms;
  }

  percentile(p: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.ceil((p / 100) * this.n);
    let seen = 0;
    for (let ms = 0; ms < this.counts.length; ms++) {
      seen += this.counts[ms] ?? 0;
      if (seen >= rank) return ms;
    }
    return 60_000;
  }

  get count(): number {
    return this.n;
  }

  get max(): number {
    return Math.round(this.maxSeen);
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.maxSeen = 0;
  }
}

const mb = (bytes: number | undefined): string => (bytes === undefined ? "?" : `${(bytes / 1024 / 1024).toFixed(1)}MB`);
const ms = (value: number | null): string => (value === null ? "-" : `${value}ms`);

function elapsedLabel(sinceMs: number): string {
  const s = Math.max(0, Math.round((Date.now() - sinceMs) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// ─── counters ─────────────────────────────────────────────────────────────────────────────────────

/** A few concrete examples of each kind of problem, as evidence for a report. */
const MAX_EXAMPLES = 8;

const stats = {
  clientsTarget: 0,
  joinsOk: 0,
  joinsFailed: 0,
  notesSent: 0,
  notesDelivered: 0,
  notesLost: 0,
  /** Missing, but sent just before the sender dropped: the server may never have read them. */
  notesExcused: 0,
  notesDuplicated: 0,
  /** Arrived with the wrong note/velocity for their seq, or without `at`/`instrument`. */
  notesCorrupt: 0,
  /** From a sender in another room, from the receiver itself, or from an unknown session. */
  notesMisrouted: 0,
  floods: 0,
  floodNotesSent: 0,
  floodNotesDelivered: 0,
  badSent: 0,
  /** Answered with the `error` code and type we expected. */
  badAnswered: 0,
  /** Answered with another code or type. */
  badWrongAnswer: 0,
  /** Not answered before the sender dropped (it may have been answered on the dead socket). */
  badUnansweredAtDrop: 0,
  /** Still unanswered at the end. */
  badUnanswered: 0,
  /** Answers to type "*" whose `type` is not "*" (see onError). */
  starTypeQuirk: 0,
  errorsByCode: {} as Record<string, number>,
  /** `error` messages nothing we sent explains (not a malformed payload, not a flood). */
  unexpectedErrors: 0,
  rateLimitedInFlood: 0,
  rateLimitedOutsideFlood: 0,
  transportActions: 0,
  stepEdits: 0,
  pingsSent: 0,
  pongs: 0,
  drops: 0,
  oversizeDrops: 0,
  /** An oversized frame that did not close the connection with 1009 within 5 s. */
  oversizeNotClosed: 0,
  reconnectOk: 0,
  reconnectFailed: 0,
  /** Reconnect attempts that failed but a later one succeeded. */
  reconnectRetries: 0,
  rejoinOk: 0,
  rejoinFailed: 0,
  unexpectedCloses: {} as Record<string, number>,
  exceptions: 0,
  sendFailures: 0,
  clientWarnings: 0,
  serverLogWarn: 0,
  serverLogError: 0,
  examples: {} as Record<string, string[]>,
};

function example(kind: string, text: string): void {
  const list = (stats.examples[kind] ??= []);
  if (list.length < MAX_EXAMPLES) list.push(text);
}

const bump = (record: Record<string, number>, key: string): void => {
  record[key] = (record[key] ?? 0) + 1;
};

const rtt = { total: new MsHistogram(), window: new MsHistogram() };
const latency = { total: new MsHistogram(), window: new MsHistogram() };
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

// colyseus.js reports some failures with console.warn (one per failed room): count, show a few.
const originalWarn = console.warn.bind(console);
console.warn = (...args: unknown[]): void => {
  stats.clientWarnings++;
  if (stats.clientWarnings <= 10) originalWarn("[client warn]", ...args);
  else if (stats.clientWarnings === 11) originalWarn("[client warn] (further client warnings are only counted)");
};

process.on("uncaughtException", (error) => {
  stats.exceptions++;
  example("exception", describeError(error));
  if (stats.exceptions <= 10) originalWarn("[soak] uncaught exception:", error);
});
process.on("unhandledRejection", (error) => {
  stats.exceptions++;
  example("exception", `unhandled rejection: ${describeError(error)}`);
  if (stats.exceptions <= 10) originalWarn("[soak] unhandled rejection:", error);
});

// ─── the server's view: /health and /metrics ──────────────────────────────────────────────────────

interface Health {
  status: string;
  rooms: number;
  clients: number;
}

interface ServerSample {
  at: number;
  health: Health | undefined;
  metrics: Map<string, number>;
}

async function getText(url: string, timeoutMs = 5000): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    return await response.text();
  } catch {
    return undefined;
  }
}

async function getHealth(endpoint: string): Promise<Health | undefined> {
  const text = await getText(`${endpoint}/health`);
  if (text === undefined) return undefined;
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && typeof body.rooms === "number" && typeof body.clients === "number") {
      return { status: String(body.status), rooms: body.rooms, clients: body.clients };
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** Prometheus text → sum of every series of each metric name, plus each labelled series as is. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const [, name, labels, raw] = match;
    const value = Number(raw);
    if (name === undefined || !Number.isFinite(value)) continue;
    values.set(name, (values.get(name) ?? 0) + value);
    if (labels !== undefined) values.set(`${name}${labels}`, value);
  }
  return values;
}

async function sampleServer(endpoint: string): Promise<ServerSample> {
  const [health, metricsText] = await Promise.all([getHealth(endpoint), getText(`${endpoint}/metrics`)]);
  return { at: Date.now(), health, metrics: metricsText === undefined ? new Map() : parseMetrics(metricsText) };
}

// ─── the server process ───────────────────────────────────────────────────────────────────────────

const REPO = path.resolve(__dirname, "..");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function ensureBuild(): void {
  const entry = path.join(REPO, "build", "index.js");
  const stale = !existsSync(entry) || newestMtime(path.join(REPO, "src")) > statSync(entry).mtimeMs;
  if (!stale) return;
  console.log(`[soak] ${existsSync(entry) ? "build/ is older than src/" : "no build/"}: running npm run build`);
  const result = spawnSync("npm", ["run", "build"], { cwd: REPO, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm run build failed");
}

class ServerProcess {
  exited = false;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  stopping = false;
  private printedLines = 0;
  private readonly exitedPromise: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    this.exitedPromise = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        if (!this.stopping) console.log(`[soak] SERVER EXITED UNEXPECTEDLY (code ${code}, signal ${signal})`);
        resolve();
      });
    });
    const onOutput = (stream: "stdout" | "stderr") => {
      let pending = "";
      return (chunk: Buffer) => {
        pending += chunk.toString("utf8");
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) this.onLine(stream, line);
      };
    };
    child.stdout?.on("data", onOutput("stdout"));
    child.stderr?.on("data", onOutput("stderr"));
  }

  /** `redisUrl`: the soak's own Redis (the server then runs scaled out on it, as one process of many would). */
  static start(port: number, clients: number, redisUrl: string | undefined): ServerProcess {
    // Every soak client comes from this machine's one address: size the per-address HTTP budgets
    // to all of them (each may create or join several times a minute while dropping and rejoining).
    const perMinute = Math.min(1_000_000, Math.max(120, clients * 10));
    const httpRateLimits = JSON.stringify({ create: { perMinute, burst: perMinute }, join: { perMinute, burst: perMinute } });
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LOG_LEVEL: "warn", HTTP_RATE_LIMITS: httpRateLimits };
    // The soak's accounting assumes the contract's defaults and an in-memory server.
    for (const key of ["REDIS_URL", "JWT_SECRET", "CORS_ORIGINS", "RATE_LIMITS", "FLOOD_FACTOR", "FLOOD_SECONDS", "MAX_PARTICIPANTS", "RECONNECT_GRACE_S", "MAX_PAYLOAD_BYTES", "NODE_APP_INSTANCE", "TRUST_PROXY"]) {
      delete env[key];
    }
    if (redisUrl !== undefined) Object.assign(env, { REDIS_URL: redisUrl, PUBLIC_ADDRESS: "127.0.0.1:{port}" });
    const child = spawn(process.execPath, [...serverNodeArgs(), path.join("build", "index.js")], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    return new ServerProcess(child);
  }

  private onLine(stream: string, line: string): void {
    if (line.trim() === "") return;
    let level = 0;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isRecord(parsed) && typeof parsed.level === "number") level = parsed.level;
    } catch {
      // Not a pino line: start-up banners of @colyseus/tools' env loading, or a crash's stack trace.
      if (stream === "stderr" && /error|exception|^\s+at /i.test(line)) level = 50;
    }
    if (level >= 50) stats.serverLogError++;
    else if (level >= 40) stats.serverLogWarn++;
    if (level >= 40) example(level >= 50 ? "serverError" : "serverWarn", line.slice(0, 400));
    this.printedLines++;
    if (this.printedLines <= 40) console.log(`[server ${stream}] ${line.slice(0, 600)}`);
    else if (this.printedLines === 41) console.log("[server] (further server log lines are only counted)");
  }

  async stop(timeoutMs: number): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    this.child.kill("SIGTERM");
    await withTimeout(this.exitedPromise, timeoutMs, undefined);
    if (!this.exited) {
      console.log(`[soak] server still running ${timeoutMs} ms after SIGTERM: SIGKILL`);
      this.child.kill("SIGKILL");
      await withTimeout(this.exitedPromise, 5000, undefined);
    }
  }
}

// ─── messages ─────────────────────────────────────────────────────────────────────────────────────

/** The part of the synced state the soak reads (decoded by reflection; undefined until the first patch). */
interface JamView {
  host?: string;
  roomCode?: string;
  isPlaying?: boolean;
}

type JamRoomHandle = Room<JamView>;

/** Sent `at` this far in the future, as a client scheduling audio would. */
const NOTE_LEAD_MS = 100;
const PING_EVERY_MS = 2000;
const TRACK_ID = "soak";
const LOOP_STEPS = 16;
const noteFor = (seq: number): number => 24 + (seq % 96);
const velocityFor = (seq: number): number => 1 + (seq % 127);

interface ExpectedError {
  code: string;
  type: string;
}

interface BadPayload {
  label: string;
  type: string | number;
  payload: unknown;
  expect: ExpectedError;
}

function deeplyNested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { v: value };
  return value;
}

/** Malformed or refused messages, each with the `error` the contract says it gets. */
function badPayloads(me: SoakClient): BadPayload[] {
  const bad = (label: string, type: string | number, payload: unknown, code = "BAD_REQUEST", expectedType = String(type)): BadPayload => ({
    label,
    type,
    payload,
    expect: { code, type: expectedType },
  });
  const isHost = me.isHost();
  const other = me.group.clients.find((c) => c !== me && c.phase === "connected")?.sessionId ?? "nobody-here";
  return [
    bad("note: string note", "note", { note: "C4" }),
    bad("note: note 128", "note", { note: 128 }),
    bad("note: velocity 0", "note", { note: 60, velocity: 0 }),
    bad("note: fractional note", "note", { note: 60.5 }),
    bad("note: negative seq", "note", { note: 60, seq: -5 }),
    bad("note: seq over uint32", "note", { note: 60, seq: 2 ** 32 }),
    bad("note: at is a string", "note", { note: 60, at: "soon" }),
    bad("note: payload is a string", "note", "C4"),
    bad("note: payload is an array", "note", [60, 100]),
    bad("note: payload is null", "note", null),
    bad("tempo: 1000", "tempo", { tempo: 1000 }),
    bad("tempo: string", "tempo", { tempo: "fast" }),
    bad("tempo: NaN", "tempo", { tempo: Number.NaN }),
    bad("seek: step 99", "seek", { step: 99 }),
    bad("play: step -1", "play", { step: -1 }),
    bad("chat: empty", "chat", { text: "" }),
    bad("chat: 501 chars", "chat", { text: "x".repeat(501) }),
    bad("mute: string", "mute", { muted: "yes" }),
    bad("instrument: empty", "instrument", { instrument: "" }),
    bad("setStep: bad track id", "setStep", { track: "Bad Id!", step: 0, on: true }),
    bad("setStep: step 16", "setStep", { track: TRACK_ID, step: LOOP_STEPS, on: true }),
    bad("setStep: unknown track", "setStep", { track: "no-such-track", step: 0, on: true }, "NOT_FOUND"),
    bad("addTrack: duplicate id", "addTrack", { id: TRACK_ID, instrument: "drums" }),
    bad("kick: unknown / not host", "kick", { sessionId: "nobody-here" }, isHost ? "NOT_FOUND" : "NOT_ALLOWED"),
    bad("transferHost: unknown / not host", "transferHost", { to: "nobody-here" }, isHost ? "NOT_FOUND" : "NOT_ALLOWED"),
    bad("event: bad name", "event", { eventName: "bad name!" }),
    bad("event: 40 levels deep", "event", { eventName: "deep", payload: deeplyNested(40) }),
    bad("event: payload over 2 KB", "event", { eventName: "big", payload: "x".repeat(3000) }),
    bad("signal: to self", "signal", { to: me.sessionId, kind: "ice", data: {} }),
    bad("signal: to nobody", "signal", { to: "nobody-here", kind: "ice", data: {} }, "NOT_FOUND"),
    bad("signal: bad kind", "signal", { to: other, kind: "carrier-pigeon", data: {} }),
    bad("ping: t is a string", "ping", { t: "now" }),
    bad("unknown type", "teleport", { x: 1 }),
    bad("unknown type __proto__", "__proto__", { x: 1 }),
    bad("unknown type constructor", "constructor", {}),
    bad("unknown type toString", "toString", {}),
    bad("unknown type __no_message_handler", "__no_message_handler", {}),
    bad("unknown type *", "*", { x: 1 }),
    bad("unknown numeric type", 42, { x: 1 }),
  ];
}

// ─── clients ──────────────────────────────────────────────────────────────────────────────────────

type Phase = "idle" | "connected" | "dropping" | "reconnecting" | "gone" | "left";

interface PendingPing {
  t: number;
  /** The last ordinary seq sent before this ping: once answered, the server has read it. */
  seqMark: number;
  resolve: ((answered: boolean) => void) | undefined;
}

interface RoomGroup {
  index: number;
  code: string;
  clients: SoakClient[];
}

/** Every session id a soak client ever had → that client (a rejoin gets a new one). */
const sessions = new Map<string, SoakClient>();

class SoakClient {
  phase: Phase = "idle";
  room: JamRoomHandle | undefined;
  sessionId = "";
  private token = "";
  private rejoins = 0;
  /** The last ordinary seq sent (seqs start at 1). */
  seq = 0;
  /** `seq` when the current session began: a floor for receivers that never saw this session. */
  sessionStartSeq = 0;
  /** The highest seq the server has certainly read (a later ping was answered). */
  private confirmedSeq = 0;
  /** Seqs (inclusive ranges) that may have been lost in a drop of this sender. */
  private readonly excused: [number, number][] = [];
  /** Per sender session: the seq after which everything must arrive here. */
  private floors = new Map<string, number>();
  private lastSeen = new Map<string, number>();
  private pendingPings: PendingPing[] = [];
  private expectedErrors: ExpectedError[] = [];
  private serverOffsetMs = 0;
  /** True from the first flood note until the server has drained the flood and the bucket refilled. */
  private flooding = false;
  /** The drop / reconnection / flood under way, if any. */
  busy: Promise<void> | undefined;
  private expectingClose = false;
  private closed: (() => void) | undefined;

  private nextNoteAt = 0;
  private nextPingAt = 0;
  private nextBadAt = 0;
  private nextDropAt = 0;
  private nextFloodAt = 0;
  private nextHostActionAt = 0;
  private nextStepEditAt = 0;

  constructor(
    readonly sdk: Client,
    readonly group: RoomGroup,
    readonly name: string,
    private readonly options: SoakOptions,
  ) {}

  isHost(): boolean {
    return this.room?.state?.host === this.sessionId;
  }

  get connected(): boolean {
    return this.phase === "connected" && this.room !== undefined && this.room.connection.isOpen;
  }

  // ── joining ──

  async create(): Promise<void> {
    const room = await this.sdk.create<JamView>("jam", { name: this.name, instrument: "keys", maxParticipants: this.options.perRoom });
    this.group.code = room.roomId;
    this.attach(room, "new");
    // The room's shared pattern track, so everyone's step edits have a target.
    this.send("addTrack", { id: TRACK_ID, instrument: "drums" });
  }

  async join(name = this.name): Promise<void> {
    const room = await this.sdk.joinById<JamView>(this.group.code, { name, instrument: "bass" });
    this.attach(room, "new");
  }

  /** Binds a (new) Room object: listeners, token, floors for note accounting. */
  private attach(room: JamRoomHandle, how: "new" | "reconnected"): void {
    this.room = room;
    this.token = room.reconnectionToken;
    if (how === "new") {
      this.sessionId = room.sessionId;
      this.sessionStartSeq = this.seq;
      sessions.set(room.sessionId, this);
    }
    // Everything any roommate sends from now on must reach this client.
    this.floors = new Map();
    for (const mate of this.group.clients) if (mate !== this && mate.sessionId !== "") this.floors.set(mate.sessionId, mate.seq);
    this.lastSeen = new Map();
    this.pendingPings = [];
    // The old socket keeps delivering what the server sent before it died until it is gone: only
    // now can an answer to a malformed payload no longer come.
    stats.badUnansweredAtDrop += this.expectedErrors.length;
    this.expectedErrors = [];
    this.phase = "connected";

    room.onMessage<unknown>("note", (message) => this.guard(() => this.onNote(message)));
    room.onMessage<unknown>("pong", (message) => this.guard(() => this.onPong(message)));
    room.onMessage<unknown>("error", (message) => this.guard(() => this.onError(message)));
    // chat, event, signal, server-restart: not used by the soak; keep colyseus.js from warning.
    room.onMessage<unknown>("*", () => undefined);
    room.onLeave((code) => this.guard(() => this.onClose(room, code)));

    const now = Date.now();
    this.nextNoteAt = now + between(0, 1000 / this.options.noteRate);
    this.nextPingAt = now + between(0, PING_EVERY_MS);
    this.nextBadAt = now + expDelayMs(this.options.badEveryS);
    this.nextDropAt = now + expDelayMs(this.options.dropEveryS);
    this.nextFloodAt = now + expDelayMs(this.options.floodEveryS);
    this.nextHostActionAt = now + between(3000, 15000);
    this.nextStepEditAt = now + between(5000, 20000);
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      stats.exceptions++;
      example("exception", describeError(error));
    }
  }

  private send(type: string | number, payload?: unknown): boolean {
    if (!this.connected || this.room === undefined) return false;
    try {
      this.room.send(type, payload);
      return true;
    } catch (error) {
      stats.sendFailures++;
      example("sendFailure", `${this.name} ${String(type)}: ${describeError(error)}`);
      return false;
    }
  }

  // ── the regular life of a musician, driven by the scheduler's tick ──

  tick(now: number): void {
    if (stopping || this.phase !== "connected" || this.busy !== undefined) return;
    if (!this.flooding && now >= this.nextNoteAt) {
      this.sendNote();
      this.nextNoteAt += 1000 / this.options.noteRate;
      if (this.nextNoteAt < now - 1000) this.nextNoteAt = now;
    }
    if (now >= this.nextPingAt) {
      this.ping();
      this.nextPingAt = now + PING_EVERY_MS;
    }
    if (now >= this.nextHostActionAt) {
      if (this.isHost()) this.hostAction();
      this.nextHostActionAt = now + between(5000, 15000);
    }
    if (now >= this.nextStepEditAt) {
      if (this.send("setStep", { track: TRACK_ID, step: randomInt(0, LOOP_STEPS - 1), on: random() < 0.5, note: randomInt(36, 84) })) stats.stepEdits++;
      this.nextStepEditAt = now + between(10_000, 30_000);
    }
    if (now >= this.nextBadAt) {
      this.sendBadPayload();
      this.nextBadAt = now + expDelayMs(this.options.badEveryS);
    }
    if (now >= this.nextFloodAt) {
      this.nextFloodAt = now + expDelayMs(this.options.floodEveryS);
      this.run(() => this.flood());
    } else if (now >= this.nextDropAt) {
      this.nextDropAt = now + expDelayMs(this.options.dropEveryS);
      this.run(() => this.dropAndReconnect(random() < 0.1 ? "oversize" : "terminate"));
    }
  }

  private run(action: () => Promise<void>): void {
    const busy = action()
      .catch((error: unknown) => {
        stats.exceptions++;
        example("exception", `${this.name}: ${describeError(error)}`);
      })
      .finally(() => {
        if (this.busy === busy) this.busy = undefined;
      });
    this.busy = busy;
  }

  private sendNote(): void {
    const seq = this.seq + 1;
    const at = Date.now() + this.serverOffsetMs + NOTE_LEAD_MS;
    if (!this.send("note", { note: noteFor(seq), velocity: velocityFor(seq), on: true, step: seq % LOOP_STEPS, at, seq })) return;
    this.seq = seq;
    stats.notesSent++;
  }

  private ping(resolve?: (answered: boolean) => void): void {
    const t = Date.now();
    if (!this.send("ping", { t })) {
      resolve?.(false);
      return;
    }
    stats.pingsSent++;
    this.pendingPings.push({ t, seqMark: this.seq, resolve });
  }

  /** Resolves once the server has handled everything this client sent before (pongs come in order). */
  barrier(timeoutMs: number): Promise<boolean> {
    return withTimeout(new Promise<boolean>((resolve) => this.ping(resolve)), timeoutMs, false);
  }

  private hostAction(): void {
    const roll = random();
    stats.transportActions++;
    if (roll < 0.4) this.send("tempo", { tempo: randomInt(60, 180) + (random() < 0.3 ? 0.5 : 0) });
    else if (roll < 0.65) this.send("play", random() < 0.5 ? {} : { step: randomInt(0, LOOP_STEPS - 1) });
    else if (roll < 0.8) this.send("stop", {});
    else if (roll < 0.9) this.send("pause", {});
    else this.send("seek", { step: randomInt(0, LOOP_STEPS - 1) });
  }

  private sendBadPayload(): void {
    const choices = badPayloads(this);
    const choice = choices[randomInt(0, choices.length - 1)];
    if (choice === undefined) return;
    if (!this.send(choice.type, choice.payload)) return;
    stats.badSent++;
    bump(badSentByLabel, choice.label);
    this.expectedErrors.push(choice.expect);
  }

  // ── chaos ──

  /** A short burst far over the note budget (but one second only: the disconnect needs five). */
  private async flood(): Promise<void> {
    this.flooding = true;
    stats.floods++;
    try {
      const chunks = 10;
      const perChunk = Math.ceil(this.options.floodNotes / chunks);
      let left = this.options.floodNotes;
      for (let chunk = 0; chunk < chunks && left > 0; chunk++) {
        for (let i = 0; i < perChunk && left > 0; i++, left--) {
          // No seq: flood notes are outside the loss accounting.
          if (this.send("note", { note: 100, velocity: 1 })) stats.floodNotesSent++;
        }
        await sleep(100);
      }
      // The server has read the whole flood once this is answered; then let the bucket refill.
      await this.barrier(15_000);
      await sleep(1200);
    } finally {
      this.flooding = false;
    }
  }

  /** Cuts the connection under the client's feet, then comes back with the newest token. */
  private async dropAndReconnect(kind: "terminate" | "oversize"): Promise<void> {
    const room = this.room;
    if (room === undefined || !this.connected) return;
    const transport: unknown = room.connection.transport;
    const ws: unknown = isRecord(transport) ? transport.ws : undefined;
    if (!isRecord(ws) || typeof ws.terminate !== "function") throw new Error("no ws socket under room.connection.transport");
    const terminate = (): void => void (ws.terminate as () => void).call(ws);

    stats.drops++;
    this.phase = "dropping";
    this.markUncertain();
    const closed = new Promise<void>((resolve) => (this.closed = resolve));
    this.expectingClose = true;
    if (kind === "terminate") {
      terminate();
    } else {
      stats.oversizeDrops++;
      // A frame over MAX_PAYLOAD_BYTES (16 KB): the server must close this connection with 1009.
      const to = this.group.clients.find((c) => c !== this && c.connected)?.sessionId ?? this.sessionId;
      room.send("signal", { to, kind: "ice", data: "x".repeat(20_000) });
      const closedInTime = await withTimeout(closed.then(() => true), 5000, false);
      if (!closedInTime) {
        stats.oversizeNotClosed++;
        example("oversizeNotClosed", `${this.name}: no close 5 s after a 20 KB frame`);
        terminate();
      }
    }
    await withTimeout(closed, 10_000, undefined);
    this.expectingClose = false;
    await sleep(between(300, 5000));
    await this.comeBack();
  }

  /** Everything sent after the last confirmed seq may not have been read by the server. */
  private markUncertain(): void {
    if (this.seq > this.confirmedSeq) this.excused.push([this.confirmedSeq + 1, this.seq]);
    this.confirmedSeq = this.seq;
    for (const ping of this.pendingPings) ping.resolve?.(false);
    this.pendingPings = [];
  }

  isExcused(seq: number): boolean {
    return this.excused.some(([from, to]) => seq >= from && seq <= to);
  }

  /** Reconnect with the newest token (a few tries); failing that, join again under a new name. */
  private async comeBack(): Promise<void> {
    this.phase = "reconnecting";
    // 1, 2, 4 and 8 s apart: 15 s of tries, enough to outlast a Redis restart, within the 30 s grace.
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const room = await this.sdk.reconnect<JamView>(this.token);
        this.attach(room, "reconnected");
        stats.reconnectOk++;
        if (attempt > 1) stats.reconnectRetries += attempt - 1;
        return;
      } catch (error) {
        example("reconnectAttemptFailed", `${this.name} attempt ${attempt}: ${describeError(error)}`);
        if (attempt < 5) await sleep(1000 * 2 ** (attempt - 1));
      }
    }
    stats.reconnectFailed++;
    example("reconnectFailed", `${this.name} (${this.sessionId}) in ${this.group.code}`);
    this.rejoins++;
    try {
      await this.join(`${this.name}~${this.rejoins}`);
      stats.rejoinOk++;
    } catch (error) {
      stats.rejoinFailed++;
      example("rejoinFailed", `${this.name}: ${describeError(error)}`);
      this.phase = "gone";
    }
  }

  private onClose(room: JamRoomHandle, code: number): void {
    if (room !== this.room) return;
    if (this.expectingClose) {
      this.closed?.();
      return;
    }
    if (this.phase === "left") return;
    // The server closed us, or the socket died, without us asking.
    bump(stats.unexpectedCloses, String(code));
    example("unexpectedClose", `${this.name} (${this.sessionId}) in ${this.group.code}: code ${code}`);
    this.markUncertain();
    this.phase = "reconnecting";
    // After whatever was under way (a flood) has finished.
    const prior = this.busy ?? Promise.resolve();
    this.run(async () => {
      await prior;
      await sleep(500);
      await this.comeBack();
    });
  }

  // ── receiving ──

  private onNote(message: unknown): void {
    if (!isRecord(message)) {
      stats.notesCorrupt++;
      example("corrupt", `not an object: ${JSON.stringify(message)}`);
      return;
    }
    const senderId = message.senderId;
    const sender = typeof senderId === "string" ? sessions.get(senderId) : undefined;
    if (sender === undefined || sender.group !== this.group || sender === this) {
      stats.notesMisrouted++;
      example("misrouted", `${this.name} in ${this.group.code} got ${JSON.stringify(message)} from ${sender?.name ?? "unknown"} in ${sender?.group.code ?? "?"}`);
      return;
    }
    const seq = message.seq;
    if (seq === undefined) {
      stats.floodNotesDelivered++;
      return;
    }
    if (typeof seq !== "number" || message.note !== noteFor(seq) || message.velocity !== velocityFor(seq) || typeof message.at !== "number" || typeof message.instrument !== "string" || message.on !== true) {
      stats.notesCorrupt++;
      example("corrupt", JSON.stringify(message));
      return;
    }
    stats.notesDelivered++;
    const sentAt = message.at - NOTE_LEAD_MS;
    const lat = Date.now() + this.serverOffsetMs - sentAt;
    latency.total.add(lat);
    latency.window.add(lat);

    const id = senderId as string;
    const last = this.lastSeen.get(id);
    if (last !== undefined && seq <= last) {
      stats.notesDuplicated++;
      example("duplicate", `${this.name} got seq ${seq} from ${sender.name} after ${last}`);
      return;
    }
    const floor = this.floors.get(id) ?? sender.sessionStartSeq;
    const from = Math.max(last ?? floor, floor);
    if (seq > from + 1) this.countGap(sender, from + 1, seq - 1);
    this.lastSeen.set(id, seq);
  }

  private countGap(sender: SoakClient, from: number, to: number): void {
    let lost = 0;
    for (let s = from; s <= to; s++) {
      if (sender.isExcused(s)) stats.notesExcused++;
      else lost++;
    }
    if (lost > 0) {
      stats.notesLost += lost;
      example("lost", `${this.name} (${this.sessionId}) missed ${lost} of seqs ${from}…${to} from ${sender.name} (${sender.sessionId}) in ${this.group.code} at ${new Date().toISOString()}`);
    }
  }

  /** After the final barriers: whatever a connected roommate sent and never arrived here is lost. */
  checkTail(): void {
    if (!this.connected) return;
    for (const sender of this.group.clients) {
      if (sender === this || !sender.connected) continue;
      const floor = this.floors.get(sender.sessionId) ?? sender.sessionStartSeq;
      const from = Math.max(this.lastSeen.get(sender.sessionId) ?? floor, floor);
      if (sender.seq > from) this.countGap(sender, from + 1, sender.seq);
    }
  }

  private onPong(message: unknown): void {
    if (!isRecord(message) || typeof message.t !== "number" || typeof message.serverTime !== "number") {
      stats.unexpectedErrors++;
      example("badPong", JSON.stringify(message));
      return;
    }
    stats.pongs++;
    const now = Date.now();
    while (this.pendingPings.length > 0) {
      const ping = this.pendingPings.shift();
      if (ping === undefined) break;
      if (ping.t !== message.t) {
        // An earlier ping was never answered: only a rate limit could do that.
        example("pingUnanswered", `${this.name}: ping ${ping.t} unanswered, pong for ${message.t}`);
        ping.resolve?.(false);
        continue;
      }
      this.confirmedSeq = Math.max(this.confirmedSeq, ping.seqMark);
      const roundTrip = now - ping.t;
      rtt.total.add(roundTrip);
      rtt.window.add(roundTrip);
      this.serverOffsetMs = message.serverTime - (ping.t + now) / 2;
      ping.resolve?.(true);
      break;
    }
  }

  private onError(message: unknown): void {
    if (!isRecord(message) || typeof message.code !== "string") {
      stats.unexpectedErrors++;
      example("unexpectedError", `malformed error message: ${JSON.stringify(message)}`);
      return;
    }
    const code = message.code;
    const type = String(message.type);
    bump(stats.errorsByCode, code);
    if (code === "RATE_LIMITED") {
      if (this.flooding && type === "note") stats.rateLimitedInFlood++;
      else {
        stats.rateLimitedOutsideFlood++;
        example("rateLimitedOutsideFlood", `${this.name}: ${JSON.stringify(message)}`);
      }
      return;
    }
    const expected = this.expectedErrors.shift();
    if (expected === undefined) {
      stats.unexpectedErrors++;
      example("unexpectedError", `${this.name} (host: ${this.isHost()}): ${JSON.stringify(message)}`);
    } else if (expected.code === code && expected.type === type) {
      stats.badAnswered++;
    } else if (expected.code === code && expected.type === "*") {
      // Known server quirk: a message of type "*" reaches the room's "*" handler with the payload
      // where the type should be, so `type` in the answer is String(payload).
      stats.badAnswered++;
      stats.starTypeQuirk++;
      example("starTypeQuirk", `sent type "*", answered ${JSON.stringify(message).slice(0, 200)}`);
    } else {
      stats.badWrongAnswer++;
      example("wrongAnswer", `${this.name}: expected ${expected.code}/${expected.type}, got ${JSON.stringify(message).slice(0, 300)}`);
    }
  }

  get unansweredBadPayloads(): number {
    return this.expectedErrors.length;
  }

  async leave(): Promise<void> {
    const room = this.room;
    if (room === undefined || !this.connected) {
      this.phase = "left";
      return;
    }
    this.phase = "left";
    await withTimeout(room.leave(true), 5000, -1);
  }
}

const badSentByLabel: Record<string, number> = {};
let stopping = false;
let runningServer: ServerProcess | undefined;
// However the soak ends (watchdog, Ctrl-C), the server it started goes with it.
process.on("exit", () => {
  if (runningServer !== undefined && !runningServer.exited) runningServer.child.kill("SIGKILL");
});
process.on("SIGINT", () => {
  console.error("[soak] interrupted");
  process.exit(130);
});

// ─── the run ──────────────────────────────────────────────────────────────────────────────────────

async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(workers);
}

async function withRetries(what: string, attempts: number, action: () => Promise<void>): Promise<boolean> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await action();
      return true;
    } catch (error) {
      example("joinFailed", `${what} attempt ${attempt}: ${describeError(error)}`);
      await sleep(500 * attempt);
    }
  }
  return false;
}

interface CpuMark {
  at: number;
  self: NodeJS.CpuUsage;
  serverCpuS: number | undefined;
  machine: MachineCpu | undefined;
}

interface MachineCpu {
  busy: number;
  total: number;
}

/** Whole-machine CPU ticks (Linux): the soak shares its cores with whatever else runs here. */
function machineCpu(): MachineCpu | undefined {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return Number.isFinite(total) && total > 0 ? { busy: total - idle, total } : undefined;
  } catch {
    return undefined;
  }
}

interface TimelinePoint {
  label: string;
  atS: number;
  held: number;
  serverClients: number | null;
  notesSent: number;
  notesDelivered: number;
  notesLost: number;
  heapUsed: number | null;
  rss: number | null;
  serverCpuPct: number | null;
  loadgenCpuPct: number;
  machineCpuPct: number | null;
  serverLoopLagP99Ms: number | null;
  pingRttP50: number | null;
  pingRttP99: number | null;
  noteLatencyP50: number | null;
  noteLatencyP99: number | null;
}

function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  random = prng(options.seed);
  // Whatever hangs (a join that never answers, say), the soak ends: its minutes plus 5 minutes at most.
  setTimeout(() => {
    console.error("[soak] WATCHDOG: still running 5 minutes after the planned end; exiting");
    process.exit(3);
  }, (options.minutes + 5) * 60_000).unref();
  return soak(options);
}

async function soak(options: SoakOptions): Promise<number> {
  const endpoint = options.endpoint ?? `http://127.0.0.1:${options.port}`;
  let server: ServerProcess | undefined;
  // Only a soak that starts its own server restarts Redis: it must own the Redis it kills.
  let redis: SoakRedis | undefined;
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).stdout.trim();
  const dirty = spawnSync("git", ["status", "--porcelain", "src"], { cwd: REPO, encoding: "utf8" }).stdout.trim() !== "";

  if (options.endpoint === undefined) {
    if ((await getHealth(endpoint)) !== undefined) {
      console.error(`[soak] something already answers on ${endpoint}: pass --port P for a free port, or --endpoint to use it`);
      return 1;
    }
    ensureBuild();
    if (options.redisDownS > 0) redis = await SoakRedis.start();
    server = ServerProcess.start(options.port, options.rooms * options.perRoom, redis?.url);
    runningServer = server;
    const readyBy = Date.now() + 30_000;
    while ((await getHealth(endpoint)) === undefined) {
      if (server.exited || Date.now() > readyBy) {
        console.error("[soak] the server did not come up");
        await server.stop(5000);
        return server.exited && !server.stopping ? 2 : 1;
      }
      await sleep(200);
    }
  }
  const serverPid = server?.child.pid;
  const target = options.rooms * options.perRoom;
  stats.clientsTarget = target;
  console.log(
    `[soak] ${options.rooms} rooms × ${options.perRoom} = ${target} clients, ${options.minutes} min, ${options.noteRate} notes/s each; ` +
      `drop every ~${options.dropEveryS}s, flood (${options.floodNotes} notes/1 s) every ~${options.floodEveryS}s, bad payload every ~${options.badEveryS}s per client; ` +
      `${redis === undefined ? "no Redis" : `Redis down ${options.redisDownS}s halfway`}, ${options.slowConsumers} slow consumers; ` +
      `seed ${options.seed}; server ${options.endpoint === undefined ? `pid ${serverPid} (build of ${commit}${dirty ? ", src dirty" : ""})` : "external"} at ${endpoint}`,
  );

  const idle = await sampleServer(endpoint);
  const sdk = new Client(endpoint);
  const groups: RoomGroup[] = Array.from({ length: options.rooms }, (_, index) => ({ index, code: "", clients: [] }));
  for (const group of groups) {
    for (let i = 0; i < options.perRoom; i++) group.clients.push(new SoakClient(sdk, group, `r${group.index}-p${i}`, options));
  }
  const everyone = groups.flatMap((group) => group.clients);

  // ── ramp up: one client creates, the others join by code ──
  const rampStart = Date.now();
  await mapLimit(groups, 10, async (group) => {
    const [host, ...guests] = group.clients;
    if (host === undefined) return;
    if (!(await withRetries(`create ${host.name}`, 3, () => host.create()))) {
      stats.joinsFailed += group.clients.length;
      return;
    }
    stats.joinsOk++;
    for (const guest of guests) {
      if (await withRetries(`join ${guest.name}`, 3, () => guest.join())) stats.joinsOk++;
      else stats.joinsFailed++;
    }
  });
  console.log(`[soak] ramp-up: ${stats.joinsOk} joined, ${stats.joinsFailed} failed in ${((Date.now() - rampStart) / 1000).toFixed(1)} s`);
  const slow = new SlowConsumers();
  if (options.slowConsumers > 0) await slow.start(endpoint, options.slowConsumers);

  // ── play ──
  const serverDown = (): boolean => server?.exited === true;
  let unreachable = 0;
  const started = Date.now();
  const startSample = await sampleServer(endpoint);
  loopDelay.enable();
  let cpuMark: CpuMark = { at: Date.now(), self: process.cpuUsage(), serverCpuS: startSample.metrics.get("process_cpu_seconds_total"), machine: machineCpu() };
  const cores = cpus().length;
  const timeline: TimelinePoint[] = [];

  const report = (label: string, sample: ServerSample): void => {
    const now = Date.now();
    const selfCpu = process.cpuUsage(cpuMark.self);
    const wallS = Math.max(0.001, (now - cpuMark.at) / 1000);
    const serverCpuS = sample.metrics.get("process_cpu_seconds_total");
    const serverPct = serverCpuS !== undefined && cpuMark.serverCpuS !== undefined ? Math.round(((serverCpuS - cpuMark.serverCpuS) / wallS) * 100) : null;
    const selfPct = Math.round(((selfCpu.user + selfCpu.system) / 1e6 / wallS) * 100);
    const machine = machineCpu();
    const machinePct =
      machine !== undefined && cpuMark.machine !== undefined && machine.total > cpuMark.machine.total
        ? Math.round(((machine.busy - cpuMark.machine.busy) / (machine.total - cpuMark.machine.total)) * cores * 100)
        : null;
    const othersPct = machinePct === null ? null : Math.max(0, machinePct - selfPct - (serverPct ?? 0));
    cpuMark = { at: now, self: process.cpuUsage(), serverCpuS, machine };
    const serverLag = sample.metrics.get("nodejs_eventloop_lag_p99_seconds");
    const serverLagMs = serverLag === undefined ? null : Math.round(serverLag * 1000);
    const held = everyone.filter((c) => c.connected).length;
    const errorCount = errorsTotal();
    timeline.push({
      label,
      atS: Math.round((now - started) / 1000),
      held,
      serverClients: sample.health?.clients ?? null,
      notesSent: stats.notesSent,
      notesDelivered: stats.notesDelivered,
      notesLost: stats.notesLost,
      heapUsed: sample.metrics.get("nodejs_heap_size_used_bytes") ?? null,
      rss: sample.metrics.get("process_resident_memory_bytes") ?? null,
      serverCpuPct: serverPct,
      loadgenCpuPct: selfPct,
      machineCpuPct: machinePct,
      serverLoopLagP99Ms: serverLagMs,
      pingRttP50: rtt.window.percentile(50),
      pingRttP99: rtt.window.percentile(99),
      noteLatencyP50: latency.window.percentile(50),
      noteLatencyP99: latency.window.percentile(99),
    });
    console.log(
      `[soak ${label} ${elapsedLabel(started)}] connections held ${held}/${target} (server: ${sample.health?.clients ?? "?"} clients, ${sample.health?.rooms ?? "?"} rooms)` +
        ` | notes sent ${stats.notesSent} delivered ${stats.notesDelivered} lost ${stats.notesLost} (excused ${stats.notesExcused}, dup ${stats.notesDuplicated}, corrupt ${stats.notesCorrupt}, misrouted ${stats.notesMisrouted})` +
        ` | floods ${stats.floods} (${stats.floodNotesSent} sent, ${stats.floodNotesDelivered} delivered)` +
        ` | rejected ${JSON.stringify(stats.errorsByCode)} (bad sent ${stats.badSent}, answered ok ${stats.badAnswered}, wrong ${stats.badWrongAnswer})` +
        ` | reconnections ok ${stats.reconnectOk} failed ${stats.reconnectFailed} (drops ${stats.drops}, retries ${stats.reconnectRetries}, rejoins ${stats.rejoinOk})` +
        ` | errors ${errorCount}` +
        ` | server heap ${mb(sample.metrics.get("nodejs_heap_size_used_bytes"))} rss ${mb(sample.metrics.get("process_resident_memory_bytes"))} cpu ${serverPct ?? "?"}% loop p99 ${ms(serverLagMs)}` +
        ` | loadgen cpu ${selfPct}% loop p99 ${ms(Math.round(loopDelay.percentile(99) / 1e6))} max ${ms(Math.round(loopDelay.max / 1e6))}` +
        ` | machine cpu ${machinePct ?? "?"}% of ${cores * 100}% (other processes ${othersPct ?? "?"}%)` +
        ` | ping rtt p50 ${ms(rtt.window.percentile(50))} p99 ${ms(rtt.window.percentile(99))} | note latency p50 ${ms(latency.window.percentile(50))} p99 ${ms(latency.window.percentile(99))} max ${ms(latency.window.count > 0 ? latency.window.max : null)}`,
    );
    rtt.window.reset();
    latency.window.reset();
    loopDelay.reset();
  };
  report("start", startSample);

  const endAt = started + options.minutes * 60_000;
  // Halfway through: every room is busy, and there is time left to see the server recover.
  const redisRestartAt = started + (options.minutes * 60_000) / 2;
  let redisRestart: Promise<RedisRestartReport> | undefined;
  let nextReportAt = started + 60_000;
  let crashed = false;
  while (Date.now() < endAt) {
    const now = Date.now();
    for (const client of everyone) client.tick(now);
    if (redis !== undefined && redisRestart === undefined && now >= redisRestartAt) {
      console.log(`[soak] killing Redis for ${options.redisDownS} s`);
      const codes = () => groups.map((group) => group.code).filter((code) => code !== "");
      redisRestart = redis.restart(endpoint, options.redisDownS, codes);
      void redisRestart.then((result) => console.log(`[soak] Redis back: ${JSON.stringify(result)}`));
    }
    if (now >= nextReportAt) {
      nextReportAt += 60_000;
      const sample = await sampleServer(endpoint);
      unreachable = sample.health === undefined ? unreachable + 1 : 0;
      report("progress", sample);
    }
    if (serverDown()) {
      crashed = true;
      break;
    }
    if (options.endpoint !== undefined && unreachable >= 3) {
      console.log("[soak] the server has not answered /health three times in a row");
      crashed = true;
      break;
    }
    await sleep(20);
  }

  // ── wind down: finish what is under way, flush every socket, count the tail ──
  stopping = true;
  const windDown = Date.now();
  if (!crashed) {
    const busy = everyone.map((c) => c.busy).filter((b): b is Promise<void> => b !== undefined);
    await withTimeout(Promise.allSettled(busy), 60_000, []);
    // Two rounds: after the first the server has read every note; after the second every receiver has them.
    for (let round = 0; round < 2; round++) {
      await Promise.all(everyone.filter((c) => c.connected).map((c) => c.barrier(20_000)));
    }
    for (const client of everyone) client.checkTail();
    for (const client of everyone) stats.badUnanswered += client.unansweredBadPayloads;
  }
  const endSample = await sampleServer(endpoint);
  if (endSample.health === undefined && options.endpoint !== undefined) crashed = true;
  report("end", endSample);
  const heldAtEnd = everyone.filter((c) => c.connected).length;

  const redisReport = redisRestart === undefined ? null : await redisRestart;
  const slowReport = slow.report();
  console.log(`[soak] slow consumers: ${JSON.stringify(slowReport)}`);
  await slow.stop();

  // ── close every client, check the server lets go of everything ──
  await Promise.all(everyone.map((c) => c.leave()));
  let drained: ServerSample = await sampleServer(endpoint);
  const drainBy = Date.now() + 45_000;
  while (!crashed && !serverDown() && Date.now() < drainBy && !(drained.health?.rooms === 0 && drained.health.clients === 0)) {
    await sleep(500);
    drained = await sampleServer(endpoint);
  }
  const drainS = (Date.now() - windDown) / 1000;
  if (drained.health !== undefined && (drained.health.rooms !== 0 || drained.health.clients !== 0)) {
    example("stuck", `after every client left: ${JSON.stringify(drained.health)}`);
  }
  console.log(`[soak] all clients closed; server now ${JSON.stringify(drained.health ?? "unreachable")} (${drainS.toFixed(1)} s after wind-down began)`);

  if (serverDown() && !server?.stopping) crashed = true;
  if (server !== undefined) await server.stop(20_000);
  await redis?.stop();

  const m = (sample: ServerSample, name: string): number | undefined => sample.metrics.get(name);
  const summary = {
    ok: !crashed,
    serverCrashed: crashed,
    serverExit: server === undefined ? null : { code: server.exitCode, signal: server.exitSignal, afterSigterm: server.stopping },
    options,
    commit,
    srcDirty: dirty,
    minutesPlayed: Number(((windDown - started) / 60_000).toFixed(2)),
    clients: { target, joined: stats.joinsOk, joinFailed: stats.joinsFailed, heldAtEnd },
    connectionsHeld: { start: startSample.health?.clients ?? null, end: endSample.health?.clients ?? null, afterLeave: drained.health?.clients ?? null },
    roomsOnServer: { start: startSample.health?.rooms ?? null, end: endSample.health?.rooms ?? null, afterLeave: drained.health?.rooms ?? null },
    notes: {
      sent: stats.notesSent,
      delivered: stats.notesDelivered,
      lost: stats.notesLost,
      excusedByDrops: stats.notesExcused,
      duplicated: stats.notesDuplicated,
      corrupt: stats.notesCorrupt,
      misrouted: stats.notesMisrouted,
      floods: stats.floods,
      floodNotesSent: stats.floodNotesSent,
      floodNotesDelivered: stats.floodNotesDelivered,
      serverRelayedTotal: m(endSample, "jam_notes_relayed_total") ?? null,
      serverDeliveriesTotal: m(endSample, "jam_note_deliveries_total") ?? null,
    },
    rejected: {
      byCodeReceived: stats.errorsByCode,
      serverRejectedTotal: m(endSample, "jam_messages_rejected_total") ?? null,
      badPayloadsSent: stats.badSent,
      answeredAsExpected: stats.badAnswered,
      wrongAnswer: stats.badWrongAnswer,
      starTypeQuirk: stats.starTypeQuirk,
      unansweredAtDrop: stats.badUnansweredAtDrop,
      unansweredAtEnd: stats.badUnanswered,
      rateLimitedInFlood: stats.rateLimitedInFlood,
      rateLimitedOutsideFlood: stats.rateLimitedOutsideFlood,
      unexpectedErrors: stats.unexpectedErrors,
      badSentByKind: badSentByLabel,
    },
    reconnections: {
      drops: stats.drops,
      oversizeFrameDrops: stats.oversizeDrops,
      oversizeNotClosed: stats.oversizeNotClosed,
      ok: stats.reconnectOk,
      failed: stats.reconnectFailed,
      retries: stats.reconnectRetries,
      rejoinOk: stats.rejoinOk,
      rejoinFailed: stats.rejoinFailed,
      serverReconnectionsTotal: m(endSample, "jam_reconnections_total") ?? null,
    },
    errors: {
      total: errorsTotal(),
      unexpectedCloses: stats.unexpectedCloses,
      exceptions: stats.exceptions,
      sendFailures: stats.sendFailures,
      clientWarnings: stats.clientWarnings,
      joinFailed: stats.joinsFailed,
      serverLogWarn: stats.serverLogWarn,
      serverLogError: stats.serverLogError,
    },
    server: {
      idle: memory(idle),
      start: memory(startSample),
      end: memory(endSample),
      afterLeave: memory(drained),
      cpuSecondsDuringPlay: diff(m(endSample, "process_cpu_seconds_total"), m(startSample, "process_cpu_seconds_total")),
    },
    loadgen: { cpuSecondsTotal: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)) },
    pingRttMs: { p50: rtt.total.percentile(50), p99: rtt.total.percentile(99), max: rtt.total.max, n: rtt.total.count },
    noteLatencyMs: { p50: latency.total.percentile(50), p99: latency.total.percentile(99), max: latency.total.max, n: latency.total.count },
    actions: { transport: stats.transportActions, stepEdits: stats.stepEdits, pings: stats.pingsSent, pongs: stats.pongs },
    faults: { redisRestart: redisReport, slowConsumers: slowReport },
    timeline,
    examples: stats.examples,
  };
  console.log(
    `[soak] heap start ${mb(summary.server.start.heapUsed ?? undefined)} end ${mb(summary.server.end.heapUsed ?? undefined)} after-leave ${mb(summary.server.afterLeave.heapUsed ?? undefined)}; ` +
      `rss start ${mb(summary.server.start.rss ?? undefined)} end ${mb(summary.server.end.rss ?? undefined)} after-leave ${mb(summary.server.afterLeave.rss ?? undefined)}`,
  );
  console.log(`SUMMARY ${JSON.stringify(summary)}`);
  return crashed ? 2 : 0;
}

function errorsTotal(): number {
  const closes = Object.values(stats.unexpectedCloses).reduce((a, b) => a + b, 0);
  return closes + stats.exceptions + stats.sendFailures + stats.joinsFailed + stats.unexpectedErrors + stats.badWrongAnswer + stats.rateLimitedOutsideFlood;
}

function memory(sample: ServerSample): { heapUsed: number | null; rss: number | null; heapTotal: number | null; external: number | null } {
  const get = (name: string): number | null => sample.metrics.get(name) ?? null;
  return {
    heapUsed: get("nodejs_heap_size_used_bytes"),
    rss: get("process_resident_memory_bytes"),
    heapTotal: get("nodejs_heap_size_total_bytes"),
    external: get("nodejs_external_memory_bytes"),
  };
}

function diff(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined ? null : Number((a - b).toFixed(1));
}

// A hard stop, in case anything hangs on the way out: the soak is bounded whatever happens.
main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    console.error(`[soak] ${describeError(error)}`);
    process.exit(1);
  },
);

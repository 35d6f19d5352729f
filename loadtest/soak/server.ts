/**
 * The server the soak starts when it is not given `--endpoint`: `node build/index.js` (built first
 * when build/ is missing or older than src/) with LOG_LEVEL=warn, every warning and error it logs
 * counted, the first 40 lines shown.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../support/serverEnv";
import { ServerProcess, type OutputStream } from "../../support/serverProcess";
import { isRecord } from "./messages";
import { example, stats } from "./stats";

/** Server lines printed as they come; after that they are only counted. */
const PRINTED_LINES = 40;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function ensureBuild(): void {
  const entry = path.join(REPO_ROOT, "build", "index.js");
  const stale = !existsSync(entry) || newestMtime(path.join(REPO_ROOT, "src")) > statSync(entry).mtimeMs;
  if (!stale) return;
  console.log(`[soak] ${existsSync(entry) ? "build/ is older than src/" : "no build/"}: running npm run build`);
  const result = spawnSync("npm", ["run", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm run build failed");
}

/** The commit the build comes from, and whether src/ has changes not in it. */
export function sourceVersion(): { commit: string; dirty: boolean } {
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout.trim();
  const dirty = spawnSync("git", ["status", "--porcelain", "src"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout.trim() !== "";
  return { commit, dirty };
}

/**
 * Starts the server for `clients` soak clients. `scaleOut`: the soak's own Redis and database (the
 * server then runs scaled out on them, as one process of many would).
 */
export function startSoakServer(
  port: number,
  clients: number,
  scaleOut: { redisUrl: string; databaseUrl: string } | undefined,
): ServerProcess {
  // Every soak client comes from this machine's one address: size the per-address HTTP budgets
  // to all of them (each may create or join several times a minute while dropping and rejoining).
  const perMinute = Math.min(1_000_000, Math.max(120, clients * 10));
  const httpRateLimits = JSON.stringify({ create: { perMinute, burst: perMinute }, join: { perMinute, burst: perMinute } });
  // Everything else at the contract's defaults: the soak's accounting assumes them.
  const env: Record<string, string> = { LOG_LEVEL: "warn", HTTP_RATE_LIMITS: httpRateLimits };
  if (scaleOut !== undefined) {
    Object.assign(env, { REDIS_URL: scaleOut.redisUrl, DATABASE_URL: scaleOut.databaseUrl, PUBLIC_ADDRESS: "127.0.0.1:{port}" });
  }
  let printedLines = 0;
  const onLine = (stream: OutputStream, line: string): void => {
    if (line.trim() === "") return;
    const level = logLevelOf(stream, line);
    if (level >= 50) stats.serverLogError++;
    else if (level >= 40) stats.serverLogWarn++;
    if (level >= 40) example(level >= 50 ? "serverError" : "serverWarn", line.slice(0, 400));
    printedLines++;
    if (printedLines <= PRINTED_LINES) console.log(`[server ${stream}] ${line.slice(0, 600)}`);
    else if (printedLines === PRINTED_LINES + 1) console.log("[server] (further server log lines are only counted)");
  };
  const server = new ServerProcess({ port, entry: { kind: "build" }, env, onLine });
  void server.exited.then(({ code, signal }) => {
    if (!server.stopRequested) console.log(`[soak] SERVER EXITED UNEXPECTEDLY (code ${code}, signal ${signal})`);
  });
  return server;
}

/** pino's level of a line (40 warn, 50 error); 0 for lines that are neither. */
function logLevelOf(stream: OutputStream, line: string): number {
  try {
    const parsed: unknown = JSON.parse(line);
    if (isRecord(parsed) && typeof parsed.level === "number") return parsed.level;
  } catch {
    // Not a pino line: start-up banners of @colyseus/tools' env loading, or a crash's stack trace.
    if (stream === "stderr" && /error|exception|^\s+at /i.test(line)) return 50;
  }
  return 0;
}

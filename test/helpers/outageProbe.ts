/**
 * What a user sees of a set of server processes, as a list of what fails: for fault tests and the
 * outage measurement (bench/redisOutage.ts). Every route and matchmaking call of the contract.
 */
import { Client } from "colyseus.js";
import type { ServerProcess } from "../../support/serverProcess";
import { within } from "../../support/waiting";

/** How long one probe may take before it counts as failing (a hung request is a failure too). */
const PROBE_TIMEOUT_MS = 2000;

interface Probe {
  what: string;
  run(): Promise<string | undefined>;
}

async function get(server: ServerProcess, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(server.httpUrl + path, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (/metrics): the text itself.
  }
  return { status: response.status, body };
}

function expectOk(server: ServerProcess, path: string, also?: (body: unknown) => string | undefined): Probe {
  return {
    what: `GET ${path} on ${server.label}`,
    async run() {
      const { status, body } = await get(server, path);
      if (status !== 200) return `answered ${status}`;
      return also?.(body);
    },
  };
}

let visitors = 0;

/** Joins `code` through `server` and leaves again. */
function joinProbe(server: ServerProcess, code: string): Probe {
  return {
    what: `joinById ${code} through ${server.label}`,
    async run() {
      const room = await new Client(server.endpoint).joinById(code, { name: `Visitor ${++visitors}` });
      await room.leave(true);
      return undefined;
    },
  };
}

/** Creates a room through `server` (its code must not be a live room's), then leaves it. */
function createProbe(server: ServerProcess, liveCodes: readonly string[]): Probe {
  return {
    what: `create through ${server.label}`,
    async run() {
      const room = await new Client(server.endpoint).create("jam", { name: "Prober" });
      const code = room.roomId;
      await room.leave(true);
      return liveCodes.includes(code) ? `was handed ${code}, the code of a live room` : undefined;
    },
  };
}

const listsAll = (codes: readonly string[]) => (body: unknown) => {
  const listed = Array.isArray(body) ? body.map((room: { roomCode?: unknown }) => room.roomCode) : [];
  const missing = codes.filter((code) => !listed.includes(code));
  return missing.length === 0 ? undefined : `does not list ${missing.join(", ")}`;
};

export interface ProbeOptions {
  /** Public live rooms, each expected in GET /rooms, by GET /rooms/:code and joinable by code. */
  liveCodes: readonly string[];
  /** Also require `redis: "ok"` in /health and 200 from /ready (not on servers that predate them). */
  readiness?: boolean;
  /** Include create and joinById (they change the rooms: skip them where that matters). */
  matchmaking?: boolean;
}

/** Everything that fails right now, as "what: why" lines; empty when the servers serve everything. */
export async function failingRoutes(servers: readonly ServerProcess[], options: ProbeOptions): Promise<string[]> {
  const probes: Probe[] = [];
  for (const server of servers) {
    const redisOk = (body: unknown) =>
      options.readiness && (body as { redis?: unknown }).redis !== "ok"
        ? `redis is ${String((body as { redis?: unknown }).redis)}`
        : undefined;
    probes.push(
      expectOk(server, "/health", redisOk),
      expectOk(server, "/rooms", listsAll(options.liveCodes)),
      expectOk(server, "/metrics"),
    );
    if (options.readiness) probes.push(expectOk(server, "/ready"));
    for (const code of options.liveCodes) probes.push(expectOk(server, `/rooms/${code}`));
    if (options.matchmaking ?? true) {
      probes.push(createProbe(server, options.liveCodes));
      for (const code of options.liveCodes) probes.push(joinProbe(server, code));
    }
  }
  const outcomes = await Promise.all(
    probes.map(async (probe) => {
      try {
        const why = await within(probe.run(), 2 * PROBE_TIMEOUT_MS, "no answer");
        return why === undefined ? undefined : `${probe.what}: ${why}`;
      } catch (error) {
        return `${probe.what}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }),
  );
  return outcomes.filter((line): line is string => line !== undefined);
}

/** The server's view of the soak, from outside: GET /health and /metrics, and the machine's CPU. */
import { readFileSync } from "node:fs";
import { isRecord } from "./messages";

export interface Health {
  status: string;
  rooms: number;
  clients: number;
}

export interface ServerSample {
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

export async function getHealth(endpoint: string): Promise<Health | undefined> {
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

export async function sampleServer(endpoint: string): Promise<ServerSample> {
  const [health, metricsText] = await Promise.all([getHealth(endpoint), getText(`${endpoint}/metrics`)]);
  return { at: Date.now(), health, metrics: metricsText === undefined ? new Map() : parseMetrics(metricsText) };
}

export interface MachineCpu {
  busy: number;
  total: number;
}

/** Whole-machine CPU ticks (Linux): the soak shares its cores with whatever else runs here. */
export function machineCpu(): MachineCpu | undefined {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return Number.isFinite(total) && total > 0 ? { busy: total - idle, total } : undefined;
  } catch {
    return undefined;
  }
}

export function memory(sample: ServerSample): {
  heapUsed: number | null;
  rss: number | null;
  heapTotal: number | null;
  external: number | null;
} {
  const get = (name: string): number | null => sample.metrics.get(name) ?? null;
  return {
    heapUsed: get("nodejs_heap_size_used_bytes"),
    rss: get("process_resident_memory_bytes"),
    heapTotal: get("nodejs_heap_size_total_bytes"),
    external: get("nodejs_external_memory_bytes"),
  };
}

export function diff(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined ? null : Number((a - b).toFixed(1));
}

/**
 * What one client address can do to a server over plain HTTP: the memory a 64 MB matchmaking body
 * costs, and how many rooms one address creates in 10 s. Starts its own server process (default
 * limits whatever this shell sets).
 *
 *   npm run faults:http -- [port]      (default port 2851)
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import type { ServerProcess } from "../../support/serverProcess";
import { startServer } from "../../support/startServer";

const BODY_BYTES = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "a");
const CREATE_SECONDS = 10;
const CONCURRENCY = 20;

function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
}

/** POSTs a chunked JSON body of ~64 MB to /matchmake/create/jam; resolves with the status and bytes the server let in. */
function hugeCreate(server: ServerProcess): Promise<{ status: number | string; sentMiB: number }> {
  return new Promise((resolve) => {
    let sent = 0;
    let settled = false;
    const finish = (status: number | string) => {
      if (settled) return;
      settled = true;
      resolve({ status, sentMiB: Math.round(sent / 1024 / 1024) });
    };
    const req = request(`${server.httpUrl}/matchmake/create/jam`, { method: "POST", headers: { "content-type": "application/json" } });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => finish(res.statusCode ?? 0));
    });
    req.on("error", (error) => finish(`connection ${(error as NodeJS.ErrnoException).code ?? error.message}`));
    const pump = () => {
      while (!settled && sent < BODY_BYTES) {
        const head = sent === 0 ? Buffer.from('{"name":"Eve","pad":"') : CHUNK;
        sent += head.length;
        if (!req.write(head)) return void req.once("drain", pump);
      }
      if (!settled) req.end('"}');
    };
    pump();
  });
}

async function roomsIn10s(server: ServerProcess): Promise<{ created: number; refused: number }> {
  const deadline = Date.now() + CREATE_SECONDS * 1000;
  let created = 0;
  let refused = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const response = await fetch(`${server.httpUrl}/matchmake/create/jam`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Eve" }),
      });
      const body = (await response.json()) as { room?: unknown };
      if (response.status === 200 && body.room !== undefined) created++;
      else refused++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { created, refused };
}

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 2851);
  // Empty counts as unset: the contract's default limits, not the test helper's generous ones.
  const server = await startServer({ port, label: "abuse", env: { HTTP_RATE_LIMITS: "" } });
  const pid = server.pid;
  if (pid === undefined) throw new Error("no pid");
  try {
    const idle = memoryMiB(pid);
    const body = await hugeCreate(server);
    const after = memoryMiB(pid);
    process.stdout.write(
      `64 MB chunked matchmaking body: answer ${body.status}, ${body.sentMiB} MiB written by the client; ` +
        `server RSS ${idle.rss} MiB before, ${after.rss} MiB after, peak ${after.peak} MiB\n`,
    );
    const rooms = await roomsIn10s(server);
    process.stdout.write(
      `rooms created by one address in ${CREATE_SECONDS} s (${CONCURRENCY} at a time): ${rooms.created} (refused: ${rooms.refused})\n`,
    );
  } finally {
    server.kill("SIGKILL");
    await server.exited;
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

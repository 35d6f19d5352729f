/**
 * Abuse a running server the way the README's Reliability table says, and print what it did:
 *
 *   npm run faults:connections -- [--endpoint http://127.0.0.1:2567] [--only seats,half-joined,slow] [--slow-seconds 60]
 *
 * - seats: 19 seat reservations with no name and no socket, then 15 musicians join by code;
 * - half-joined: a connection that never acknowledges the join, watched for 15 s;
 * - slow: a connection that never reads (but keeps answering pings) is sent 12 KB signals within
 *   the signal budget; the server's RSS (from GET /metrics) is sampled every second.
 * Only for servers on this machine: the endpoint must be a loopback address.
 */
import { Client, type Room } from "colyseus.js";
import { Flags } from "../../bench/lib/args";
import type { JamState } from "../../src/schema/JamState";
import { connectSeat, neverRead, reserveSeat } from "../../support/rawSeats";

const flags = new Flags(process.argv.slice(2));
const httpUrl = flags.string("endpoint", "http://127.0.0.1:2567").replace(/\/$/, "");
const wsUrl = httpUrl.replace(/^http/, "ws");
const only = new Set(flags.string("only", "seats,half-joined,slow").split(","));
const slowSeconds = flags.number("slow-seconds", 60);

if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(httpUrl)) {
  throw new Error(`--endpoint must be a loopback http address, got ${httpUrl}`);
}

const sdk = new Client(wsUrl);
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function report(scenario: string, figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ scenario, ...figures })}\n`);
}

async function rssBytes(): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const match = /^process_resident_memory_bytes\s+([\d.e+]+)/m.exec(text);
  if (match === null) throw new Error("GET /metrics has no process_resident_memory_bytes");
  return Number(match[1]);
}

function refusalOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function host(name: string, options: Record<string, unknown> = {}): Promise<Room<JamState>> {
  const room = await sdk.create<JamState>("jam", { name, ...options });
  await new Promise<void>((resolve) => room.onStateChange.once(() => resolve()));
  return room;
}

async function seats(): Promise<void> {
  const ann = await host("Ann", { maxParticipants: 16 });
  let reserved = 0;
  for (let i = 0; i < 19; i++) {
    try {
      await reserveSeat(httpUrl, ann.roomId, {});
      reserved++;
    } catch {
      // Refused reservations are what a fixed server may answer; count the granted ones.
    }
  }
  const refusals: string[] = [];
  const joined: Room[] = [];
  for (let i = 0; i < 15; i++) {
    try {
      joined.push(await sdk.joinById(ann.roomId, { name: `Player ${i + 1}` }));
    } catch (error) {
      refusals.push(refusalOf(error));
    }
  }
  report("seats", { anonymousReservations: reserved, joins: 15, refused: refusals.length, firstRefusal: refusals[0] ?? null });
  await Promise.all([...joined, ann].map((room) => room.leave()));
}

async function halfJoined(): Promise<void> {
  const ann = await host("Ann");
  const seat = await reserveSeat(httpUrl, ann.roomId, { name: "Lurker" });
  const started = Date.now();
  const lurker = await connectSeat(wsUrl, seat, { acknowledge: false });
  let closedAfterMs: number | null = null;
  void lurker.closed.then(() => (closedAfterMs = Date.now() - started));
  await wait(15_000);
  report("half-joined", {
    closedAfterMs,
    stillParticipantAfter15s: ann.state.participants.has(seat.sessionId),
  });
  lurker.ws.terminate();
  await ann.leave();
}

async function slow(): Promise<void> {
  const ann = await host("Ann");
  const seat = await reserveSeat(httpUrl, ann.roomId, { name: "Sloth" });
  const sloth = await connectSeat(wsUrl, seat, { acknowledge: true });
  await wait(1000);
  const baseline = await rssBytes();
  const stopPongs = neverRead(sloth.ws);
  const data = "x".repeat(12_000);
  const started = Date.now();
  let droppedAfterMs: number | null = null;
  let sent = 0;
  let peak = baseline;
  ann.onMessage("error", () => undefined);
  while (Date.now() - started < slowSeconds * 1000) {
    // 45 signals a second: inside the contract's signal budget (50/s), so no rate limit steps in.
    for (let i = 0; i < 9; i++) ann.send("signal", { to: seat.sessionId, kind: "offer", data });
    sent += 9;
    await wait(200);
    if (droppedAfterMs === null && ann.state.participants.get(seat.sessionId)?.connected === false) droppedAfterMs = Date.now() - started;
    if (sent % 45 === 0) peak = Math.max(peak, await rssBytes());
  }
  const final = await rssBytes();
  report("slow", {
    seconds: slowSeconds,
    signalsSent: sent,
    droppedAfterMs,
    rssBaselineMiB: mib(baseline),
    rssPeakMiB: mib(peak),
    rssPeakGrowthMiB: mib(peak - baseline),
    rssFinalMiB: mib(final),
  });
  stopPongs();
  sloth.ws.terminate();
  await ann.leave();
}

async function main(): Promise<void> {
  if (only.has("seats")) await seats();
  if (only.has("half-joined")) await halfJoined();
  if (only.has("slow")) await slow();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`abuse: ${refusalOf(error)}\n`);
    process.exit(1);
  },
);

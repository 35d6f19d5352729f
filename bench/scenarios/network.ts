/**
 * Musical time over real networks (`--only network`): every client plays the same step at the
 * same instant. A jam plays at 120 BPM for `--minutes`; its musicians reach the server through
 * emulated links (support/networkEmulator.ts, each its own proxy, seeded jitter), on the client
 * library as an app uses it (lib/networkMusician.ts):
 *
 * - A: 40 ± 10 ms each way, its device clock 50 ppm fast;
 * - B: 5 ± 1 ms each way;
 * - C: 40 ± 10 ms each way, joining late several times (lib/networkPlan.ts), staying up to 30 s;
 * - a control client on loopback (the host) plays the jam, changes its tempo 20 times and records
 *   the server's timeline from its state (the play, then each change's nextAt/nextPlayStartedAt).
 *
 * Every device clock also starts off the server's by a seeded offset (0.2–2 s either way): on one
 * machine the clocks would agree to start with, and an estimator that answered 0 would look exact.
 * Server and clients share the machine, so the truth is known (lib/networkMusician.ts). The
 * figures are lib/networkFigures.ts'.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { JamClient } from "../../client/src/JamClient";
import type { JamSession } from "../../client/src/JamSession";
import { transportOf } from "../../client/src/sequencer";
import { stateWhere } from "../../support/clients";
import { NetworkEmulator, type LinkShape, seededRandom } from "../../support/networkEmulator";
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import { judgeNetwork, type NetworkResult } from "../lib/networkFigures";
import { deviceClock, Musician } from "../lib/networkMusician";
import { BPM, networkPlan, STALL_MS, type JoinSlot } from "../lib/networkPlan";
import type { Listening, Segment, Span } from "../lib/networkSteps";
import { round } from "../lib/stats";
import { WallClock, sleep } from "../lib/wallClock";

const FAR: LinkShape = { delayMs: 40, jitterMs: 10 };
const NEAR: LinkShape = { delayMs: 5, jitterMs: 1 };
const SKEW_PPM = 50;
/** How long a musician waits for its clock's first estimate before it plays anyway. */
const READY_WAIT_MS = 5_000;
/** The event-loop probe's period, ms: its samples are this plus how late they came. */
const LOOP_PROBE_MS = 10;

/** The control client's view of the server's timeline: the play, then each tempo change. */
function recordTimeline(control: JamSession): Segment[] {
  const segments: Segment[] = [];
  control.onStateChange((state) => {
    if (!state.isPlaying || state.playStartedAt <= 0) return;
    if (segments.length === 0) {
      const transport = transportOf(state);
      segments.push({ from: transport.leadInEndsAt, anchor: transport.playStartedAt, tempo: transport.tempo });
    }
    if (state.nextAt !== 0 && segments.at(-1)?.from !== state.nextAt) {
      segments.push({ from: state.nextAt, anchor: state.nextPlayStartedAt, tempo: state.nextTempo });
    }
  });
  return segments;
}

export async function network(flags: Flags, link: RunnerLink): Promise<NetworkResult> {
  const url = serverUrl(flags);
  const minutes = flags.number("minutes", 10);
  const seed = flags.number("seed", 1);
  const plan = networkPlan(minutes * 60_000);
  const wall = new WallClock();
  const offsets = seededRandom(seed);
  const offsetMs = (): number => round((offsets() < 0.5 ? -1 : 1) * (200 + 1800 * offsets()), 1);

  const { hostname, port } = new URL(url);
  const target = { host: hostname, port: Number(port) };
  const emulate = (shape: LinkShape, n: number) =>
    NetworkEmulator.start({ target, up: shape, down: shape, random: seededRandom(seed * 100 + n) });
  const links = { a: await emulate(FAR, 1), b: await emulate(NEAR, 2), c: await emulate(FAR, 3) };
  const endpoint = (emulator: NetworkEmulator): string => `ws://127.0.0.1:${emulator.port}`;

  const control = await new JamClient(url, { clock: false }).create({ name: "control", tempo: BPM });
  const timeline = recordTimeline(control);
  const code = control.code;
  const clocks = { a: deviceClock(offsetMs(), SKEW_PPM), b: deviceClock(offsetMs(), 0) };
  const [a, b] = await Promise.all([
    Musician.join(endpoint(links.a), code, "A", clocks.a, wall),
    Musician.join(endpoint(links.b), code, "B", clocks.b, wall),
  ]);
  await Promise.all([a.play(READY_WAIT_MS), b.play(READY_WAIT_MS)]);

  // Every musician ticks on this process's event loop: a tick more than lookahead − tick late skips steps.
  const loop = monitorEventLoopDelay({ resolution: LOOP_PROBE_MS });
  loop.enable();
  const startedAt = performance.now();
  const start = wall.now();
  control.play();
  await stateWhere(control, (state) => state.isPlaying && state.playStartedAt > 0, 5000);
  link.ready({ code });

  /** Sleeps until `ms` after the start, or until the runner asks to stop. */
  const until = (ms: number): Promise<void> => Promise.race([sleep(Math.max(0, startedAt + ms - performance.now())), link.stopped()]);

  const stalls: Span[] = [];
  const cOffsets: number[] = [];
  const failedJoins: string[] = [];
  const cPings: { pongs: number; ms: number; rateLimited: number } = { pongs: 0, ms: 0, rateLimited: 0 };
  const lateJoin = async (slot: JoinSlot, k: number): Promise<Listening | undefined> => {
    await until(slot.at);
    if (link.stopping) return undefined;
    const offset = offsetMs();
    cOffsets.push(offset);
    let c: Musician;
    try {
      c = await Musician.join(endpoint(links.c), code, `C${k + 1}`, deviceClock(offset, 0), wall);
    } catch (error) {
      failedJoins.push(`C${k + 1}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    await c.play(READY_WAIT_MS);
    await until(slot.leaveAt);
    await c.leave();
    cPings.pongs += c.pongs;
    cPings.ms += c.endedAt - c.joinedAt;
    cPings.rateLimited += c.rateLimited;
    return c.listening();
  };

  const events = [
    ...plan.tempoChanges.map((change) => ({ at: change.at, run: () => control.tempo(change.tempo) })),
    ...plan.stalls.map((at) => ({
      at,
      run: () => {
        const from = wall.now();
        links.a.stall(STALL_MS);
        stalls.push({ from, until: from + STALL_MS });
      },
    })),
  ].sort((x, y) => x.at - y.at);
  const joins = Promise.all(plan.joins.map(lateJoin));
  const progress = setInterval(
    () => link.progress(`network: ${Math.round((performance.now() - startedAt) / 60_000)} of ${minutes} min, A ${a.steps.length} steps`),
    60_000,
  );
  for (const event of events) {
    await until(event.at);
    if (link.stopping) break;
    event.run();
  }
  await until(plan.durationMs);
  clearInterval(progress);
  const joined = (await joins).flatMap((listening) => (listening === undefined ? [] : [listening]));
  const end = wall.now();
  wall.stop();
  loop.disable();
  const late = (ns: number): number => round(Math.max(0, ns / 1e6 - LOOP_PROBE_MS), 1);
  await Promise.all([a.leave(), b.leave()]);
  await control.leave();
  await Promise.all(Object.values(links).map((emulator) => emulator.close()));

  const stayMs = (plan.joins[0]?.leaveAt ?? 0) - (plan.joins[0]?.at ?? 0);
  const judgement = judgeNetwork({ start, end, timeline, a: a.listening(), b: b.listening(), joins: joined, stalls });
  const linkText = (shape: LinkShape) => `${shape.delayMs} ± ${shape.jitterMs} ms each way`;
  return {
    ...judgement,
    minutes: round((end - start) / 60_000, 2),
    bpm: BPM,
    seed,
    links: { a: linkText(FAR), b: linkText(NEAR), c: linkText(FAR) },
    clocks: {
      a: `${SKEW_PPM} ppm fast, started ${clocks.a.offsetMs} ms off`,
      b: `started ${clocks.b.offsetMs} ms off`,
      c: `started ${cOffsets.join(", ")} ms off`,
    },
    skewPpm: SKEW_PPM,
    joinStayS: round(stayMs / 1000, 1),
    tempoChanges: plan.tempoChanges.length,
    stallMs: STALL_MS,
    pingsPerMin: {
      a: round(a.pingsPerMin(), 1),
      b: round(b.pingsPerMin(), 1),
      c: round((cPings.pongs * 60_000) / Math.max(1, cPings.ms), 1),
    },
    rateLimited: a.rateLimited + b.rateLimited + cPings.rateLimited,
    failedJoins,
    eventLoopLateMs: { p99: late(loop.percentile(99)), max: late(loop.max) },
  };
}

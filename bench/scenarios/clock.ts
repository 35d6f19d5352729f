/**
 * Clock sync: K clients in one room estimate the server clock's offset from their own, with the
 * client library's estimator (client/src/clock.ts `ServerClock`, its default burst of pings) — or,
 * with `--estimator bench`, a minimal NTP-style one of the bench's own.
 *
 * Server and clients share one machine and one clock, so the truth is known: the server stamps
 * `serverTime` with Date.now(), and the difference between Date.now() (read to sub-millisecond
 * precision, lib/wallClock.ts) and the estimator's local clock at the moment of the estimate is the
 * true offset (≈ 0). Each estimate's error is its distance from that.
 */
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import { leaveAll, onServerMessage, openRooms, type JamRoom } from "../lib/jamClients";
import type { ClockResult } from "../lib/results";
import { round, summarize } from "../lib/stats";
import { WallClock, sleep } from "../lib/wallClock";
import { ServerClock, monotonicNow, type PingChannel } from "../../client/src/clock";

export const LIBRARY_ESTIMATOR =
  "client library: ServerClock of client/src/clock.ts, default options (a burst of 20 pings 20 ms apart, then one a second; offsets weighted by round trip over a window, a line through them for the skew)";
export const BENCH_ESTIMATOR = "bench: NTP-style, offset of the min-RTT sample among the last 8 pings (bench/scenarios/clock.ts)";

interface Estimate {
  /** Server clock − local clock, ms. */
  offset: number;
  /** Round trip(s) behind it, ms. */
  rtt: number;
  /** The local clock's reading at the estimate, and Date.now()'s at the same instant. */
  localNow: number;
  wallNow: number;
}

/** One client's estimator: runs until `until`, calling `report` with each estimate. */
type Estimator = (
  room: JamRoom,
  clock: WallClock,
  until: () => boolean,
  report: (estimate: Estimate, rawOffsets: number[], rtts: number[]) => void,
) => Promise<number>;

function channelOf(room: JamRoom): PingChannel {
  return {
    sendPing: (t) => {
      room.send("ping", { t });
      return true;
    },
    onPong: (listener) => onServerMessage(room, "pong", listener),
  };
}

/** The client library as an app runs it (started: its burst, then its steady pace); read once a second. */
const libraryEstimator: Estimator = async (room, wall, until, report) => {
  const rawOffsets: number[] = [];
  const rtts: number[] = [];
  const channel = channelOf(room);
  let pings = 0;
  // Every pong, as the library computes its samples, for the raw figures.
  const stopListening = channel.onPong(({ t, serverTime }) => {
    const local = monotonicNow();
    pings++;
    rtts.push(local - t);
    rawOffsets.push(serverTime - (t + local) / 2 - (wall.now() - monotonicNow()));
  });
  const clock = new ServerClock(channel);
  clock.start();
  await clock.ready();
  while (!until()) {
    await sleep(1000);
    const estimate = clock.estimate;
    if (estimate === null) continue;
    const localNow = monotonicNow();
    const wallNow = wall.now();
    report({ offset: clock.offset, rtt: estimate.rtt, localNow, wallNow }, rawOffsets.splice(0), rtts.splice(0));
  }
  clock.stop();
  stopListening();
  return pings;
};

/** The bench's own: a ping every 250 ms, min-RTT sample of the last 8, on the sub-ms wall clock. */
const benchEstimator: Estimator = async (room, wall, until, report) => {
  const samples: { offset: number; rtt: number }[] = [];
  let pings = 0;
  onServerMessage(room, "pong", ({ t, serverTime }) => {
    const now = wall.now();
    const sample = { offset: serverTime - (t + now) / 2, rtt: now - t };
    samples.push(sample);
    if (samples.length > 8) samples.shift();
    if (samples.length < 4) return report({ offset: NaN, rtt: NaN, localNow: now, wallNow: now }, [sample.offset], [sample.rtt]);
    const best = samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    report({ offset: best.offset, rtt: best.rtt, localNow: now, wallNow: now }, [sample.offset], [sample.rtt]);
  });
  while (!until()) {
    room.send("ping", { t: wall.now() });
    pings++;
    await sleep(250);
  }
  return pings;
};

export async function clockSync(flags: Flags, link: RunnerLink): Promise<ClockResult> {
  const url = serverUrl(flags);
  const clientCount = flags.number("clients", 8);
  const seconds = flags.number("seconds", 10);
  const useBench = flags.string("estimator", "library") === "bench";
  const estimator = useBench ? benchEstimator : libraryEstimator;
  const wall = new WallClock();

  const [members] = await openRooms(url, 1, clientCount, "clock");
  link.ready();

  const errors: number[] = [];
  const raw: number[] = [];
  const rtts: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const until = (): boolean => performance.now() >= deadline || link.stopping;
  const pings = await Promise.all(
    members.map(async (room, index) => {
      await sleep((index / clientCount) * 1000);
      return estimator(room, wall, until, (estimate, rawOffsets, sampleRtts) => {
        // The truth: Date.now()'s time minus the local clock's, at the instant of the estimate.
        const truth = estimate.wallNow - estimate.localNow;
        if (Number.isFinite(estimate.offset)) errors.push(estimate.offset - truth);
        raw.push(...rawOffsets);
        rtts.push(...sampleRtts);
      });
    }),
  );
  await sleep(300);
  await leaveAll(members);
  wall.stop();
  const meanSigned = errors.reduce((total, value) => total + value, 0) / Math.max(1, errors.length);
  return {
    clients: clientCount,
    pings: pings.reduce((a, b) => a + b, 0),
    estimator: useBench ? BENCH_ESTIMATOR : LIBRARY_ESTIMATOR,
    errorMs: summarize(errors.map(Math.abs)),
    meanSignedErrorMs: round(meanSigned, 3),
    rawErrorMs: summarize(raw.map(Math.abs)),
    rttMs: summarize(rtts),
  };
}

/** Turns the measurements into the table: each figure, its ratio to the reference relays, its target. */
import { floorRows } from "./floorRows";
import { relayRows } from "./relayRows";
import { atMost, row, type Row } from "./rows";
import type { CrashCaseFigures } from "./crashFigures";
import type { NetworkResult } from "./networkFigures";
import type {
  CapacityResult,
  ClockResult,
  JamMemoryFigures,
  JoinsResult,
  MemoryResult,
  RelayResult,
  SavingFigures,
  SequencerResult,
  StateResult,
} from "./results";

export interface RelayConfig {
  rooms: number;
  perRoom: number;
  rate: number;
}

export function relayKey(config: RelayConfig): string {
  return `${config.rooms}×${config.perRoom}×${config.rate}`;
}

export interface TargetFigures {
  /** Every relay run; the table shows, per config, the run with the median CPU per delivery. */
  relay: RelayResult[];
  /** The same with each room's notes spread over the period (loadgen.js --interleave 1). */
  relaySpread?: RelayResult[];
  joins?: JoinsResult;
  memoryClients?: MemoryResult;
  memoryRooms?: MemoryResult;
  capacity?: CapacityResult;
}

export interface JamFigures extends TargetFigures {
  /** The same relay configs driven by the shared loadgen.js (same tool as the references). */
  relayLoadgen: RelayResult[];
  /** The bench driver's runs with each room's notes spread over the note period. */
  relayInterleaved: RelayResult[];
  /** loadgen.js --interleave 1 against the jam server. */
  relayLoadgenSpread: RelayResult[];
  state?: StateResult;
  clockIdle?: ClockResult;
  clockLoaded?: ClockResult;
  sequencer?: SequencerResult;
  saving?: SavingFigures;
  /** Idle rooms of a bare Colyseus room holding the same state (bench/refs/colyseusFloor.ts): the framework's floor. */
  memoryFloor?: MemoryResult;
  /** A jam's memory: recording's cost to the relay, and note fan-out to listeners. */
  jamMemory?: JamMemoryFigures;
  /** The crash scenario, one entry per deployment (one process under PM2, two on Redis). */
  crash?: CrashCaseFigures[];
  /** Musical time over emulated links (bench/scenarios/network.ts). */
  network?: NetworkResult;
}

export type { Row, Verdict } from "./rows";

export function buildRows(
  jam: JamFigures,
  ws: TargetFigures | undefined,
  socketio: TargetFigures | undefined,
  relayConfigs: RelayConfig[],
): Row[] {
  const rows: Row[] = [];
  const load = relayKey(relayConfigs[0] ?? { rooms: 50, perRoom: 8, rate: 8 });
  for (const config of relayConfigs) rows.push(...relayRows(jam, ws, socketio, config));

  const joinSection = `Joins under ${load} load`;
  if (jam.joins !== undefined || ws?.joins !== undefined || socketio?.joins !== undefined) {
    for (const [figure, pick, limit] of [
      ["create p50 ms", (j: JoinsResult) => j.createMs.p50, undefined],
      ["create p99 ms", (j: JoinsResult) => j.createMs.p99, 50],
      ["joinById p50 ms", (j: JoinsResult) => j.joinMs.p50, undefined],
      ["joinById p99 ms", (j: JoinsResult) => j.joinMs.p99, 50],
    ] as const) {
      const value = jam.joins === undefined ? undefined : pick(jam.joins);
      rows.push(
        row({
          section: joinSection,
          figure,
          jam: value,
          ws: ws?.joins === undefined ? undefined : pick(ws.joins),
          socketio: socketio?.joins === undefined ? undefined : pick(socketio.joins),
          target: limit === undefined ? undefined : `≤ ${limit}`,
          verdict: limit === undefined ? undefined : atMost(value, limit),
        }),
      );
    }
  }

  if (jam.state !== undefined) {
    const section = `State: tempo change seen by all, under ${load} load`;
    rows.push(row({ section, figure: "p50 ms", jam: jam.state.seenByAllMs.p50 }, false));
    const missed = jam.state.missed > 0;
    rows.push(
      row(
        {
          section,
          figure: "p99 ms",
          jam: jam.state.seenByAllMs.p99,
          // "Transport changes leave at once" (issue 14; it was ≤ 60 while they waited for the patch tick).
          target: "≤ 5",
          verdict: missed ? "NOT met" : atMost(jam.state.seenByAllMs.p99, 5),
        },
        false,
      ),
    );
    rows.push(
      row(
        { section, figure: "changes not seen by all within 2 s", jam: jam.state.missed, target: "0", verdict: atMost(jam.state.missed, 0) },
        false,
      ),
    );
  }

  const memory = (
    pick: (figures: TargetFigures) => MemoryResult | undefined,
    section: string,
    per: "client" | "room",
    limitWs?: number,
  ): void => {
    const j = pick(jam);
    const w = ws === undefined ? undefined : pick(ws);
    const s = socketio === undefined ? undefined : pick(socketio);
    if (j === undefined && w === undefined && s === undefined) return;
    const rss = row({
      section,
      figure: `RSS KiB per ${per}`,
      jam: per === "client" ? j?.rssKiBPerClient : j?.rssKiBPerRoom,
      ws: per === "client" ? w?.rssKiBPerClient : w?.rssKiBPerRoom,
      socketio: per === "client" ? s?.rssKiBPerClient : s?.rssKiBPerRoom,
    });
    // Idle rooms are read again once settled, for information: the verdict stays on the reading the
    // target was set against, 2 s after the joins.
    const settled =
      per === "room" && (j?.settledRssKiBPerRoom !== undefined || w?.settledRssKiBPerRoom !== undefined)
        ? row({
            section,
            figure: "RSS KiB per room, settled (52 s after the joins)",
            jam: j?.settledRssKiBPerRoom,
            ws: w?.settledRssKiBPerRoom,
            socketio: s?.settledRssKiBPerRoom,
          })
        : undefined;
    if (settled !== undefined) rss.figure = "RSS KiB per room, 2 s after the joins";
    if (limitWs !== undefined) {
      rss.target = `≤ ${limitWs} × ws`;
      rss.verdict = rss.ratioWs === undefined ? "n/a" : rss.ratioWs <= limitWs ? "met" : "NOT met";
    }
    rows.push(rss);
    if (settled !== undefined) rows.push(settled);
    rows.push(row({ section, figure: `heap KiB per ${per}`, jam: per === "client" ? j?.heapKiBPerClient : j?.heapKiBPerRoom }, false));
    if (j?.settledHeapKiBPerRoom !== undefined)
      rows.push(row({ section, figure: "heap KiB per room, settled", jam: j.settledHeapKiBPerRoom }, false));
    if (per === "room" && (j?.idleCpuPct !== undefined || w?.idleCpuPct !== undefined)) {
      const cpu = row({ section, figure: "server CPU % while idle", jam: j?.idleCpuPct, ws: w?.idleCpuPct, socketio: s?.idleCpuPct });
      cpu.target = "≤ 2 × ws";
      cpu.verdict = cpu.ratioWs === undefined ? "n/a" : cpu.ratioWs <= 2 ? "met" : "NOT met";
      rows.push(cpu);
    }
    rows.push(row({ section, figure: "RSS MiB loaded (baseline)", jam: j?.loadedRssMiB, ws: w?.loadedRssMiB, socketio: s?.loadedRssMiB }));
  };
  memory((f) => f.memoryClients, `Memory at ${jam.memoryClients?.clients ?? ws?.memoryClients?.clients ?? 1000} clients`, "client", 1.3);
  memory(
    (f) => f.memoryRooms,
    `Memory per idle room (1 client each, ${jam.memoryRooms?.rooms ?? ws?.memoryRooms?.rooms ?? ""} rooms)`,
    "room",
    2,
  );
  floorRows(rows, jam.memoryRooms, jam.memoryFloor, ws?.memoryRooms);

  for (const [label, clock] of [
    ["idle", jam.clockIdle],
    [`under ${load} load`, jam.clockLoaded],
  ] as const) {
    if (clock === undefined) continue;
    const section = `Clock sync, ${label}`;
    rows.push(row({ section, figure: "offset error p50 ms", jam: clock.errorMs.p50 }, false));
    rows.push(
      row({ section, figure: "offset error p95 ms", jam: clock.errorMs.p95, target: "≤ 2", verdict: atMost(clock.errorMs.p95, 2) }, false),
    );
    rows.push(row({ section, figure: "ping RTT p50 ms", jam: clock.rttMs.p50 }, false));
  }

  if (jam.capacity !== undefined || ws?.capacity !== undefined || socketio?.capacity !== undefined) {
    const section = "Capacity: rooms of 8 at 8 notes/s, relay p99 ≤ 20 ms and no loss (shared loadgen.js)";
    const served = (c: CapacityResult | undefined) => c?.musicians;
    const most = row({
      section,
      figure: "musicians one process serves",
      jam: served(jam.capacity),
      ws: served(ws?.capacity),
      socketio: served(socketio?.capacity),
    });
    most.target = "≥ Socket.IO's";
    most.verdict = most.ratioSocketio === undefined ? "n/a" : most.ratioSocketio >= 1 ? "met" : "NOT met";
    rows.push(most);
  }

  const seq = jam.sequencer;
  if (seq !== undefined) {
    const section = `Sequencer at ${seq.bpm} BPM, ${seq.minutes} min`;
    rows.push(row({ section, figure: "patches with a new currentStep, judged", jam: seq.patches }, false));
    rows.push(row({ section, figure: "send-time bracket p50 ms (pongs around each patch)", jam: seq.bracketMs.p50 }, false));
    rows.push(row({ section, figure: "currentStep = formula at send time", jam: seq.exact }, false));
    rows.push(row({ section, figure: "off by one within 2 ms of a step boundary", jam: seq.offByOneNearBoundary }, false));
    rows.push(
      row(
        {
          section,
          figure: "inconsistent with the formula at send time",
          jam: seq.inconsistent,
          target: "0",
          verdict: atMost(seq.inconsistent, 0),
        },
        false,
      ),
    );
    rows.push(
      row(
        {
          section,
          figure: "drift after the run, steps",
          jam: seq.driftSteps,
          target: "0 after 10 min",
          verdict: seq.minutes >= 10 ? atMost(Math.abs(seq.driftSteps), 0) : "n/a",
        },
        false,
      ),
    );
  }
  return rows;
}

/** Turns the measurements into the table: each figure, its ratio to the reference relays, its target. */
import type { CrashCaseFigures } from "./crashFigures";
import type {
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
  joins?: JoinsResult;
  memoryClients?: MemoryResult;
  memoryRooms?: MemoryResult;
}

export interface JamFigures extends TargetFigures {
  /** The same relay configs driven by the shared loadgen.js (same tool as the references). */
  relayLoadgen: RelayResult[];
  /** The bench driver's runs with each room's notes spread over the note period. */
  relayInterleaved: RelayResult[];
  state?: StateResult;
  clockIdle?: ClockResult;
  clockLoaded?: ClockResult;
  sequencer?: SequencerResult;
  saving?: SavingFigures;
  /** A jam's memory: recording's cost to the relay, and note fan-out to listeners. */
  jamMemory?: JamMemoryFigures;
  /** The crash scenario, one entry per deployment (one process under PM2, two on Redis). */
  crash?: CrashCaseFigures[];
}

export type Verdict = "met" | "NOT met" | "n/a";

export interface Row {
  section: string;
  figure: string;
  jam?: number;
  /** jam-server measured by the shared loadgen.js (relay rows only). */
  jamLoadgen?: number;
  ws?: number;
  socketio?: number;
  /** Ratios: jam (loadgen.js figure when there is one, the same tool as the references) ÷ reference. */
  ratioWs?: number;
  ratioSocketio?: number;
  target: string;
  verdict: Verdict;
}

const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? undefined : Math.round((a / b) * 100) / 100;

function row(
  partial: Omit<Row, "ratioWs" | "ratioSocketio" | "verdict" | "target"> & { target?: string; verdict?: Verdict },
  withRatios = true,
): Row {
  const base = partial.jamLoadgen ?? partial.jam;
  return {
    ...partial,
    ratioWs: withRatios ? ratio(base, partial.ws) : undefined,
    ratioSocketio: withRatios ? ratio(base, partial.socketio) : undefined,
    target: partial.target ?? "—",
    verdict: partial.verdict ?? "n/a",
  };
}

const atMost = (value: number | undefined, limit: number): Verdict =>
  value === undefined || !Number.isFinite(value) ? "n/a" : value <= limit ? "met" : "NOT met";

export function buildRows(
  jam: JamFigures,
  ws: TargetFigures | undefined,
  socketio: TargetFigures | undefined,
  relayConfigs: RelayConfig[],
): Row[] {
  const rows: Row[] = [];
  const load = relayKey(relayConfigs[0] ?? { rooms: 50, perRoom: 8, rate: 8 });
  for (const config of relayConfigs) {
    const key = relayKey(config);
    const runsOf = (list: RelayResult[] | undefined): RelayResult[] =>
      (list ?? []).filter((r) => r.rooms === config.rooms && r.perRoom === config.perRoom && r.rate === config.rate);
    const find = (list: RelayResult[] | undefined): RelayResult | undefined => medianRun(runsOf(list));
    const spread = (list: RelayResult[] | undefined): number | undefined => {
      const runs = runsOf(list);
      if (runs.length < 2) return undefined;
      const cpu = runs.map((r) => r.cpuUsPerDelivery);
      return Math.round((Math.max(...cpu) - Math.min(...cpu)) * 100) / 100;
    };
    const own = find(jam.relay);
    const lg = find(jam.relayLoadgen);
    const w = find(ws?.relay);
    const s = find(socketio?.relay);
    if (own === undefined && lg === undefined && w === undefined && s === undefined) continue;
    const section = `Relay ${key}`;
    const isHeadline = config.rooms === 50 && config.perRoom === 8 && config.rate === 8;
    rows.push(
      row({
        section,
        figure: "deliveries/s",
        jam: own?.deliveredPerSec,
        jamLoadgen: lg?.deliveredPerSec,
        ws: w?.deliveredPerSec,
        socketio: s?.deliveredPerSec,
      }),
    );
    rows.push(
      row(
        {
          section,
          figure: "loss %",
          jam: own?.lossPct,
          jamLoadgen: lg?.lossPct,
          ws: w?.lossPct,
          socketio: s?.lossPct,
          target: isHeadline ? "0" : undefined,
          verdict: isHeadline ? worst(atMost(own?.lossPct, 0), atMost(lg?.lossPct, 0)) : undefined,
        },
        false,
      ),
    );
    rows.push(
      row({
        section,
        figure: "latency p50 ms",
        jam: own?.latencyMs.p50,
        jamLoadgen: lg?.latencyMs.p50,
        ws: w?.latencyMs.p50,
        socketio: s?.latencyMs.p50,
      }),
    );
    rows.push(
      row({
        section,
        figure: "latency p99 ms",
        jam: own?.latencyMs.p99,
        jamLoadgen: lg?.latencyMs.p99,
        ws: w?.latencyMs.p99,
        socketio: s?.latencyMs.p99,
        target: isHeadline ? "≤ 10" : undefined,
        verdict: isHeadline ? worst(atMost(own?.latencyMs.p99, 10), atMost(lg?.latencyMs.p99, 10)) : undefined,
      }),
    );
    rows.push(
      row({
        section,
        figure: "latency max ms",
        jam: own?.latencyMs.max,
        jamLoadgen: lg?.latencyMs.max,
        ws: w?.latencyMs.max,
        socketio: s?.latencyMs.max,
      }),
    );
    const cpu = row({
      section,
      figure: "server CPU µs / delivered note",
      jam: own?.cpuUsPerDelivery,
      jamLoadgen: lg?.cpuUsPerDelivery,
      ws: w?.cpuUsPerDelivery,
      socketio: s?.cpuUsPerDelivery,
    });
    cpu.target = "≤ 1.10 × ws, ≤ 0.90 × Socket.IO";
    cpu.verdict =
      cpu.ratioWs === undefined || cpu.ratioSocketio === undefined
        ? "n/a"
        : cpu.ratioWs <= 1.1 && cpu.ratioSocketio <= 0.9
          ? "met"
          : "NOT met";
    rows.push(cpu);
    const runs = Math.max(
      runsOf(jam.relay).length,
      runsOf(jam.relayLoadgen).length,
      runsOf(ws?.relay).length,
      runsOf(socketio?.relay).length,
    );
    if (runs > 1) {
      rows.push(
        row(
          {
            section,
            figure: `  its spread (max − min) over the ${runs} runs`,
            jam: spread(jam.relay),
            jamLoadgen: spread(jam.relayLoadgen),
            ws: spread(ws?.relay),
            socketio: spread(socketio?.relay),
          },
          false,
        ),
      );
    }
    rows.push(
      row({
        section,
        figure: "server CPU %",
        jam: own?.serverCpuPct,
        jamLoadgen: lg?.serverCpuPct,
        ws: w?.serverCpuPct,
        socketio: s?.serverCpuPct,
      }),
    );
    rows.push(
      row(
        {
          section,
          figure: "load generator CPU %",
          jam: own?.generatorCpuPct,
          jamLoadgen: lg?.generatorCpuPct,
          ws: w?.generatorCpuPct,
          socketio: s?.generatorCpuPct,
        },
        false,
      ),
    );
    const apart = find(jam.relayInterleaved);
    if (apart !== undefined) {
      const figure = (what: string) => `${what}, each room's notes spread over the period (bench driver)`;
      rows.push(
        row({
          section,
          figure: figure("server CPU µs / delivered note"),
          jam: apart.cpuUsPerDelivery,
          ws: w?.cpuUsPerDelivery,
          socketio: s?.cpuUsPerDelivery,
        }),
      );
      rows.push(
        row({ section, figure: figure("latency p99 ms"), jam: apart.latencyMs.p99, ws: w?.latencyMs.p99, socketio: s?.latencyMs.p99 }),
      );
      rows.push(row({ section, figure: figure("loss %"), jam: apart.lossPct, ws: w?.lossPct, socketio: s?.lossPct }, false));
    }
  }

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
          target: "≤ 60",
          verdict: missed ? "NOT met" : atMost(jam.state.seenByAllMs.p99, 60),
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
    if (limitWs !== undefined) {
      rss.target = `≤ ${limitWs} × ws`;
      rss.verdict = rss.ratioWs === undefined ? "n/a" : rss.ratioWs <= limitWs ? "met" : "NOT met";
    }
    rows.push(rss);
    rows.push(row({ section, figure: `heap KiB per ${per}`, jam: per === "client" ? j?.heapKiBPerClient : j?.heapKiBPerRoom }, false));
    rows.push(row({ section, figure: "RSS MiB loaded (baseline)", jam: j?.loadedRssMiB, ws: w?.loadedRssMiB, socketio: s?.loadedRssMiB }));
  };
  memory((f) => f.memoryClients, `Memory at ${jam.memoryClients?.clients ?? ws?.memoryClients?.clients ?? 1000} clients`, "client", 1.3);
  memory(
    (f) => f.memoryRooms,
    `Memory per idle room (1 client each, ${jam.memoryRooms?.rooms ?? ws?.memoryRooms?.rooms ?? ""} rooms)`,
    "room",
  );

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

/** The run with the median server CPU per delivery (the lower middle one of an even count). */
export function medianRun(runs: readonly RelayResult[]): RelayResult | undefined {
  if (runs.length === 0) return undefined;
  const sorted = [...runs].sort((a, b) => a.cpuUsPerDelivery - b.cpuUsPerDelivery);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function worst(...verdicts: Verdict[]): Verdict {
  if (verdicts.includes("NOT met")) return "NOT met";
  if (verdicts.includes("met")) return "met";
  return "n/a";
}

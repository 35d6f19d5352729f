/**
 * The relay's rows for one configuration, in both traffic shapes: notes arriving together (a band
 * on the beat, the shared loadgen.js's default) and spread over the note period (`--interleave 1`,
 * no two notes of a room together). Each shape's jam figures are compared with the reference
 * relays' figures of the same shape, measured by the same tool in the same run.
 */
import { type JamFigures, relayKey, type RelayConfig, type TargetFigures } from "./report";
import type { RelayResult } from "./results";
import { atMost, medianRun, row, type Row, worst } from "./rows";

/** Notes together: round one's targets. Spread: round two's (issue 14). */
const CPU_TARGETS = {
  together: { ws: 1.1, socketio: 0.9 },
  spread: { ws: 1.15, socketio: 1.0 },
} as const;

interface Shape {
  name: keyof typeof CPU_TARGETS;
  /** How the rows name the shape. */
  label: string;
  own: RelayResult[];
  jamLoadgen: RelayResult[];
  ws: RelayResult[];
  socketio: RelayResult[];
}

export function relayRows(jam: JamFigures, ws: TargetFigures | undefined, socketio: TargetFigures | undefined, config: RelayConfig): Row[] {
  const shapes: Shape[] = [
    { name: "together", label: "", own: jam.relay, jamLoadgen: jam.relayLoadgen, ws: ws?.relay ?? [], socketio: socketio?.relay ?? [] },
    {
      name: "spread",
      label: ", notes spread (--interleave 1)",
      own: jam.relayInterleaved,
      jamLoadgen: jam.relayLoadgenSpread,
      ws: ws?.relaySpread ?? [],
      socketio: socketio?.relaySpread ?? [],
    },
  ];
  return shapes.flatMap((shape) => shapeRows(shape, config));
}

function shapeRows(shape: Shape, config: RelayConfig): Row[] {
  const runsOf = (list: RelayResult[]): RelayResult[] =>
    list.filter((r) => r.rooms === config.rooms && r.perRoom === config.perRoom && r.rate === config.rate);
  const spread = (list: RelayResult[]): number | undefined => {
    const runs = runsOf(list);
    if (runs.length < 2) return undefined;
    const cpu = runs.map((r) => r.cpuUsPerDelivery);
    return Math.round((Math.max(...cpu) - Math.min(...cpu)) * 100) / 100;
  };
  const own = medianRun(runsOf(shape.own));
  const lg = medianRun(runsOf(shape.jamLoadgen));
  const w = medianRun(runsOf(shape.ws));
  const s = medianRun(runsOf(shape.socketio));
  if (own === undefined && lg === undefined && w === undefined && s === undefined) return [];
  const section = `Relay ${relayKey(config)}${shape.label}`;
  const isHeadline = config.rooms === 50 && config.perRoom === 8 && config.rate === 8;
  const figures = (pick: (r: RelayResult) => number) => ({
    jam: own === undefined ? undefined : pick(own),
    jamLoadgen: lg === undefined ? undefined : pick(lg),
    ws: w === undefined ? undefined : pick(w),
    socketio: s === undefined ? undefined : pick(s),
  });
  const rows: Row[] = [row({ section, figure: "deliveries/s", ...figures((r) => r.deliveredPerSec) })];
  rows.push(
    row(
      {
        section,
        figure: "loss %",
        ...figures((r) => r.lossPct),
        target: "0",
        verdict: worst(atMost(own?.lossPct, 0), atMost(lg?.lossPct, 0)),
      },
      false,
    ),
  );
  rows.push(row({ section, figure: "latency p50 ms", ...figures((r) => r.latencyMs.p50) }));
  rows.push(
    row({
      section,
      figure: "latency p99 ms",
      ...figures((r) => r.latencyMs.p99),
      target: isHeadline ? "≤ 10" : undefined,
      verdict: isHeadline ? worst(atMost(own?.latencyMs.p99, 10), atMost(lg?.latencyMs.p99, 10)) : undefined,
    }),
  );
  rows.push(row({ section, figure: "latency max ms", ...figures((r) => r.latencyMs.max) }));
  const limit = CPU_TARGETS[shape.name];
  const cpu = row({ section, figure: "server CPU µs / delivered note", ...figures((r) => r.cpuUsPerDelivery) });
  cpu.target = `≤ ${limit.ws.toFixed(2)} × ws, ≤ ${limit.socketio.toFixed(2)} × Socket.IO`;
  cpu.verdict =
    cpu.ratioWs === undefined || cpu.ratioSocketio === undefined
      ? "n/a"
      : cpu.ratioWs <= limit.ws && cpu.ratioSocketio <= limit.socketio
        ? "met"
        : "NOT met";
  rows.push(cpu);
  const runs = Math.max(...[shape.own, shape.jamLoadgen, shape.ws, shape.socketio].map((list) => runsOf(list).length));
  if (runs > 1) {
    rows.push(
      row(
        {
          section,
          figure: `  its spread (max − min) over the ${runs} runs`,
          jam: spread(shape.own),
          jamLoadgen: spread(shape.jamLoadgen),
          ws: spread(shape.ws),
          socketio: spread(shape.socketio),
        },
        false,
      ),
    );
  }
  rows.push(row({ section, figure: "server CPU %", ...figures((r) => r.serverCpuPct) }));
  rows.push(row({ section, figure: "load generator CPU %", ...figures((r) => r.generatorCpuPct) }, false));
  return rows;
}

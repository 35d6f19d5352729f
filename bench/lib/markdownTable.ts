/** The bench's rows as a Markdown table (stdout, bench/results/<date>.md and BENCHMARKS.md). */
import type { Row } from "./report";

const cell = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? "—" : String(value));
const times = (value: number | undefined): string => (value === undefined ? "—" : `${value}×`);

export function markdownTable(rows: readonly Row[], withLoadgenColumn: boolean): string {
  const header = [
    "section",
    "figure",
    "jam-server",
    ...(withLoadgenColumn ? ["jam-server (loadgen.js)"] : []),
    "raw ws",
    "Socket.IO",
    "÷ ws",
    "÷ Socket.IO",
    "target",
    "met?",
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  let lastSection = "";
  for (const r of rows) {
    const section = r.section === lastSection ? "" : r.section;
    lastSection = r.section;
    const cells = [
      section,
      r.figure,
      cell(r.jam),
      ...(withLoadgenColumn ? [cell(r.jamLoadgen)] : []),
      cell(r.ws),
      cell(r.socketio),
      times(r.ratioWs),
      times(r.ratioSocketio),
      r.target,
      r.verdict,
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

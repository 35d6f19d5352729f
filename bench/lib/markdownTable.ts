/** The bench's rows as a Markdown table (stdout, bench/results/<date>.md and BENCHMARKS.md). */
import type { Row } from "./report";

export const cell = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? "—" : String(value));
export const times = (value: number | undefined): string => (value === undefined ? "—" : `${value}×`);

/** A Markdown table of `header` and `rows` of cells. */
export function markdownGrid(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

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
  let lastSection = "";
  const lines = rows.map((r) => {
    const section = r.section === lastSection ? "" : r.section;
    lastSection = r.section;
    return [
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
  });
  return markdownGrid(header, lines);
}

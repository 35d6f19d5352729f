/**
 * The idle-room floor's rows: what a bare Colyseus 0.16 room holding the jam's state costs
 * (bench/refs/colyseusFloor.ts), against raw ws, and the jam server against it. Its figures stand
 * in the jam-server column, which the section's name says.
 */
import type { MemoryResult } from "./results";
import { ratio, row, type Row } from "./rows";

export function floorRows(rows: Row[], jam: MemoryResult | undefined, floor: MemoryResult | undefined, ws: MemoryResult | undefined): void {
  if (floor === undefined) return;
  const section = `Memory per idle room, the framework's floor: a bare Colyseus 0.16 room holding the same state (${floor.rooms} rooms; figures in the jam-server column)`;
  rows.push(row({ section, figure: "RSS KiB per room, 2 s after the joins", jam: floor.rssKiBPerRoom, ws: ws?.rssKiBPerRoom }));
  rows.push(row({ section, figure: "RSS KiB per room, settled", jam: floor.settledRssKiBPerRoom, ws: ws?.settledRssKiBPerRoom }));
  rows.push(row({ section, figure: "heap KiB per room", jam: floor.heapKiBPerRoom }, false));
  rows.push(row({ section, figure: "heap KiB per room, settled", jam: floor.settledHeapKiBPerRoom }, false));
  rows.push(
    row({ section, figure: "server CPU % while idle (Colyseus' own patch timer per room)", jam: floor.idleCpuPct, ws: ws?.idleCpuPct }),
  );
  const versus = (figure: string, a: number | undefined, b: number | undefined): void => {
    rows.push(row({ section, figure: `jam-server ÷ floor, ${figure}`, jam: ratio(a, b) }, false));
  };
  versus("RSS per room, 2 s after the joins", jam?.rssKiBPerRoom, floor.rssKiBPerRoom);
  versus("RSS per room, settled", jam?.settledRssKiBPerRoom, floor.settledRssKiBPerRoom);
  versus("heap per room", jam?.heapKiBPerRoom, floor.heapKiBPerRoom);
  versus("heap per room, settled", jam?.settledHeapKiBPerRoom, floor.settledHeapKiBPerRoom);
}

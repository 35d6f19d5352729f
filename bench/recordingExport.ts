/**
 * `npm run bench:export`: how long the longest recording takes to load from each store and to
 * export as a MIDI file, and the longest stretch each holds the event loop (every room on the
 * process waits that long). Default: 60 minutes, 8 musicians, 8 notes a second each (note-on and
 * note-off), a tempo change every 5 minutes, stored in batches of one second.
 *
 *   npm run bench:export -- [--minutes 60] [--musicians 8] [--notes-per-s 8] [--batch-ms 1000]
 *                           [--stores sqlite,postgres] [--repeat 3]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { recordingMidi } from "../src/export/recordingMidi";
import type { JamStore } from "../src/storage/jamStore";
import { openJamStore } from "../src/storage/openJamStore";
import { finish, inSlices } from "../src/timeSlices";
import { timedWithBlocks } from "../support/eventLoopBlocks";
import { createTestDatabase } from "../support/postgres";
import { HOUR_OF_EIGHT, type Performance, performance, seedRecording } from "../support/recordings";
import { sampleJam } from "../test/storage/targets";
import { Flags } from "./lib/args";

const CODE = "K7QF2M";

interface Row {
  what: string;
  ms: number[];
  blockMs: number[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const round = (value: number): number => Math.round(value);

async function measure(what: string, repeat: number, run: () => Promise<unknown>): Promise<Row> {
  const row: Row = { what, ms: [], blockMs: [] };
  for (let i = 0; i < repeat; i++) {
    const timed = await timedWithBlocks(run);
    row.ms.push(timed.ms);
    row.blockMs.push(timed.longestBlockMs);
  }
  process.stderr.write(`${what}: ${row.ms.map(round).join(", ")} ms\n`);
  return row;
}

interface StoreCase {
  name: string;
  open(): Promise<{ store: JamStore; dispose(): Promise<void> }>;
}

const STORES: Record<string, StoreCase> = {
  sqlite: {
    name: "SQLite (DATA_DIR)",
    async open() {
      const dir = mkdtempSync(path.join(tmpdir(), "jam-export-bench-"));
      const store = openJamStore({ databaseUrl: undefined, dataDir: dir });
      return { store, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  postgres: {
    name: "PostgreSQL",
    async open() {
      const database = await createTestDatabase();
      if (database instanceof Error) throw database;
      return { store: openJamStore({ databaseUrl: database.url, dataDir: ":memory:" }), dispose: () => database.drop() };
    },
  },
};

async function storeRows(kind: StoreCase, performed: Performance, repeat: number): Promise<Row[]> {
  const { store, dispose } = await kind.open();
  try {
    await store.migrate();
    await store.save(sampleJam(CODE, performed.recording.startedAt));
    const started = Date.now();
    const id = await seedRecording(store, CODE, performed);
    process.stderr.write(`${kind.name}: stored ${performed.batches.length} batches in ${Date.now() - started} ms\n`);
    const load = await measure(`${kind.name}: load`, repeat, () => store.loadRecording(CODE, id));
    const both = await measure(`${kind.name}: load and export, sliced`, repeat, async () => {
      const recording = await store.loadRecording(CODE, id);
      if (recording === undefined) throw new Error("the recording is gone");
      return inSlices(recordingMidi(recording));
    });
    return [load, both];
  } finally {
    await store.close();
    await dispose();
  }
}

async function main(): Promise<void> {
  const flags = new Flags(process.argv.slice(2));
  const shape = {
    ...HOUR_OF_EIGHT,
    minutes: flags.number("minutes", HOUR_OF_EIGHT.minutes),
    musicians: flags.number("musicians", HOUR_OF_EIGHT.musicians),
    notesPerSecond: flags.number("notes-per-s", HOUR_OF_EIGHT.notesPerSecond),
    batchMs: flags.number("batch-ms", HOUR_OF_EIGHT.batchMs),
  };
  const repeat = flags.number("repeat", 3);
  const stores = flags.string("stores", "sqlite,postgres").split(",").filter(Boolean);
  const performed = performance(shape);
  const { recording } = performed;
  const bytes = finish(recordingMidi(recording));
  const rows = [
    await measure("export at once (finish)", repeat, async () => finish(recordingMidi(recording))),
    await measure("export sliced (inSlices, as the route does)", repeat, () => inSlices(recordingMidi(recording))),
  ];
  for (const name of stores) {
    const kind = STORES[name];
    if (kind === undefined) throw new Error(`--stores: unknown store "${name}" (sqlite, postgres)`);
    rows.push(...(await storeRows(kind, performed, repeat)));
  }
  const lines = [
    `${shape.minutes} min, ${shape.musicians} musicians × ${shape.notesPerSecond} notes/s: ${recording.events.length} events ` +
      `(${recording.notes} notes), ${performed.batches.length} stored batches; file ${(bytes.length / 1e6).toFixed(2)} MB`,
    `Node.js ${process.version}; load average at the end ${loadavg()
      .map((n) => n.toFixed(1))
      .join(", ")}; median of ${repeat}`,
    "",
    "| step | time ms | longest event-loop block ms |",
    "|---|---|---|",
    ...rows.map((row) => `| ${row.what} | ${round(median(row.ms))} | ${round(median(row.blockMs))} |`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/**
 * The saving scenario's work on the store itself, each in a process of its own and through the
 * server's own store code (src/storage): `seed` fills a store with realistic saved jams before a
 * server starts on it; `readback` loads jams and compares their patterns with what clients saw.
 * The store is `--database-url postgres://…` or `--data-dir <folder>`, as the server takes it.
 */
import { randomBytes, randomInt } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { generateRoomCode } from "../../src/rules/roomCode";
import type { JamStore, SavedJam, SavedTrack } from "../../src/storage/jamStore";
import { SQLITE_FILE, openJamStore, type StoreLocation } from "../../src/storage/openJamStore";
import type { Flags } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import type { PatternView, PatternsSeen } from "../lib/patternEdits";
import type { ReadbackResult } from "../lib/results";

const DAY_MS = 86_400_000;
/** Saves in flight at once while seeding: PostgreSQL's pool has 10 connections. */
const SEED_CONCURRENCY = 10;
const INSTRUMENTS = ["drums", "bass", "keys", "piano", "lead", "pad", "guitar", "synth"];
const NAMES = ["Ann", "Bob", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lena"];

function storeLocation(flags: Flags): StoreLocation {
  return flags.has("database-url")
    ? { databaseUrl: flags.string("database-url", ""), dataDir: ":memory:" }
    : { databaseUrl: undefined, dataDir: flags.string("data-dir", ":memory:") };
}

async function withStore<T>(flags: Flags, use: (store: JamStore) => Promise<T>): Promise<T> {
  const store = openJamStore(storeLocation(flags));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)];

/**
 * A jam as people leave them: 1–8 tracks of 16 steps (some 8 or 32), about a third of the steps
 * on, a few musicians, used within the last 20 days (so none expires while the server runs).
 */
function realisticJam(code: string, now: number): SavedJam {
  const loopSteps = pick([8, 16, 16, 16, 16, 32]);
  const musicians = Array.from(new Set(Array.from({ length: 1 + randomInt(5) }, () => pick(NAMES))));
  const tracks: SavedTrack[] = Array.from({ length: 1 + randomInt(8) }, () => ({
    id: `t-${randomBytes(4).toString("hex")}`,
    instrument: pick(INSTRUMENTS),
    createdBy: randomBytes(6).toString("base64url").slice(0, 9),
    steps: Array.from({ length: loopSteps }, () => ({ on: Math.random() < 0.35, note: 36 + randomInt(49), velocity: 40 + randomInt(88) })),
  }));
  const savedAt = now - randomInt(20 * DAY_MS);
  return {
    code,
    createdAt: savedAt - randomInt(3 * DAY_MS),
    savedAt,
    remixOf: "",
    settings: {
      tempo: 70 + randomInt(101),
      maxParticipants: 10,
      private: Math.random() < 0.2,
      transport: pick(["host", "everyone"]),
      loopSteps,
    },
    tracks,
    transport: { isPlaying: false, playStartedAt: 0, stoppedAtStep: randomInt(loopSteps) },
    musicians,
  };
}

/** Bytes the store takes: the SQLite file and its WAL, or the PostgreSQL database. */
async function storeBytes(location: StoreLocation): Promise<number> {
  if (location.databaseUrl !== undefined) {
    const client = new Client({ connectionString: location.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ bytes: string }>("select pg_database_size(current_database()) as bytes");
      return Number(rows[0]?.bytes ?? NaN);
    } finally {
      await client.end();
    }
  }
  const size = (name: string): number => {
    try {
      return statSync(join(location.dataDir, name)).size;
    } catch {
      return 0;
    }
  };
  return size(SQLITE_FILE) + size(`${SQLITE_FILE}-wal`);
}

/** `--jams N` realistic jams under fresh codes, in a migrated store. */
export async function seed(flags: Flags, link: RunnerLink): Promise<{ jams: number; seconds: number; storeBytes: number }> {
  const count = flags.number("jams", 10_000);
  const started = performance.now();
  await withStore(flags, async (store) => {
    await store.migrate();
    const codes = new Set<string>();
    while (codes.size < count) codes.add(generateRoomCode());
    const pending = [...codes];
    const now = Date.now();
    const worker = async (): Promise<void> => {
      for (let code = pending.pop(); code !== undefined; code = pending.pop()) await store.save(realisticJam(code, now));
    };
    await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
    const stored = await store.count();
    if (stored !== count) throw new Error(`seeded ${count} jams but the store holds ${stored}`);
  });
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  link.progress(`seeded ${count} jams in ${seconds} s`);
  return { jams: count, seconds, storeBytes: await storeBytes(storeLocation(flags)) };
}

/** How `saved` differs from what the clients saw: tracks present on one side only, steps that differ. */
function differences(seen: PatternView, saved: readonly SavedTrack[]): { tracks: number; steps: number } {
  const savedById = new Map(saved.map((track) => [track.id, track]));
  let tracks = saved.filter((track) => !seen.some((s) => s.id === track.id)).length;
  let steps = 0;
  for (const track of seen) {
    const kept = savedById.get(track.id);
    if (kept === undefined) {
      tracks++;
      continue;
    }
    for (const [i, step] of track.steps.entries()) {
      const other = kept.steps[i];
      if (other === undefined || other.on !== step.on || other.note !== step.note || other.velocity !== step.velocity) steps++;
    }
  }
  return { tracks, steps };
}

/**
 * Every jam of `--expected <file>` (the patterns clients saw, as JSON), loaded and compared. With
 * `--wait`, the store is opened at once and read when the runner says stop (the file written by
 * then): the read then follows the edits by no more than the runner's own delay.
 */
export async function readback(flags: Flags, link: RunnerLink): Promise<ReadbackResult & { readAt: number }> {
  return withStore(flags, async (store) => {
    if (flags.boolean("wait")) {
      await store.ping();
      link.ready();
      await link.stopped();
    }
    const expected = JSON.parse(readFileSync(flags.string("expected", ""), "utf8")) as PatternsSeen;
    const result = { jams: 0, missing: 0, tracksDiffering: 0, stepsDiffering: 0, readAt: Date.now() };
    for (const [code, seen] of Object.entries(expected)) {
      result.jams++;
      const saved = await store.load(code);
      if (saved === undefined) {
        result.missing++;
        continue;
      }
      const { tracks, steps } = differences(seen, saved.tracks);
      result.tracksDiffering += tracks;
      result.stepsDiffering += steps;
    }
    return result;
  });
}

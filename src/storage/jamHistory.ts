/**
 * A saved jam's history in the store: its versions and its recordings (a recording's events kept
 * in batches, a row each). Numbers (versions 1, 2, 3 …, recording ids) count per jam, each picked in
 * the transaction that writes it; only one room at a time has a jam open, so one writer per jam.
 */
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import {
  jamVersion,
  jamVersionDocument,
  recordedEvent,
  type JamVersion,
  type RecordedEvent,
  type JamVersionDocument,
  type Recording,
  type RecordingBatch,
  type RecordingSummary,
  type VersionSummary,
} from "./jamStore";
import { inSlices, type Sliced } from "../timeSlices";
import { jsonColumnType, readJson, type StoreKind, type StoreTables } from "./schema";

type Db = Kysely<StoreTables>;

const names = z.array(z.string());
const events = z.array(recordedEvent);

/** A jam's numbered rows: its versions (numbered by `version`) and its recordings (by `id`). */
type Numbered = { table: "jam_versions"; column: "version" } | { table: "recordings"; column: "id" };

/**
 * Writes the jam's next numbered row (`insert` gets its number) and drops all but the newest
 * `keep`, in one transaction; resolves with the number.
 */
function addNumbered(
  db: Db,
  code: string,
  { table, column }: Numbered,
  keep: number,
  insert: (trx: Db, n: number) => Promise<unknown>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const latest = await sql<{
      latest: number | string | null;
    }>`select max(${sql.ref(column)}) as latest from ${sql.table(table)} where code = ${code}`.execute(trx);
    const n = Number(latest.rows[0]?.latest ?? 0) + 1;
    await insert(trx, n);
    await sql`delete from ${sql.table(table)} where code = ${code} and ${sql.ref(column)} <= ${n - keep}`.execute(trx);
    return n;
  });
}

export function addVersion(db: Db, code: string, savedAt: number, document: JamVersionDocument, keep: number): Promise<number> {
  const json = JSON.stringify(jamVersionDocument.parse(document));
  return addNumbered(db, code, { table: "jam_versions", column: "version" }, keep, (trx, version) =>
    trx.insertInto("jam_versions").values({ code, version, saved_at: savedAt, document: json }).execute(),
  );
}

export async function listVersions(db: Db, code: string): Promise<VersionSummary[]> {
  const rows = await db.selectFrom("jam_versions").selectAll().where("code", "=", code).orderBy("version", "desc").execute();
  return rows.map((row) => {
    const { settings, tracks } = jamVersionDocument.parse(readJson(row.document));
    return { version: row.version, savedAt: Number(row.saved_at), tempo: settings.tempo, tracks: tracks.length };
  });
}

export async function loadVersion(db: Db, code: string, version: number): Promise<JamVersion | undefined> {
  const row = await db.selectFrom("jam_versions").selectAll().where("code", "=", code).where("version", "=", version).executeTakeFirst();
  if (row === undefined) return undefined;
  return jamVersion.parse({ ...jamVersionDocument.parse(readJson(row.document)), version: row.version, savedAt: Number(row.saved_at) });
}

/** Older recordings dropped go with their events (ON DELETE CASCADE). */
export function startRecording(db: Db, code: string, startedAt: number, tempo: number, keep: number): Promise<number> {
  return addNumbered(db, code, { table: "recordings", column: "id" }, keep, (trx, id) =>
    trx
      .insertInto("recordings")
      .values({ code, id, started_at: startedAt, ended_at: startedAt, tempo, notes: 0, musicians: "[]" })
      .execute(),
  );
}

/** Rows per statement: far below either database's limit of bound parameters (5 a row). */
const ROWS_PER_STATEMENT = 500;

/**
 * Every batch in two statements and no transaction, whatever the number of recordings: a
 * statement costs the server far more CPU than a row, and every recording room of the process
 * writes in the same call once a second. A batch sent again is kept once (its number is taken),
 * and each summary is whole, so a lost update is mended by the next batch.
 */
export async function appendRecordings(db: Db, kind: StoreKind, batches: readonly RecordingBatch[]): Promise<void> {
  for (let from = 0; from < batches.length; from += ROWS_PER_STATEMENT) {
    const part = batches.slice(from, from + ROWS_PER_STATEMENT);
    const withEvents = part.filter((batch) => batch.events.length > 0);
    if (withEvents.length > 0) {
      // Typed events from the rooms' recorders: checked when read back, not on every batch written.
      await db
        .insertInto("recording_chunks")
        .values(
          withEvents.map((batch) => ({
            code: batch.code,
            recording_id: batch.recordingId,
            chunk: batch.chunk,
            events: JSON.stringify(batch.events),
          })),
        )
        .onConflict((conflict) => conflict.columns(["code", "recording_id", "chunk"]).doNothing())
        .execute();
    }
    await updateSummaries(db, kind, part);
  }
}

/**
 * One UPDATE … FROM (VALUES …) for many recordings; both databases name a VALUES list's columns
 * column1, column2 …, and the casts give PostgreSQL the types its parameters lack.
 */
async function updateSummaries(db: Db, kind: StoreKind, batches: readonly RecordingBatch[]): Promise<void> {
  const json = sql.raw(jsonColumnType(kind));
  const rows = batches.map(
    (batch) =>
      sql`(cast(${batch.code} as text), cast(${batch.recordingId} as integer), cast(${batch.endedAt} as bigint), cast(${batch.notes} as integer), cast(${JSON.stringify(batch.musicians)} as ${json}))`,
  );
  await sql`update recordings set ended_at = v.column3, notes = v.column4, musicians = v.column5
    from (values ${sql.join(rows)}) as v
    where recordings.code = v.column1 and recordings.id = v.column2`.execute(db);
}

type RecordingRow = { id: number; started_at: number | string; ended_at: number | string; notes: number; musicians: unknown };

function summaryOf(row: RecordingRow): RecordingSummary {
  const startedAt = Number(row.started_at);
  return {
    id: row.id,
    startedAt,
    durationMs: Math.max(0, Number(row.ended_at) - startedAt),
    notes: row.notes,
    musicians: names.parse(readJson(row.musicians)),
  };
}

export async function listRecordings(db: Db, code: string): Promise<RecordingSummary[]> {
  const rows = await db.selectFrom("recordings").selectAll().where("code", "=", code).orderBy("id", "desc").execute();
  return rows.map(summaryOf);
}

/** Batches read per query: a few MB of JSON, so no single read holds the event loop for long. */
export const CHUNKS_PER_READ = 200;

export async function loadRecording(db: Db, code: string, id: number): Promise<Recording | undefined> {
  const row = await db.selectFrom("recordings").selectAll().where("code", "=", code).where("id", "=", id).executeTakeFirst();
  if (row === undefined) return undefined;
  // An hour's recording is thousands of batches and half a million events: read a page of batches
  // at a time (SQLite reads synchronously) and parse them a slice at a time, so the rooms on this
  // process keep playing while it loads.
  const all: RecordedEvent[] = [];
  for (let after = 0; ; ) {
    const page = await db
      .selectFrom("recording_chunks")
      .select(["chunk", "events"])
      .where("code", "=", code)
      .where("recording_id", "=", id)
      .where("chunk", ">", after)
      .orderBy("chunk")
      .limit(CHUNKS_PER_READ)
      .execute();
    await inSlices(parseInto(all, page));
    const last = page.at(-1);
    if (last === undefined || page.length < CHUNKS_PER_READ) break;
    after = last.chunk;
  }
  return { ...summaryOf(row), tempo: row.tempo, events: all };
}

function* parseInto(all: RecordedEvent[], chunks: readonly { events: unknown }[]): Sliced<void> {
  for (const chunk of chunks) {
    for (const event of events.parse(readJson(chunk.events))) all.push(event);
    yield;
  }
}

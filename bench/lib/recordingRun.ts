/**
 * Recording in a relay run: each room's host (the creator, who may drive the transport) starts a
 * recording before the first note, and once the band has left every recording is read back over
 * HTTP, so the run can say whether the store holds every note the musicians sent.
 */
import { stateWhere } from "../../support/clients";
import { sleep } from "./wallClock";
import type { JamRoom } from "./jamClients";
import type { RecordedNotes } from "./results";

const START_TIMEOUT_MS = 10_000;
/** The last batch is written as the band leaves; a store under load may take a while. */
const READBACK_TIMEOUT_MS = 10_000;
const READBACK_EVERY_MS = 250;

/** Starts a recording in every room; resolves once each host's state says it runs. */
export async function startRecordings(rooms: readonly JamRoom[][]): Promise<void> {
  await Promise.all(
    rooms.map(async ([host]) => {
      const started = stateWhere(host, (state) => state.recording, START_TIMEOUT_MS);
      host.send("record", { on: true });
      await started;
    }),
  );
}

/** Notes (note-ons) in a jam's stored recordings, from GET /jams/:code/recordings. */
async function notesOf(httpUrl: string, code: string): Promise<number> {
  const response = await fetch(`${httpUrl}/jams/${code}/recordings`, { signal: AbortSignal.timeout(10_000) });
  if (response.status === 404) return 0;
  if (!response.ok) throw new Error(`GET /jams/${code}/recordings answered ${response.status}`);
  const body: unknown = await response.json();
  if (!Array.isArray(body)) throw new Error(`GET /jams/${code}/recordings: not a list`);
  let notes = 0;
  for (const recording of body as unknown[]) {
    const count = typeof recording === "object" && recording !== null ? (recording as { notes?: unknown }).notes : undefined;
    if (typeof count !== "number") throw new Error(`GET /jams/${code}/recordings: a recording without its notes`);
    notes += count;
  }
  return notes;
}

/**
 * Reads every room's recordings until each holds the notes sent to it (`sent`, room by room) or
 * READBACK_TIMEOUT_MS passes, and says how many the store holds.
 */
export async function storedNotes(httpUrl: string, codes: readonly string[], sent: readonly number[]): Promise<RecordedNotes> {
  const deadline = performance.now() + READBACK_TIMEOUT_MS;
  for (;;) {
    const stored = await Promise.all(codes.map((code) => notesOf(httpUrl, code)));
    const short = stored.filter((notes, room) => notes < sent[room]).length;
    if (short === 0 || performance.now() >= deadline) {
      const total = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0);
      return { sent: total(sent), stored: total(stored), roomsShort: short };
    }
    await sleep(READBACK_EVERY_MS);
  }
}

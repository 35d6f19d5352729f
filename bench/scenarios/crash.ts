/**
 * The band of the crash scenario: `--jams` jams of `--per-jam` musicians, each musician a session
 * of the client library (JamClient, default options: it reconnects, and reopens its jam when the
 * room's process is gone). Every jam plays; every musician plays notes and edits a track of its
 * own with setStep, and notes when each edit shows up in the state. The runner kills the server
 * process; each musician notes when its connection dropped and when it was back in its jam, with
 * the state it found there. The result goes back once every musician is back or has given up (or
 * `--give-up-s` after the first drop, or when the runner says stop).
 */
import http from "node:http";
import { JamClient, type JamSession } from "../../client/src";
import { stateWhere } from "../../support/clients";
import { type Flags, serverUrl } from "../lib/args";
import type { RunnerLink } from "../lib/ipc";
import type { CrashDriverResult, CrashSession, TransportSnapshot } from "../lib/results";
import { AttemptLog } from "./crashAttempts";

const INSTRUMENTS = ["keys", "bass", "drums", "guitar", "synth", "pads", "lead", "perc"];
const SETUP_TIMEOUT_MS = 10_000;

const transportOf = (state: JamSession["state"]): TransportSnapshot => ({
  isPlaying: state.isPlaying,
  playStartedAt: state.playStartedAt,
  tempo: state.tempo,
});

/** One musician: its session, the edits it sent and when it saw each applied. */
class Musician {
  readonly record: CrashSession;
  /** step → index in record.edits of the edit sent last and not yet seen applied. */
  private readonly pending = new Map<number, number>();
  private sentCount = 0;
  notesReceived = 0;

  constructor(
    readonly session: JamSession,
    jam: number,
    readonly track: string,
    private readonly onChange: () => void,
  ) {
    this.record = { jam, code: session.code, track, before: transportOf(session.state), edits: [] };
    session.onStateChange((state) => this.checkApplied(state));
    session.on("note", () => {
      if (!this.dropped) this.notesReceived++;
    });
    session.onStatus((status, detail) => {
      const now = Date.now();
      const r = this.record;
      if (status === "reconnecting" && r.droppedAt === undefined) r.droppedAt = now;
      if (status === "connected" && r.droppedAt !== undefined && r.backAt === undefined) {
        r.backAt = now;
        r.reopened = detail.reopened === true;
        const state = session.state;
        const cells = state.tracks.get(track)?.steps.map((step): [boolean, number] => [step.on, step.note]) ?? null;
        r.after = { ...transportOf(state), code: session.code, cells };
      }
      if (status === "disconnected" && r.backAt === undefined) r.gaveUp = `${detail.reason}: ${detail.error?.message ?? ""}`;
      this.onChange();
    });
  }

  get dropped(): boolean {
    return this.record.droppedAt !== undefined;
  }

  /** Edits step k mod loopSteps; the k-th round's note is new to that step, so the state names the edit it holds. */
  edit(loopSteps: number): void {
    if (this.dropped) return;
    const step = this.sentCount % loopSteps;
    const note = (Math.floor(this.sentCount / loopSteps) + 1) % 128;
    if (!this.session.setStep({ track: this.track, step, on: true, note })) return;
    this.sentCount++;
    this.pending.set(step, this.record.edits.length);
    this.record.edits.push([step, note, Date.now(), 0]);
  }

  note(pitch: number): void {
    if (!this.dropped) this.session.note({ note: pitch, velocity: 90 });
  }

  /** Only edits seen before the drop count as applied: one seen in a reopened jam was applied before the kill, or never. */
  private checkApplied(state: JamSession["state"]): void {
    if (this.dropped || this.pending.size === 0) return;
    const steps = state.tracks.get(this.track)?.steps;
    for (const [step, index] of this.pending) {
      const cell = steps?.[step];
      const edit = this.record.edits[index];
      if (cell === undefined || edit === undefined || !cell.on || cell.note !== edit[1]) continue;
      edit[3] = Date.now();
      this.pending.delete(step);
    }
  }
}

/** Opens one jam: its host creates it, the others join by code, each adds its track, the host plays. */
async function openJam(client: JamClient, log: AttemptLog, jam: number, perJam: number, onChange: () => void): Promise<Musician[]> {
  const host = await client.create({ name: "m0", instrument: INSTRUMENTS[0] });
  const guests = await Promise.all(
    Array.from({ length: perJam - 1 }, (_, i) => client.join(host.code, { name: `m${i + 1}`, instrument: INSTRUMENTS[(i + 1) % 8] })),
  );
  const sessions = [host, ...guests];
  for (const [i, session] of sessions.entries()) session.addTrack(INSTRUMENTS[i % 8], `m${i}`);
  await Promise.all(sessions.map((session) => stateWhere(session, (state) => state.tracks.size === perJam, SETUP_TIMEOUT_MS)));
  host.play();
  await Promise.all(sessions.map((session) => stateWhere(session, (state) => state.isPlaying, SETUP_TIMEOUT_MS)));
  for (const [i, session] of sessions.entries()) log.know(session.room.reconnectionToken, `${session.code}/m${i}`);
  return sessions.map((session, i) => new Musician(session, jam, `m${i}`, onChange));
}

export async function crash(flags: Flags, link: RunnerLink): Promise<CrashDriverResult> {
  const url = serverUrl(flags);
  const jams = flags.number("jams", 25);
  const firstJam = flags.number("first-jam", 0);
  const perJam = flags.number("per-jam", 8);
  const noteRate = flags.number("note-rate", 4);
  const editEveryMs = flags.number("edit-every-ms", 500);
  const giveUpMs = flags.number("give-up-s", 120) * 1000;

  // A fresh connection per matchmaking request (colyseus.js goes through http.globalAgent, which it
  // holds from its first import: switched off in place). Node's keep-alive agent, on by default since
  // Node 19, now and then fails a request written on a pooled socket as that socket closes ("socket
  // hang up"); a browser retries such a request by itself, and this process stands in for browsers.
  Object.assign(http.globalAgent, { keepAlive: false });
  const client = new JamClient(url);
  const log = new AttemptLog(client);
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const musicians: Musician[] = [];
  const check = (): void => {
    if (musicians.length > 0 && musicians.every((m) => m.record.backAt !== undefined || m.record.gaveUp !== undefined)) settle();
  };
  for (let j = 0; j < jams; j++) musicians.push(...(await openJam(client, log, firstJam + j, perJam, check)));
  link.ready({ sessions: musicians.length });

  // Each musician on its own phase, so edits and notes arrive spread over time, as a band's would.
  const steadyFrom = Date.now();
  const timers: NodeJS.Timeout[] = [];
  const spread = (everyMs: number, act: (m: Musician, i: number) => void): void => {
    musicians.forEach((m, i) => {
      timers.push(setTimeout(() => timers.push(setInterval(() => act(m, i), everyMs)), Math.random() * everyMs));
    });
  };
  spread(editEveryMs, (m) => m.edit(m.session.state.loopSteps));
  spread(1000 / noteRate, (m, i) => m.note(48 + (i % perJam)));

  let firstDropAt: number | undefined;
  const giveUp = new Promise<void>((resolve) => {
    const watch = setInterval(() => {
      firstDropAt ??= musicians.find((m) => m.dropped)?.record.droppedAt;
      if (firstDropAt !== undefined && Date.now() - firstDropAt > giveUpMs) resolve();
    }, 250);
    timers.push(watch);
  });
  await Promise.race([settled, giveUp, link.stopped()]);
  for (const timer of timers) clearInterval(timer);

  const dropAt = Math.min(...musicians.map((m) => m.record.droppedAt ?? Date.now()));
  for (const m of musicians) {
    const who = `${m.record.code}/${m.track}`;
    const reopenedFrom = log.firstReopening(who, dropAt);
    if (reopenedFrom !== undefined) m.record.reopeningAt = reopenedFrom;
    if (log.answered(who, "reconnect", "4214", dropAt)) m.record.reconnectionRefused = true;
  }
  return {
    calls: log.counts(dropAt),
    sessions: musicians.map((m) => m.record),
    notesReceived: musicians.reduce((sum, m) => sum + m.notesReceived, 0),
    steadyMs: dropAt - steadyFrom,
  };
}

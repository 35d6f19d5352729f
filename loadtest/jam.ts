/**
 * A realistic jam, with @colyseus/loadtest 0.16: bots create rooms or join them by code, play notes
 * at a musician's rate (note on, note off a moment later), the host changes the tempo and starts and
 * stops the transport, everyone pings for clock sync now and then, and some drop and reconnect.
 * Every few seconds the log shows what the bots measured: note latency sender → receiver, how long a
 * tempo change took to reach the room, reconnections and errors.
 *
 *   npm run loadtest -- [--endpoint ws://localhost:2567] [--rooms 10] [--bots-per-room 6]
 *                       [--note-rate 4] [--tempo-every-s 20] [--transport-every-s 45]
 *                       [--ping-every-s 15] [--drop-every-s 120] [--delay 20] [--output loadtest.log]
 *   npm run loadtest -- --roomId K7QF2M --numClients 5     (bots join one existing room)
 *
 * `--numClients` defaults to rooms × bots-per-room and `--room` to "jam". Rate options are per bot;
 * the "every" options are means of exponentially distributed waits. Press q or Ctrl-C to stop.
 *
 * All bots come from this machine's one address: start the target server with per-address HTTP
 * budgets sized to the load, e.g. HTTP_RATE_LIMITS='{"create":{"perMinute":1000},"join":{"perMinute":10000}}'
 * (or perMinute 0 for no limit), or creates beyond the first 20 rooms get 429.
 */
import { CloseCode } from "../src/protocol/codes";
import { cli, type Options } from "@colyseus/loadtest";
import { Client, type Room } from "colyseus.js";
import { parseArgs } from "node:util";
import type { ServerMessages } from "../src/protocol/serverMessages";
import type { JamState } from "../src/schema/JamState";
import { percentileOf } from "../support/percentile";

// ─── options ──────────────────────────────────────────────────────────────────────────────────────

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: false,
  options: {
    rooms: { type: "string", default: "10" },
    "bots-per-room": { type: "string", default: "6" },
    "note-rate": { type: "string", default: "4" },
    "tempo-every-s": { type: "string", default: "20" },
    "transport-every-s": { type: "string", default: "45" },
    "ping-every-s": { type: "string", default: "15" },
    "drop-every-s": { type: "string", default: "120" },
    "report-every-s": { type: "string", default: "5" },
  },
});

function numberOption(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${String(name)} must be a number ≥ 0, got "${String(values[name])}"`);
  return value;
}

const ROOMS = Math.max(1, Math.floor(numberOption("rooms")));
const BOTS_PER_ROOM = Math.max(1, Math.floor(numberOption("bots-per-room")));
/** Note-ons per second per bot; each is followed by its note-off. */
const NOTE_RATE = numberOption("note-rate");
const TEMPO_EVERY_S = numberOption("tempo-every-s");
const TRANSPORT_EVERY_S = numberOption("transport-every-s");
const PING_EVERY_S = numberOption("ping-every-s");
const DROP_EVERY_S = numberOption("drop-every-s");
const REPORT_EVERY_S = Math.max(1, numberOption("report-every-s"));

// @colyseus/loadtest needs a room and a client count; derive them from the jam options.
if (!process.argv.includes("--room") && !process.argv.includes("--roomId")) process.argv.push("--room", "jam");
if (!process.argv.includes("--numClients")) process.argv.push("--numClients", String(ROOMS * BOTS_PER_ROOM));

// ─── what the bots measure, all together ─────────────────────────────────────────────────────────

const stats = {
  notesSent: 0,
  notesReceived: 0,
  noteLatencies: [] as number[],
  tempoChanges: 0,
  tempoSeenByAll: [] as number[],
  /** Tempo changes some connected bot had not seen 5 s later (it may have dropped meanwhile). */
  tempoUnseen: 0,
  transportChanges: 0,
  pings: 0,
  drops: 0,
  reconnections: 0,
  reconnectionFailures: 0,
  errors: new Map<string, number>(),
};

/** Send time of each note in flight, by the process-wide `seq` it carries. */
const noteSentAt = new Map<number, number>();
let nextSeq = 0;

/** A percentile of `values` for the report line, one decimal; "—" before any sample. */
function percentile(values: number[], p: number): string {
  return values.length === 0 ? "—" : percentileOf(values, p).toFixed(1);
}

function report(): void {
  const errors = [...stats.errors].map(([code, count]) => `${code} ${count}`).join(", ") || "none";
  console.log(
    `notes ${stats.notesSent} sent, ${stats.notesReceived} received, latency p50 ${percentile(stats.noteLatencies, 0.5)} p99 ${percentile(stats.noteLatencies, 0.99)} ms | ` +
      `tempo ×${stats.tempoChanges} (unseen by some ${stats.tempoUnseen}) seen by all p50 ${percentile(stats.tempoSeenByAll, 0.5)} p99 ${percentile(stats.tempoSeenByAll, 0.99)} ms | ` +
      `transport ×${stats.transportChanges}, pings ${stats.pings}, drops ${stats.drops}, reconnected ${stats.reconnections} (failed ${stats.reconnectionFailures}) | errors: ${errors}`,
  );
  stats.noteLatencies = [];
  stats.tempoSeenByAll = [];
  // Notes that never came back (their receivers dropped) must not pile up.
  const stale = performance.now() - 10_000;
  for (const [seq, at] of noteSentAt) if (at < stale) noteSentAt.delete(seq);
}
setInterval(report, REPORT_EVERY_S * 1000).unref();

// ─── rooms: the first bot of each creates it, the others join by code ───────────────────────────

const INSTRUMENTS = ["keys", "bass", "drums", "guitar", "synth", "vocals"];

/** Each room's code, as its creator learns it; its joiners wait for it (and fail with it). */
interface CodeSlot {
  code: Promise<string>;
  resolve(code: string): void;
  reject(error: unknown): void;
}
const roomCodes = new Map<number, CodeSlot>();

function codeSlot(roomIndex: number): CodeSlot {
  let slot = roomCodes.get(roomIndex);
  if (slot === undefined) {
    let resolve!: (code: string) => void;
    let reject!: (error: unknown) => void;
    const code = new Promise<string>((ok, ko) => {
      resolve = ok;
      reject = ko;
    });
    code.catch(() => undefined);
    slot = { code, resolve, reject };
    roomCodes.set(roomIndex, slot);
  }
  return slot;
}

/** An exponentially distributed wait with the given mean (a Poisson process of events). */
function randomWait(meanS: number): number {
  return -Math.log(1 - Math.random()) * meanS * 1000;
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

const TEMPO_UNSEEN_AFTER_MS = 5000;

/** Tempo changes in flight per room code: the bots of a room all live in this process. */
const pendingTempo = new Map<string, { tempo: number; sentAt: number; waiting: Set<string> }>();
const botsInRoom = new Map<string, Set<Bot>>();

class Bot {
  private room!: Room<JamState>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private connected = false;

  constructor(
    private readonly client: Client,
    private readonly name: string,
    private readonly isCreator: boolean,
  ) {}

  get sessionId(): string {
    return this.room.sessionId;
  }

  async enter(join: () => Promise<Room<JamState>>): Promise<void> {
    this.attach(await join());
    let bots = botsInRoom.get(this.room.roomId);
    if (bots === undefined) {
      bots = new Set();
      botsInRoom.set(this.room.roomId, bots);
    }
    bots.add(this);
    this.play();
  }

  private attach(room: Room<JamState>): void {
    this.room = room;
    this.connected = true;
    room.onMessage("note", (note: ServerMessages["note"]) => {
      stats.notesReceived++;
      const sentAt = note.seq === undefined ? undefined : noteSentAt.get(note.seq);
      if (sentAt !== undefined) stats.noteLatencies.push(performance.now() - sentAt);
    });
    room.onMessage("error", (error: ServerMessages["error"]) => stats.errors.set(error.code, (stats.errors.get(error.code) ?? 0) + 1));
    room.onMessage("*", () => undefined);
    room.onStateChange((state) => this.checkTempo(state));
    room.onLeave((code) => {
      this.connected = false;
      // 4000 is a consented leave (our own drops close with 1000-ish codes): anything else is unexpected.
      if (code !== CloseCode.CONSENTED && code !== 1000 && code !== 1005)
        stats.errors.set(`close ${code}`, (stats.errors.get(`close ${code}`) ?? 0) + 1);
    });
  }

  private checkTempo(state: JamState): void {
    const pending = pendingTempo.get(this.room.roomId);
    if (pending === undefined || state.tempo !== pending.tempo || !pending.waiting.delete(this.sessionId)) return;
    if (pending.waiting.size === 0) {
      stats.tempoSeenByAll.push(performance.now() - pending.sentAt);
      pendingTempo.delete(this.room.roomId);
    }
  }

  private isHost(): boolean {
    return this.room.state?.host === this.sessionId;
  }

  /** Runs `action` after a random wait of mean `meanS`, again and again (never when the mean is 0). */
  private every(meanS: number, action: () => void): void {
    if (meanS <= 0) return;
    const schedule = (): void => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.connected) action();
        schedule();
      }, randomWait(meanS));
      this.timers.add(timer);
    };
    schedule();
  }

  private play(): void {
    if (NOTE_RATE > 0) this.every(1 / NOTE_RATE, () => this.playNote());
    this.every(TEMPO_EVERY_S, () => this.changeTempo());
    this.every(TRANSPORT_EVERY_S, () => this.toggleTransport());
    this.every(PING_EVERY_S, () => this.pingBurst());
    this.every(DROP_EVERY_S, () => void this.dropAndReconnect());
    if (this.isCreator) this.room.send("play", {});
  }

  private playNote(): void {
    nextSeq = (nextSeq + 1) >>> 0;
    const seq = nextSeq;
    const note = 36 + Math.floor(Math.random() * 48);
    noteSentAt.set(seq, performance.now());
    this.room.send("note", { note, velocity: 60 + Math.floor(Math.random() * 60), on: true, seq });
    stats.notesSent++;
    const off = setTimeout(
      () => {
        this.timers.delete(off);
        if (this.connected) this.room.send("note", { note, on: false });
      },
      100 + Math.random() * 300,
    );
    this.timers.add(off);
  }

  private changeTempo(): void {
    const pending = pendingTempo.get(this.room.roomId);
    if (pending !== undefined && performance.now() - pending.sentAt > TEMPO_UNSEEN_AFTER_MS) {
      stats.tempoUnseen++;
      pendingTempo.delete(this.room.roomId);
    }
    if (!this.isHost() || pendingTempo.has(this.room.roomId)) return;
    const current = this.room.state.tempo;
    const tempo = Math.min(200, Math.max(70, current + pick([-8, -4, -2, 2, 4, 8])));
    if (tempo === current) return;
    const waiting = new Set<string>();
    for (const bot of botsInRoom.get(this.room.roomId) ?? []) if (bot.connected) waiting.add(bot.sessionId);
    pendingTempo.set(this.room.roomId, { tempo, sentAt: performance.now(), waiting });
    this.room.send("tempo", { tempo });
    stats.tempoChanges++;
  }

  private toggleTransport(): void {
    if (!this.isHost()) return;
    this.room.send(this.room.state.isPlaying ? pick(["pause", "stop"]) : "play", {});
    stats.transportChanges++;
  }

  /** A clock-sync burst, as a client library does it: a few pings 50 ms apart. */
  private pingBurst(): void {
    for (let i = 0; i < 5; i++) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.connected) return;
        this.room.send("ping", { t: performance.timeOrigin + performance.now() });
        stats.pings++;
      }, i * 50);
      this.timers.add(timer);
    }
  }

  /** The connection breaks (no consent: the server keeps the seat); a few seconds later it comes back. */
  private async dropAndReconnect(): Promise<void> {
    const token = this.room.reconnectionToken;
    stats.drops++;
    this.connected = false;
    await this.room.leave(false).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 4000));
    try {
      this.attach(await this.client.reconnect<JamState>(token));
      stats.reconnections++;
    } catch (error) {
      stats.reconnectionFailures++;
      console.error(`${this.name} could not reconnect: ${String(error)}`);
    }
  }
}

// ─── entry point for @colyseus/loadtest ─────────────────────────────────────────────────────────

export async function main(options: Options): Promise<void> {
  const client = new Client(options.endpoint);
  const roomIndex = Math.floor(options.clientId / BOTS_PER_ROOM);
  const seat = options.clientId % BOTS_PER_ROOM;
  const name = `bot${options.clientId}`;
  const profile = { name, instrument: pick(INSTRUMENTS) };
  if (options.roomId) {
    await new Bot(client, name, false).enter(() => client.joinById<JamState>(options.roomId, profile));
  } else if (seat === 0) {
    const slot = codeSlot(roomIndex);
    await new Bot(client, name, true)
      .enter(async () => {
        const room = await client.create<JamState>(options.roomName, { ...profile, tempo: 90 + Math.floor(Math.random() * 60) });
        slot.resolve(room.roomId);
        return room;
      })
      .catch((error: unknown) => {
        slot.reject(error);
        throw error;
      });
  } else {
    const code = await codeSlot(roomIndex).code;
    await new Bot(client, name, false).enter(() => client.joinById<JamState>(code, profile));
  }
}

cli(main);

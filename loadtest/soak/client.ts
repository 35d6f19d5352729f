/**
 * One soak client: a musician who plays notes, pings, edits steps, runs the transport when host,
 * and now and then sends a malformed payload, floods, or has its connection cut and comes back.
 * Everything it sees and misses goes into the counters (stats.ts) and its note ledger.
 */
import type { Client } from "colyseus.js";
import { sleep, valueWithin } from "../../support/waiting";
import { badPayloads, countErrorAnswer, type ExpectedError } from "./badPayloads";
import { describeError } from "./format";
import {
  isRecord,
  LOOP_STEPS,
  NOTE_LEAD_MS,
  noteFor,
  PING_EVERY_MS,
  TRACK_ID,
  velocityFor,
  type JamRoomHandle,
  type JamView,
} from "./messages";
import { countNote, countTail, sessions } from "./noteCounting";
import { NoteLedger } from "./noteLedger";
import type { SoakOptions } from "./options";
import { Pings } from "./pings";
import { between, expDelayMs, random, randomInt } from "./random";
import { badSentByLabel, bump, example, stats } from "./stats";

export type Phase = "idle" | "connected" | "dropping" | "reconnecting" | "gone" | "left";

export interface RoomGroup {
  index: number;
  code: string;
  clients: SoakClient[];
}

export class SoakClient {
  phase: Phase = "idle";
  room: JamRoomHandle | undefined;
  sessionId = "";
  private token = "";
  private rejoins = 0;
  /** Its notes sent, and those of its roommates received. */
  readonly ledger = new NoteLedger();
  /** Its pings in flight and the server's clock as they tell it. */
  readonly pings: Pings;
  private expectedErrors: ExpectedError[] = [];
  /** True from the first flood note until the server has drained the flood and the bucket refilled. */
  private flooding = false;
  /** The drop / reconnection / flood under way, if any. */
  busy: Promise<void> | undefined;
  private expectingClose = false;
  private closed: (() => void) | undefined;

  private nextNoteAt = 0;
  private nextPingAt = 0;
  private nextBadAt = 0;
  private nextDropAt = 0;
  private nextFloodAt = 0;
  private nextHostActionAt = 0;
  private nextStepEditAt = 0;

  constructor(
    readonly sdk: Client,
    readonly group: RoomGroup,
    readonly name: string,
    private readonly options: SoakOptions,
  ) {
    this.pings = new Pings(name, this.ledger);
  }

  isHost(): boolean {
    return this.room?.state?.host === this.sessionId;
  }

  get connected(): boolean {
    return this.phase === "connected" && this.room !== undefined && this.room.connection.isOpen;
  }

  // ── joining ──

  async create(): Promise<void> {
    const room = await this.sdk.create<JamView>("jam", { name: this.name, instrument: "keys", maxParticipants: this.options.perRoom });
    this.group.code = room.roomId;
    this.attach(room, "new");
    // The room's shared pattern track, so everyone's step edits have a target.
    this.send("addTrack", { id: TRACK_ID, instrument: "drums" });
  }

  async join(name = this.name): Promise<void> {
    const room = await this.sdk.joinById<JamView>(this.group.code, { name, instrument: "bass" });
    this.attach(room, "new");
  }

  /** Binds a (new) Room object: listeners, token, floors for note accounting. */
  private attach(room: JamRoomHandle, how: "new" | "reconnected"): void {
    this.room = room;
    this.token = room.reconnectionToken;
    if (how === "new") {
      this.sessionId = room.sessionId;
      this.ledger.startSession();
      sessions.set(room.sessionId, this);
    }
    // Everything any roommate sends from now on must reach this client.
    this.ledger.connected(this.group.clients.filter((mate) => mate !== this && mate.sessionId !== ""));
    this.pings.forget();
    // The old socket keeps delivering what the server sent before it died until it is gone: only
    // now can an answer to a malformed payload no longer come.
    stats.badUnansweredAtDrop += this.expectedErrors.length;
    this.expectedErrors = [];
    this.phase = "connected";

    room.onMessage<unknown>("note", (message) => this.guard(() => countNote(this, message)));
    room.onMessage<unknown>("pong", (message) => this.guard(() => this.pings.answered(message)));
    room.onMessage<unknown>("error", (message) => this.guard(() => this.onError(message)));
    // chat, event, signal, server-restart: not used by the soak; keep colyseus.js from warning.
    room.onMessage<unknown>("*", () => undefined);
    room.onLeave((code) => this.guard(() => this.onClose(room, code)));

    const now = Date.now();
    this.nextNoteAt = now + between(0, 1000 / this.options.noteRate);
    this.nextPingAt = now + between(0, PING_EVERY_MS);
    this.nextBadAt = now + expDelayMs(this.options.badEveryS);
    this.nextDropAt = now + expDelayMs(this.options.dropEveryS);
    this.nextFloodAt = now + expDelayMs(this.options.floodEveryS);
    this.nextHostActionAt = now + between(3000, 15000);
    this.nextStepEditAt = now + between(5000, 20000);
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      stats.exceptions++;
      example("exception", describeError(error));
    }
  }

  private send(type: string | number, payload?: unknown): boolean {
    if (!this.connected || this.room === undefined) return false;
    try {
      this.room.send(type, payload);
      return true;
    } catch (error) {
      stats.sendFailures++;
      example("sendFailure", `${this.name} ${String(type)}: ${describeError(error)}`);
      return false;
    }
  }

  // ── the regular life of a musician, driven by the scheduler's tick ──

  tick(now: number): void {
    if (this.phase !== "connected" || this.busy !== undefined) return;
    if (!this.flooding && now >= this.nextNoteAt) {
      this.sendNote();
      this.nextNoteAt += 1000 / this.options.noteRate;
      if (this.nextNoteAt < now - 1000) this.nextNoteAt = now;
    }
    if (now >= this.nextPingAt) {
      this.ping();
      this.nextPingAt = now + PING_EVERY_MS;
    }
    if (now >= this.nextHostActionAt) {
      if (this.isHost()) this.hostAction();
      this.nextHostActionAt = now + between(5000, 15000);
    }
    if (now >= this.nextStepEditAt) {
      if (this.send("setStep", { track: TRACK_ID, step: randomInt(0, LOOP_STEPS - 1), on: random() < 0.5, note: randomInt(36, 84) }))
        stats.stepEdits++;
      this.nextStepEditAt = now + between(10_000, 30_000);
    }
    if (now >= this.nextBadAt) {
      this.sendBadPayload();
      this.nextBadAt = now + expDelayMs(this.options.badEveryS);
    }
    if (now >= this.nextFloodAt) {
      this.nextFloodAt = now + expDelayMs(this.options.floodEveryS);
      this.run(() => this.flood());
    } else if (now >= this.nextDropAt) {
      this.nextDropAt = now + expDelayMs(this.options.dropEveryS);
      this.run(() => this.dropAndReconnect(random() < 0.1 ? "oversize" : "terminate"));
    }
  }

  private run(action: () => Promise<void>): void {
    const busy = action()
      .catch((error: unknown) => {
        stats.exceptions++;
        example("exception", `${this.name}: ${describeError(error)}`);
      })
      .finally(() => {
        if (this.busy === busy) this.busy = undefined;
      });
    this.busy = busy;
  }

  private sendNote(): void {
    const seq = this.ledger.nextSeq;
    const at = Date.now() + this.pings.serverOffsetMs + NOTE_LEAD_MS;
    if (!this.send("note", { note: noteFor(seq), velocity: velocityFor(seq), on: true, step: seq % LOOP_STEPS, at, seq })) return;
    this.ledger.sent(seq);
    stats.notesSent++;
  }

  private ping(resolve?: (answered: boolean) => void): void {
    const t = Date.now();
    if (!this.send("ping", { t })) {
      resolve?.(false);
      return;
    }
    this.pings.sent(t, resolve);
  }

  /** Resolves once the server has handled everything this client sent before (pongs come in order). */
  barrier(timeoutMs: number): Promise<boolean> {
    return valueWithin(new Promise<boolean>((resolve) => this.ping(resolve)), timeoutMs, false);
  }

  private hostAction(): void {
    const roll = random();
    stats.transportActions++;
    if (roll < 0.4) this.send("tempo", { tempo: randomInt(60, 180) + (random() < 0.3 ? 0.5 : 0) });
    else if (roll < 0.65) this.send("play", random() < 0.5 ? {} : { step: randomInt(0, LOOP_STEPS - 1) });
    else if (roll < 0.8) this.send("stop", {});
    else if (roll < 0.9) this.send("pause", {});
    else this.send("seek", { step: randomInt(0, LOOP_STEPS - 1) });
  }

  private sendBadPayload(): void {
    const otherSessionId = this.group.clients.find((c) => c !== this && c.phase === "connected")?.sessionId;
    const choices = badPayloads({ isHost: this.isHost(), sessionId: this.sessionId, otherSessionId });
    const choice = choices[randomInt(0, choices.length - 1)];
    if (choice === undefined) return;
    if (!this.send(choice.type, choice.payload)) return;
    stats.badSent++;
    bump(badSentByLabel, choice.label);
    this.expectedErrors.push(choice.expect);
  }

  // ── chaos ──

  /** A short burst far over the note budget (but one second only: the disconnect needs five). */
  private async flood(): Promise<void> {
    this.flooding = true;
    stats.floods++;
    try {
      const chunks = 10;
      const perChunk = Math.ceil(this.options.floodNotes / chunks);
      let left = this.options.floodNotes;
      for (let chunk = 0; chunk < chunks && left > 0; chunk++) {
        for (let i = 0; i < perChunk && left > 0; i++, left--) {
          // No seq: flood notes are outside the loss accounting.
          if (this.send("note", { note: 100, velocity: 1 })) stats.floodNotesSent++;
        }
        await sleep(100);
      }
      // The server has read the whole flood once this is answered; then let the bucket refill.
      await this.barrier(15_000);
      await sleep(1200);
    } finally {
      this.flooding = false;
    }
  }

  /** Cuts the connection under the client's feet, then comes back with the newest token. */
  private async dropAndReconnect(kind: "terminate" | "oversize"): Promise<void> {
    const room = this.room;
    if (room === undefined || !this.connected) return;
    const transport: unknown = room.connection.transport;
    const ws: unknown = isRecord(transport) ? transport.ws : undefined;
    if (!isRecord(ws) || typeof ws.terminate !== "function") throw new Error("no ws socket under room.connection.transport");
    const terminate = (): void => void (ws.terminate as () => void).call(ws);

    stats.drops++;
    this.phase = "dropping";
    this.markUncertain();
    const closed = new Promise<void>((resolve) => (this.closed = resolve));
    this.expectingClose = true;
    if (kind === "terminate") {
      terminate();
    } else {
      stats.oversizeDrops++;
      // A frame over MAX_PAYLOAD_BYTES (16 KB): the server must close this connection with 1009.
      const to = this.group.clients.find((c) => c !== this && c.connected)?.sessionId ?? this.sessionId;
      room.send("signal", { to, kind: "ice", data: "x".repeat(20_000) });
      const closedInTime = await valueWithin(
        closed.then(() => true),
        5000,
        false,
      );
      if (!closedInTime) {
        stats.oversizeNotClosed++;
        example("oversizeNotClosed", `${this.name}: no close 5 s after a 20 KB frame`);
        terminate();
      }
    }
    await valueWithin(closed, 10_000, undefined);
    this.expectingClose = false;
    await sleep(between(300, 5000));
    await this.comeBack();
  }

  /** Everything sent after the last confirmed seq may not have been read by the server. */
  private markUncertain(): void {
    this.ledger.markUncertain();
    this.pings.abandon();
  }

  /** Reconnect with the newest token (a few tries); failing that, join again under a new name. */
  private async comeBack(): Promise<void> {
    this.phase = "reconnecting";
    // 1, 2, 4 and 8 s apart: 15 s of tries, enough to outlast a Redis restart, within the 30 s grace.
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const room = await this.sdk.reconnect<JamView>(this.token);
        this.attach(room, "reconnected");
        stats.reconnectOk++;
        if (attempt > 1) stats.reconnectRetries += attempt - 1;
        return;
      } catch (error) {
        example("reconnectAttemptFailed", `${this.name} attempt ${attempt}: ${describeError(error)}`);
        if (attempt < 5) await sleep(1000 * 2 ** (attempt - 1));
      }
    }
    stats.reconnectFailed++;
    example("reconnectFailed", `${this.name} (${this.sessionId}) in ${this.group.code}`);
    this.rejoins++;
    try {
      await this.join(`${this.name}~${this.rejoins}`);
      stats.rejoinOk++;
    } catch (error) {
      stats.rejoinFailed++;
      example("rejoinFailed", `${this.name}: ${describeError(error)}`);
      this.phase = "gone";
    }
  }

  private onClose(room: JamRoomHandle, code: number): void {
    if (room !== this.room) return;
    if (this.expectingClose) {
      this.closed?.();
      return;
    }
    if (this.phase === "left") return;
    // The server closed us, or the socket died, without us asking.
    bump(stats.unexpectedCloses, String(code));
    example("unexpectedClose", `${this.name} (${this.sessionId}) in ${this.group.code}: code ${code}`);
    this.markUncertain();
    this.phase = "reconnecting";
    // After whatever was under way (a flood) has finished.
    const prior = this.busy ?? Promise.resolve();
    this.run(async () => {
      await prior;
      await sleep(500);
      await this.comeBack();
    });
  }

  // ── receiving ──

  /** After the final barriers: whatever a connected roommate sent and never arrived here is lost. */
  checkTail(): void {
    countTail(this);
  }

  private onError(message: unknown): void {
    countErrorAnswer(message, { name: this.name, isHost: this.isHost(), flooding: this.flooding }, this.expectedErrors);
  }

  get unansweredBadPayloads(): number {
    return this.expectedErrors.length;
  }

  async leave(): Promise<void> {
    const room = this.room;
    if (room === undefined || !this.connected) {
      this.phase = "left";
      return;
    }
    this.phase = "left";
    await valueWithin(room.leave(true), 5000, -1);
  }
}

/**
 * The fuzz's clients: a Fuzzer sends garbage and comes back after every disconnect (by token when
 * the contract keeps its seat, as a new participant otherwise); a Slot is a fuzzed room and its
 * fuzzers.
 */
import { CloseCode } from "../../../src/protocol/codes";
import { setTimeout as pause } from "node:timers/promises";
import type { Room as ServerRoom } from "@colyseus/core";
import type { Room } from "colyseus.js";
import type { ErrorReply, Pong } from "../../../src/protocol/serverMessages";
import type { JamState } from "../../../src/schema/JamState";
import type { JamTestServer } from "../../helpers/server";
import { stats } from "./server";

export type ProblemKind = "crashes" | "handlerExceptions" | "invariantViolations" | "deviations";

/** What fuzzers and rooms need of the harness that runs them. */
export interface FuzzContext {
  readonly server: JamTestServer;
  sdk(): JamTestServer["colyseus"]["sdk"];
  report(kind: ProblemKind, problem: string): void;
}

let nameCounter = 0;
export const freshName = (prefix = "fz") => `${prefix}-${++nameCounter}`;
let markerCounter = 0;
/** `t` of the sync pings: far from anything the fuzz sends as `ping.t`. */
const nextMarker = () => 7e15 + ++markerCounter;
/** A version number no fuzzed jam reaches. */
const RESTORE_BARRIER_VERSION = 999_999;

/** A client that sends garbage and comes back after every disconnect. */
export class Fuzzer {
  room!: Room<JamState>;
  open = false;
  lastClose = 0;
  lastFrameBytes = 0;
  /** What this fuzzer sent last, for the report. */
  lastSent = "";
  reconnected = false;
  /** Close codes this fuzzer may get right now without that being a deviation. */
  allowedCloses = new Set<number>();
  readonly errors: ErrorReply[] = [];
  private readonly pongs = new Map<number, () => void>();
  private readonly errorWaiters: Array<() => void> = [];
  private readonly closeWaiters: Array<(code: number) => void> = [];

  constructor(
    readonly slot: Slot,
    public name: string,
  ) {}

  attach(room: Room<JamState>): void {
    this.room = room;
    this.open = true;
    const connection = room.connection;
    const send = connection.send.bind(connection);
    connection.send = (data: Buffer | Uint8Array) => {
      this.lastFrameBytes = data.byteLength;
      send(data);
    };
    room.onMessage("*", () => undefined);
    room.onMessage("error", (error: ErrorReply) => {
      this.errors.push(error);
      stats.errorsReceived++;
      for (const wake of this.errorWaiters.splice(0)) wake();
    });
    room.onMessage("pong", (pong: Pong) => this.pongs.get(pong.t)?.());
    room.onLeave((code) => {
      if (this.room !== room) return;
      this.open = false;
      this.lastClose = code;
      stats.disconnects.set(code, (stats.disconnects.get(code) ?? 0) + 1);
      if (!this.allowedCloses.has(code))
        this.slot.harness.report(
          "deviations",
          `a fuzzer in room ${this.slot.label} was closed with ${code} unexpectedly after ${this.lastSent}${this.reconnected ? " (a reconnected session)" : ""}`,
        );
      for (const resolve of this.pongs.values()) resolve();
      for (const resolve of this.closeWaiters.splice(0)) resolve(code);
      for (const wake of this.errorWaiters.splice(0)) wake();
    });
  }

  /** Connected again: by token when the contract keeps the seat, as a new participant otherwise. */
  async ensure(): Promise<void> {
    if (this.open) return;
    const token = this.room.reconnectionToken;
    if (!([CloseCode.CONSENTED, CloseCode.KICKED, CloseCode.FLOODING] as number[]).includes(this.lastClose)) {
      // The server may not have processed the close yet when the client sees it: retry briefly.
      for (let attempt = 0; attempt < 4; attempt++) {
        try {
          this.attach(await this.slot.harness.sdk().reconnect<JamState>(token));
          this.reconnected = true;
          stats.reconnects++;
          return;
        } catch {
          await pause(25 * (attempt + 1));
        }
      }
    } else {
      // Left, kicked or flooding: the old token must not bring the participant back.
      const back = await this.slot.harness
        .sdk()
        .reconnect<JamState>(token)
        .catch(() => undefined);
      if (back !== undefined) {
        this.slot.harness.report("deviations", `a fuzzer came back with its token after closing with ${this.lastClose}`);
        await back.leave();
      }
    }
    this.name = freshName();
    this.attach(await this.slot.harness.sdk().joinById<JamState>(this.slot.code, { name: this.name }));
    this.reconnected = false;
    stats.rejoins++;
  }

  /**
   * Resolves once the host's `restoreVersion` messages sent before have been answered: they are
   * answered after a store look-up, so after a ping sent behind them, but one at a time and in
   * order, so a restore of a version no jam has comes back after them. Its NOT_FOUND is not kept.
   */
  async restoresSettled(): Promise<void> {
    const barrier = `no version ${RESTORE_BARRIER_VERSION} of this jam`;
    const mark = this.errors.length;
    this.room.send("restoreVersion", { version: RESTORE_BARRIER_VERSION });
    const deadline = performance.now() + 5000;
    while (this.open && performance.now() < deadline) {
      const found = this.errors.findIndex((error, i) => i >= mark && error.message === barrier);
      if (found >= 0) {
        this.errors.splice(found, 1);
        return;
      }
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, Math.max(0, deadline - performance.now()));
        this.errorWaiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
    if (this.open) this.slot.harness.report("deviations", "a restoreVersion of a version no jam has was not answered within 5 s");
  }

  closed(timeoutMs: number): Promise<number | undefined> {
    if (!this.open) return Promise.resolve(this.lastClose);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  /** Resolves once the server has handled everything sent before (a ping is answered in order), or the connection closed. */
  /** Milliseconds the answer took (0 when the connection is closed). */
  async sync(): Promise<number> {
    if (!this.open) return 0;
    const t = nextMarker();
    const start = performance.now();
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      this.pongs.set(t, () => {
        clearTimeout(timer);
        resolve(true);
      });
      this.room.send("ping", { t });
    });
    this.pongs.delete(t);
    if (!answered)
      this.slot.harness.report(
        "deviations",
        `a fuzzer in room ${this.slot.label} got no answer to a ping within 5 s after ${this.lastSent}${this.reconnected ? " (a reconnected session)" : ""}`,
      );
    return performance.now() - start;
  }
}

/** A fuzzed room and its fuzzers. */
export class Slot {
  code = "";
  fuzzers: Fuzzer[] = [];
  constructor(
    readonly harness: FuzzContext,
    readonly label: string,
    readonly options: Record<string, unknown>,
  ) {}

  serverRoom(): ServerRoom<JamState> {
    return this.harness.server.colyseus.getRoomById<JamState>(this.code);
  }

  async addFuzzers(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const fuzzer = new Fuzzer(this, freshName());
      fuzzer.attach(await this.harness.sdk().joinById<JamState>(this.code, { name: fuzzer.name }));
      this.fuzzers.push(fuzzer);
    }
  }
}

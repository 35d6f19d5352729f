/**
 * The fuzz harness: one server, the fuzzed rooms A ("everyone", 4 steps, bystanders Alice and Bob)
 * and C ("host", 64 steps, a fuzzer hosts it), the control room B (Cleo and Dan) nobody fuzzes;
 * how a batch is sent and judged, and how a crash is pinned on the single input that causes it.
 */
import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import fc from "fast-check";
import type { JamState } from "../../../src/schema/JamState";
import { recordMessages, synced, type ReceivedMessage } from "../../../support/clients";
import { TEST_PORT, type JamTestServer } from "../../helpers/server";
import { pools, preview, typeLabel } from "./arbitraries";
import { hex, LEAVE_ROOM } from "./frames";
import { freshName, Fuzzer, Slot, type FuzzContext, type ProblemKind } from "./fuzzer";
import { invariantViolations } from "./invariants";
import {
  bootFuzzServer,
  captureUncaught,
  logLines,
  MAX_FRAME,
  NOISE,
  restoreUncaught,
  SEED,
  settings,
  STALL_MS,
  stats,
  uncaught,
} from "./server";

/** Where a batch started in the logs and reports. */
interface Marks {
  uncaught: number;
  logs: number;
  deviations: number;
}

export type Expectation =
  /** A contract message type: at most one `error` per message, of that type, never RATE_LIMITED. */
  | "known"
  /** An unknown string type: exactly one BAD_REQUEST naming that type per message. */
  | "unknown-named"
  /** An unknown numeric type: exactly one BAD_REQUEST per message. */
  | "unknown"
  /** Frames colyseus.js itself garbles: no crash, no invariant broken, 4002 at worst. */
  | "garbled";

export class FuzzHarness implements FuzzContext {
  private booted: JamTestServer | undefined;
  /** What the running test found; it fails with them at its end (the fuzz itself goes on). */
  private found: string[] = [];
  readonly roomA = new Slot(this, "A", { transport: "everyone", loopSteps: 4, maxParticipants: 16 });
  readonly roomC = new Slot(this, "C", { transport: "host", loopSteps: 64, maxParticipants: 16 });
  readonly fuzzedRooms = [this.roomA, this.roomC];
  alice!: Room<JamState>;
  bob!: Room<JamState>;
  cleo!: Room<JamState>;
  dan!: Room<JamState>;
  readonly bystanderCloses: string[] = [];
  cleoSaw: ReceivedMessage[] = [];
  danSaw: ReceivedMessage[] = [];
  controlStateBefore: unknown;
  consoleNoise = 0;
  private readonly consoleWarn = console.warn;
  private readonly consoleError = console.error;

  get server(): JamTestServer {
    return this.booted ?? assert.fail("the fuzz server is used before it booted");
  }

  sdk(): JamTestServer["colyseus"]["sdk"] {
    return this.server.colyseus.sdk;
  }

  report(kind: ProblemKind, problem: string): void {
    stats[kind].push(problem);
    this.found.push(problem);
  }

  /** Called before each test: what a test finds is its own. */
  startTest(): void {
    this.found = [];
  }

  assertNothingFound(seed: number | undefined): void {
    const distinct = [...new Set(this.found)];
    assert.deepEqual(
      distinct.slice(0, 10),
      [],
      `${this.found.length} problems, ${distinct.length} distinct (fast-check seed ${String(seed)}; replay with FUZZ_SEED)`,
    );
  }

  private quiet(print: (...args: unknown[]) => void): (...args: unknown[]) => void {
    return (...args) => {
      if (typeof args[0] === "string" && NOISE.some((noise) => noise.test(args[0] as string))) this.consoleNoise++;
      else print(...args);
    };
  }

  /** Boots the server and opens the three rooms; uncaught exceptions are collected from then on. */
  async setUp(): Promise<void> {
    console.warn = this.quiet(this.consoleWarn);
    console.error = this.quiet(this.consoleError);
    this.booted = await bootFuzzServer(TEST_PORT);
    // Room B, the control room nobody fuzzes.
    this.cleo = await this.sdk().create<JamState>("jam", { name: "Cleo", transport: "everyone" });
    this.dan = await this.sdk().joinById<JamState>(this.cleo.roomId, { name: "Dan" });
    this.watchBystander("Cleo", "B", this.cleo);
    this.watchBystander("Dan", "B", this.dan);
    await Promise.all([synced(this.cleo), synced(this.dan)]);
    await this.openRoomA();
    await this.openRoomC();
    this.controlStateBefore = this.server.colyseus.getRoomById<JamState>(this.cleo.roomId).state.toJSON();
    this.cleoSaw = recordMessages(this.cleo);
    this.danSaw = recordMessages(this.dan);
    this.refreshPools();
    captureUncaught();
  }

  /** Prints the run's one-line summary and shuts the server down. */
  async tearDown(): Promise<void> {
    restoreUncaught();
    console.warn = this.consoleWarn;
    console.error = this.consoleError;
    const disconnects = Array.from(stats.disconnects.values()).reduce((sum, n) => sum + n, 0);
    const byCode = Array.from(stats.disconnects.entries())
      .sort(([a], [b]) => a - b)
      .map(([code, n]) => `${code}×${n}`)
      .join(" ");
    const payloads = stats.messages + stats.rawFrames + stats.joins;
    const crashKinds = new Set(stats.crashes.map((crash) => /crashed \((.*?)(;|\))/.exec(crash)?.[1] ?? crash)).size;
    console.log(
      `fuzz: ${payloads} payloads, ${stats.crashes.length} crashes (${crashKinds} distinct error${crashKinds === 1 ? "" : "s"}), ${stats.invariantViolations.length} invariant violations, ` +
        `${stats.handlerExceptions.length} handler exceptions, ${stats.deviations.length} contract deviations — ` +
        `${stats.messages} messages of ${stats.typesFuzzed.size} types (${stats.oversize} over the frame limit), ${stats.rawFrames} raw frames, ` +
        `${stats.joins} joins/creates (${stats.tooLarge} refused as too large); ${stats.unsendable} payloads colyseus.js could not encode; ` +
        `${stats.errorsReceived} errors received; ${disconnects} disconnects (${byCode || "none"}), ${stats.reconnects} reconnects, ${stats.rejoins} re-joins; ` +
        `${this.consoleNoise} expected client warnings not printed`,
    );
    await this.booted?.colyseus.shutdown();
  }

  private watchBystander(name: string, roomLabel: string, room: Room<JamState>): void {
    room.onMessage("*", () => undefined);
    room.onLeave((code) => this.bystanderCloses.push(`${name} (room ${roomLabel}) was closed with ${code}`));
  }

  /** Room A: the bystanders Alice (host) and Bob, and three fuzzers. */
  private async openRoomA(): Promise<void> {
    this.alice = await this.sdk().create<JamState>("jam", { ...this.roomA.options, name: "Alice" });
    this.roomA.code = this.alice.roomId;
    this.bob = await this.sdk().joinById<JamState>(this.roomA.code, { name: "Bob" });
    this.watchBystander("Alice", "A", this.alice);
    this.watchBystander("Bob", "A", this.bob);
    this.roomA.fuzzers = [];
    await this.roomA.addFuzzers(3);
    await Promise.all([synced(this.alice), synced(this.bob)]);
  }

  /** Room C: three fuzzers, the first one host. */
  private async openRoomC(): Promise<void> {
    const host = new Fuzzer(this.roomC, freshName());
    host.attach(await this.sdk().create<JamState>("jam", { ...this.roomC.options, name: host.name }));
    this.roomC.code = host.room.roomId;
    this.roomC.fuzzers = [host];
    await this.roomC.addFuzzers(2);
  }

  private refreshPools(): void {
    const fuzzerIds = this.fuzzedRooms.flatMap((slot) => slot.fuzzers.filter((f) => f.open).map((f) => f.room.sessionId));
    pools.fuzzers = fuzzerIds;
    pools.everyone = [...fuzzerIds, this.alice.sessionId, this.bob.sessionId, this.cleo.sessionId, this.dan.sessionId];
  }

  /**
   * Noise the fuzz provokes by design: colyseus.js warns about every refused join and every
   * connection closed before joining (a reconnection that came too early), and Colyseus'
   * type decoder console.errors each invalid UTF-8 byte of a message type. Counted, not printed.


  /** Replays one input as the host of a fresh room: does it alone break the encoder or make a handler throw? */
  private async probe(options: Record<string, unknown>, send: (room: Room<JamState>) => void): Promise<string | undefined> {
    const uncaughtBefore = uncaught.length;
    const logsBefore = logLines.length;
    const client = await this.sdk().create<JamState>("jam", { ...options, name: "Probe" });
    client.onMessage("*", () => undefined);
    const serverRoom = this.server.colyseus.getRoomById<JamState>(client.roomId);
    let outcome: string | undefined;
    try {
      const settled = new Promise<void>((resolve) => {
        client.onMessage("pong", () => resolve());
        client.onLeave(() => resolve());
      });
      try {
        send(client);
      } catch {
        // Not encodable by colyseus.js: nothing was sent.
      }
      client.send("ping", { t: 0 });
      await settled;
      try {
        serverRoom.broadcastPatch();
      } catch (error) {
        outcome = `the patch encoder throws ${String(error)}`;
      }
      if (uncaught.length > uncaughtBefore) outcome ??= `uncaught ${String(uncaught[uncaughtBefore])}`;
      const handler = logLines.slice(logsBefore).find((line) => line.msg === "room handler failed");
      if (handler !== undefined) outcome ??= `a handler throws "${handler.err?.message ?? "?"}", so the sender gets no answer`;
    } finally {
      serverRoom.setPatchRate(0);
      await serverRoom.disconnect().catch(() => undefined);
      uncaught.splice(uncaughtBefore);
      logLines.splice(logsBefore);
    }
    return outcome;
  }

  /** The first input of a batch that alone reproduces a failure, in words. */
  private async culprit<T>(
    options: Record<string, unknown>,
    inputs: T[],
    send: (room: Room<JamState>, input: T) => void,
    describe: (input: T) => string,
  ): Promise<string> {
    for (const input of inputs.slice(0, 60)) {
      const outcome = await this.probe(options, (room) => send(room, input));
      if (outcome !== undefined) return `${describe(input)} alone, in a fresh room: ${outcome}`;
    }
    return `no single input of the batch reproduces it in a fresh room; the batch: ${preview(inputs.map(describe), 600)}`;
  }

  /** A room whose encoder is broken throws on every patch tick: stop it, close it, open a new one. */
  private async replaceRoom(slot: Slot): Promise<void> {
    const serverRoom = slot.serverRoom();
    serverRoom.setPatchRate(0);
    for (const fuzzer of slot.fuzzers) fuzzer.allowedCloses.add(4000);
    await serverRoom.disconnect().catch(() => undefined);
    if (slot === this.roomA) await this.openRoomA();
    else await this.openRoomC();
  }

  /** Where the logs and reports stand now, so a batch can be judged by what came after. */
  private marks(): Marks {
    return { uncaught: uncaught.length, logs: logLines.length, deviations: stats.deviations.length };
  }

  private crashed(error: string): string {
    return `the server crashed (${error}; in production an uncaught exception shuts the whole process down)`;
  }

  /** A crash makes clients see garbage (or nothing): what went wrong after it in the batch is its consequence, not news. */
  private dropFollowUps(since: Marks): number {
    const followUps = new Set(stats.deviations.splice(since.deviations));
    this.found = this.found.filter((problem) => !followUps.has(problem));
    return followUps.size;
  }

  /**
   * After a batch: did anything crash (uncaught, or a room's encoder), did a handler throw, does
   * every fuzzed room still hold its invariants? Broken rooms are replaced so the fuzz goes on.
   */
  private async checkServer<T>(
    slot: Slot,
    inputs: T[],
    send: (room: Room<JamState>, input: T) => void,
    describe: (input: T) => string,
    since: Marks,
  ): Promise<void> {
    // A room whose state the encoder cannot encode throws on every patch: that names the room. An
    // uncaught exception with no broken encoder is reported as it is.
    const broken = this.fuzzedRooms.flatMap((room) => {
      try {
        room.serverRoom().broadcastPatch();
        return [];
      } catch (error) {
        return [{ room, error: String(error) }];
      }
    });
    const stray = broken.length === 0 && uncaught.length > since.uncaught ? String(uncaught[since.uncaught]) : undefined;
    if (broken.length > 0 || stray !== undefined) {
      for (const { room } of broken) await this.replaceRoom(room);
      uncaught.splice(since.uncaught);
      const followUps = this.dropFollowUps(since);
      const why = await this.culprit(slot.options, inputs, send, describe);
      const error = broken[0]?.error ?? `uncaught ${String(stray)}`;
      this.report(
        "crashes",
        `${this.crashed(error)} after ${why}${followUps > 0 ? ` (${followUps} follow-up deviations in that batch not counted)` : ""}`,
      );
    }
    const thrown = logLines.slice(since.logs).filter((line) => line.msg === "room handler failed");
    if (thrown.length > 0) {
      const why = await this.culprit(slot.options, inputs, send, describe);
      this.report("handlerExceptions", `a message handler threw ${thrown.length}× ("${thrown[0]?.err?.message ?? "?"}"): ${why}`);
    }
    for (const room of this.fuzzedRooms) {
      const problems = invariantViolations(room.serverRoom().state, settings.maxTracks);
      if (problems.length === 0) continue;
      for (const problem of problems)
        this.report("invariantViolations", `room ${room.label}: ${problem} (after ${preview(inputs.map(describe), 600)})`);
      await this.replaceRoom(room);
    }
    this.refreshPools();
  }

  /**
   * Pattern edits need a pattern to work on, and addTrack stops at MAX_TRACKS: before such a
   * batch a fuzzer clears the room's tracks (for addTrack) or adds t1–t3 (for the others), with
   * ordinary messages.
   */
  private async prepare(slot: Slot, type: string | number): Promise<void> {
    if (type !== "addTrack" && type !== "setStep" && type !== "clearTrack" && type !== "removeTrack") return;
    const fuzzer = at(slot.fuzzers, 0);
    await fuzzer.ensure();
    const tracks = Array.from(slot.serverRoom().state.tracks.keys());
    if (type === "addTrack") for (const track of tracks) fuzzer.room.send("removeTrack", { track });
    else
      for (const id of ["t1", "t2", "t3"])
        if (!tracks.includes(id) && tracks.length < settings.maxTracks) fuzzer.room.send("addTrack", { id, instrument: "fuzz" });
    await fuzzer.sync();
  }

  /** Sends a batch round-robin from the slot's fuzzers and checks everything the contract promises. */
  async runBatch(slot: Slot, type: string | number, payloads: unknown[], expectation: Expectation): Promise<void> {
    stats.typesFuzzed.add(String(type));
    const since = this.marks();
    const errorMarks = new Map<Fuzzer, number>();
    const delivered = new Map<Fuzzer, number>();
    for (const fuzzer of slot.fuzzers) fuzzer.allowedCloses = new Set(type === "kick" ? [4001] : expectation === "garbled" ? [4002] : []);

    await this.prepare(slot, type);
    for (let i = 0; i < payloads.length; i++) {
      const fuzzer = at(slot.fuzzers, i % slot.fuzzers.length);
      await fuzzer.ensure();
      if (!errorMarks.has(fuzzer)) errorMarks.set(fuzzer, fuzzer.errors.length);
      fuzzer.lastSent = `room.send(${typeLabel(type)}, ${preview(payloads[i])})`;
      try {
        fuzzer.room.send(type, payloads[i]);
      } catch {
        stats.unsendable++;
        continue;
      }
      stats.messages++;
      if (fuzzer.lastFrameBytes > MAX_FRAME) {
        stats.oversize++;
        fuzzer.allowedCloses.add(1009);
        const code = await fuzzer.closed(3000);
        // (Unless something allowed closed it first, such as a kick by the fuzzing host.)
        if (code === undefined || !fuzzer.allowedCloses.has(code))
          this.report(
            "deviations",
            `a ${fuzzer.lastFrameBytes}-byte ${typeLabel(type)} frame was answered with close code ${String(code)}, not 1009`,
          );
      } else {
        delivered.set(fuzzer, (delivered.get(fuzzer) ?? 0) + 1);
      }
    }
    await Promise.all([...errorMarks.keys()].map((fuzzer) => fuzzer.sync()));
    if (type === "restoreVersion") {
      const host = slot.fuzzers.find((fuzzer) => fuzzer.open && slot.serverRoom().state.host === fuzzer.room.sessionId);
      await host?.restoresSettled();
    }

    for (const [fuzzer, mark] of errorMarks) {
      const received = fuzzer.errors.slice(mark).map(({ code, type: errorType }) => ({ code, type: errorType }));
      const count = delivered.get(fuzzer) ?? 0;
      if (expectation === "garbled") continue;
      if (expectation === "known") {
        const wrong = received.filter((e) => e.type !== type || !["BAD_REQUEST", "NOT_ALLOWED", "NOT_FOUND"].includes(e.code));
        if (wrong.length > 0) this.report("deviations", `${typeLabel(type)} answered with ${preview(wrong.slice(0, 3))}`);
        if (received.length > count) this.report("deviations", `${received.length} errors for ${count} ${typeLabel(type)} messages`);
      } else {
        const expected = Array.from({ length: count }, () => ({ code: "BAD_REQUEST", type: String(type) }));
        const actual = expectation === "unknown-named" ? received : received.map(({ code }) => ({ code, type: String(type) }));
        if (fc.stringify(actual) !== fc.stringify(expected)) {
          this.report(
            "deviations",
            `${count} × type ${typeLabel(type)} answered with ${preview(received, 240)}, expected ${count} × BAD_REQUEST naming ${typeLabel(type)}`,
          );
        }
      }
    }
    await this.checkServer(
      slot,
      payloads,
      (room, payload) => room.send(type, payload),
      (payload) => `room.send(${typeLabel(type)}, ${preview(payload)})`,
      since,
    );
  }

  /** Runs `property` under fast-check with a known seed, so a failing run can be replayed. */
  async fuzz<Ts>(property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
    const seed = SEED ?? Math.floor(Math.random() * 2 ** 31);
    const details = await fc.check(property, { numRuns, seed, endOnFailure: true });
    if (details.failed) {
      const error = details.errorInstance;
      this.found.push(`the property itself failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    this.assertNothingFound(seed);
  }

  pickRoom(pick: number): Slot {
    return at(this.fuzzedRooms, pick % this.fuzzedRooms.length);
  }

  /** One frame at a time, each followed by a ping: the next must not go into a connection being closed. */
  async sendRawBatch(slot: Slot, frames: Uint8Array[]): Promise<void> {
    const since = this.marks();
    for (const [i, frame] of frames.entries()) {
      const fuzzer = at(slot.fuzzers, i % slot.fuzzers.length);
      await fuzzer.ensure();
      fuzzer.allowedCloses = new Set([4002]);
      if (frame[0] === LEAVE_ROOM) fuzzer.allowedCloses.add(4000);
      if (frame.byteLength > MAX_FRAME) fuzzer.allowedCloses.add(1009);
      // A ROOM_DATA "kick" from the fuzzing host may close another fuzzer.
      for (const other of slot.fuzzers) if (other !== fuzzer) other.allowedCloses.add(4001);
      fuzzer.lastSent = `room.connection.send(${hex(frame)})`;
      const frameMarks = this.marks();
      fuzzer.room.connection.send(frame);
      stats.rawFrames++;
      const ms = await fuzzer.sync();
      if (ms > STALL_MS) {
        this.report(
          "deviations",
          `one ${frame.byteLength}-byte frame kept the this.server busy for ${Math.round(ms)} ms (every room of the process stalls meanwhile): room.connection.send(${hex(frame)})`,
        );
      }
      // Probed after every frame, so a crash is pinned on the frame that caused it.
      let encoderError: unknown;
      try {
        slot.serverRoom().broadcastPatch();
      } catch (error) {
        encoderError = error;
      }
      if (encoderError !== undefined || uncaught.length > frameMarks.uncaught) {
        const error = String(encoderError ?? uncaught[frameMarks.uncaught]);
        await this.replaceRoom(slot);
        uncaught.splice(frameMarks.uncaught);
        const followUps = this.dropFollowUps(frameMarks);
        this.report(
          "crashes",
          `${this.crashed(error)} after room.connection.send(${hex(frame)})${followUps > 0 ? ` (${followUps} follow-up deviations not counted)` : ""}`,
        );
      }
    }
    await this.checkServer(
      slot,
      frames,
      (room, frame) => room.connection.send(frame),
      (frame) => `room.connection.send(${hex(frame)})`,
      since,
    );
  }
}

/** The element at `index`, which the caller knows is there (the lists are never empty). */
function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`no element ${index} in a list of ${list.length}`);
  return item;
}

/**
 * The connection under a JamSession, which outlives any one colyseus.js Room: colyseus.js 0.16
 * does not reconnect, and `client.reconnect(token)` hands back a *new* Room. Listeners live here
 * and are re-attached to each new Room; reconnection always uses the newest token; when the room
 * itself is gone (its process restarted or crashed), the session opens its code again.
 */
import type { Client, Room } from "colyseus.js";
import { runAttempts, type AttemptOutcome } from "./attempts";
import { ServerClock, callSafely } from "./clock";
import { ConnectionFailed, toJamError, type JamError } from "./errors";
import { MessageListeners } from "./messageListeners";
import { nextAttemptStartMs, nextReopenStartMs } from "./reconnectSchedule";
import { reopeningCanSucceed } from "./reopening";
import { closeRoom, firstState } from "./roomLifecycle";
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from "./sessionOptions";
import {
  finalReason,
  roomIsGone,
  type ConnectionStatus,
  type DisconnectReason,
  type StatusDetail,
  type StatusListener,
} from "./sessionStatus";
import { SessionSenders } from "./sessionSenders";
import { StateWatchers } from "./stateWatchers";
import type { JamState, MessageType, OutgoingMessage, ServerMessages } from "./types";

export abstract class SessionConnection extends SessionSenders {
  /** The colyseus.js Room of the current connection; a new one after every reconnection. */
  protected current: Room<JamState>;
  /** The room whose full state has arrived: a reconnected room's state is an empty shell until then. */
  private synced: Room<JamState>;
  private currentStatus: ConnectionStatus = "connecting";
  private leaving = false;
  /** Bumped when a reconnection run starts or ends, so a stale run stops. */
  private run = 0;
  /** Cancels the reconnection or reopening run in progress. */
  private cancelRun: (() => void) | undefined;
  private restartNotice: ServerMessages["server-restart"] | undefined;
  private readonly readyPromise: Promise<void>;

  // Kept here and re-attached to every Room, so they outlive reconnections.
  protected readonly messageListeners = new MessageListeners();
  protected readonly stateListeners = new Set<(state: JamState) => void>();
  protected readonly statusListeners = new Set<StatusListener>();
  protected readonly watchers = new StateWatchers();

  private readonly options: ResolvedSessionOptions;

  /** The server's clock for this session (a burst on join and after each reconnection, then a ping a second). */
  readonly clock: ServerClock;

  /**
   * Normally made by `JamClient.create/join`. `room` has joined; the session is `connected` once
   * it has the room's first full state (`ready()`).
   */
  constructor(
    private readonly client: Client,
    room: Room<JamState>,
    options: SessionOptions = {},
    onStatus?: StatusListener,
  ) {
    super();
    this.options = resolveSessionOptions(options);
    if (onStatus !== undefined) this.statusListeners.add(onStatus);
    this.clock = new ServerClock(
      { sendPing: (t) => this.send("ping", { t }), onPong: (listener) => this.messageListeners.on("pong", listener) },
      this.options.clock === false ? {} : this.options.clock,
    );
    this.messageListeners.on("server-restart", (notice) => (this.restartNotice = notice));
    this.current = room;
    this.synced = room;
    this.attach(room);
    this.readyPromise = firstState(room, this.options.syncTimeoutMs, this.options.timers).then(
      () => {
        if (this.currentStatus !== "connecting") return;
        this.setStatus("connected", {});
        this.startClock();
      },
      (error: unknown) => {
        // Given up on: a consented leave, so no seat is held for a reconnection that never comes.
        void this.closeRoom(room, true);
        this.finish("join-failed", { error: error as Error });
        throw error;
      },
    );
  }

  /** Resolves once the first full state is in (`JamClient` waits for it before handing the session over). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  // ─── what the app reads ───────────────────────────────────────────────────────────────────────

  /** The room code (the Colyseus roomId), e.g. "K7QF2M". */
  get code(): string {
    return this.current.roomId;
  }

  /** This musician's id in the room: the same across reconnections; a new one once the session reopened its jam in a new room. */
  get sessionId(): string {
    return this.current.sessionId;
  }

  /** The synced state. While reconnecting, the last state received; a new object after a reconnection. */
  get state(): JamState {
    return this.synced.state;
  }

  /** The current colyseus.js Room (a new object after each reconnection): for what this API lacks. */
  get room(): Room<JamState> {
    return this.current;
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  // ─── typed senders: false when not connected (nothing is queued: music does not wait) ────────

  /** Sends any client → server message of the contract. */
  override send<T extends MessageType>(type: T, payload: OutgoingMessage<T>): boolean {
    if (this.currentStatus !== "connected" || !this.current.connection?.isOpen) return false;
    try {
      this.current.send(type, payload);
      return true;
    } catch {
      return false;
    }
  }

  /** Leaves the room for good (the others see this musician go at once); stops reconnecting. */
  async leave(): Promise<void> {
    if (this.currentStatus === "disconnected") return;
    this.leaving = true;
    this.cancelRetry();
    this.clock.stop();
    if (this.current.connection?.isOpen) await this.closeRoom(this.current, true);
    this.finish("left", {});
  }

  // ─── connection handling ──────────────────────────────────────────────────────────────────────

  private attach(room: Room<JamState>): void {
    this.messageListeners.listenTo(room);
    room.onStateChange((state) => {
      for (const listener of Array.from(this.stateListeners)) callSafely(listener, state);
    });
    room.onLeave((code) => this.onClosed(room, code));
    this.watchers.runAll(room);
  }

  private onClosed(room: Room<JamState>, closeCode: number): void {
    if (room !== this.current) return;
    this.watchers.cleanUp();
    if (this.leaving) {
      this.finish("left", { closeCode });
      return;
    }
    // While connecting, ready() reports it; while reconnecting, the attempt in flight does.
    const reason = finalReason(closeCode);
    if (this.currentStatus === "connecting") return;
    if (this.currentStatus === "reconnecting") {
      if (reason === "kicked" || reason === "flooding") this.finish(reason, { closeCode });
      return;
    }
    if (reason === "closed" && this.restartNotice !== undefined) {
      const { reconnectInMs } = this.restartNotice;
      if (this.options.reopen !== undefined) this.startReopening(closeCode, reconnectInMs, undefined);
      else this.finish("server-restart", { closeCode, reconnectInMs });
      return;
    }
    if (reason !== null) {
      this.finish(reason, { closeCode });
      return;
    }
    this.startReconnecting(closeCode);
  }

  /** Attempts on the reconnection schedule (reconnectSchedule.ts) until one succeeds or the grace runs out. */
  private startReconnecting(closeCode: number): void {
    const run = ++this.run;
    const schedule = this.options.reconnect;
    const droppedAt = this.options.now();
    this.clock.stop();
    this.setStatus("reconnecting", { closeCode, attempt: 1 });
    let gone = false;
    this.cancelRun = runAttempts({
      timers: this.options.timers,
      now: this.options.now,
      startOf: (n, elapsed, previousStart) => nextAttemptStartMs(schedule, n, elapsed, previousStart),
      attempt: async (n) => {
        const outcome = await this.tryReconnect(run, n);
        gone = outcome === "stop";
        return outcome;
      },
      onGiveUp: (_, attempts) => {
        // The room went away with its process, or stayed out of reach for the whole grace.
        if (this.options.reopen !== undefined) {
          this.startReopening(closeCode, 0, droppedAt);
          return;
        }
        const why = gone ? "the room no longer exists" : `could not reconnect within the grace period (${attempts} attempts)`;
        this.finish("reconnect-failed", { closeCode, error: new ConnectionFailed(why) });
      },
    });
  }

  /** One reconnection attempt with the newest token. */
  private async tryReconnect(run: number, attempt: number): Promise<AttemptOutcome> {
    const token = this.current.reconnectionToken;
    let room: Room<JamState>;
    try {
      room = await this.client.reconnect<JamState>(token);
    } catch (error) {
      return roomIsGone(error) ? "stop" : "retry";
    }
    return this.adopt(run, room, { attempt });
  }

  /**
   * The room is gone (a deploy or a crash took its process): open its code again (the saved jam)
   * or join whoever reopened it first, with the same name and instrument, on the reopen schedule.
   */
  /**
   * `droppedAt`: when the connection dropped, if the room may still hold this musician's seat (its
   * reconnection was refused, not its room closed): each attempt then tries the token first while
   * the grace lasts, since a room that has not seen the drop yet refuses it for a moment too.
   */
  private startReopening(closeCode: number, firstWaitMs: number, droppedAt: number | undefined): void {
    const reopen = this.options.reopen;
    if (reopen === undefined) return;
    const run = ++this.run;
    this.clock.stop();
    this.setStatus("reconnecting", { closeCode, attempt: 1, reopening: true }, true);
    const token = this.current.reconnectionToken;
    const seatMayBeHeld = () => droppedAt !== undefined && this.options.now() - droppedAt < this.options.reconnect.graceMs;
    // Read now: a failed attempt leaves a Room of another session behind as the current one.
    const me = this.state?.participants?.get(this.sessionId);
    const profile = { name: me?.name, instrument: me?.instrument };
    const code = this.code;
    let lastError: JamError | undefined;
    this.cancelRun = runAttempts({
      timers: this.options.timers,
      now: this.options.now,
      startOf: (n, elapsed) => nextReopenStartMs(this.options.reopenSchedule, n, elapsed, firstWaitMs),
      attempt: async (n) => {
        if (seatMayBeHeld()) {
          const back = await this.client.reconnect<JamState>(token).catch(() => undefined);
          if (back !== undefined) return this.adopt(run, back, { attempt: n });
        }
        let room: Room<JamState>;
        try {
          room = await reopen(code, profile);
        } catch (cause) {
          lastError = toJamError(cause);
          return reopeningCanSucceed(lastError) ? "retry" : "stop";
        }
        return this.adopt(run, room, { attempt: n, reopened: true });
      },
      onGiveUp: (_, attempts) => {
        const error = lastError ?? new ConnectionFailed(`could not open the jam again (${attempts} attempts)`);
        this.finish("reconnect-failed", { closeCode, error });
      },
    });
  }

  /** Makes a newly joined Room the session's, once its first full state is in. */
  private async adopt(run: number, room: Room<JamState>, detail: Pick<StatusDetail, "attempt" | "reopened">): Promise<AttemptOutcome> {
    if (run !== this.run || this.leaving) {
      await this.closeRoom(room, true);
      return "done";
    }
    // Listeners first (so nothing sent right after the join is missed), then wait for the state.
    this.current = room;
    this.attach(room);
    try {
      await firstState(room, this.options.syncTimeoutMs, this.options.timers);
    } catch {
      if (room === this.current && room.connection?.isOpen) await this.closeRoom(room, false);
      return "retry";
    }
    if (run !== this.run || room !== this.current) return "done";
    this.synced = room;
    this.run++;
    this.cancelRun = undefined;
    this.restartNotice = undefined;
    this.setStatus("connected", detail);
    this.startClock();
    return "done";
  }

  private finish(reason: DisconnectReason, detail: Omit<StatusDetail, "previous" | "reason">): void {
    this.run++;
    this.cancelRetry();
    this.clock.stop();
    if (this.currentStatus !== "disconnected") this.setStatus("disconnected", { ...detail, reason });
  }

  private cancelRetry(): void {
    this.cancelRun?.();
    this.cancelRun = undefined;
  }

  private closeRoom(room: Room<JamState>, consented: boolean): Promise<void> {
    return closeRoom(room, consented, this.options.timers);
  }

  private startClock(): void {
    if (this.options.clock !== false) this.clock.start();
  }

  /** `again`: tell the listeners even when the status stays (reconnecting turns to reopening). */
  private setStatus(status: ConnectionStatus, detail: Omit<StatusDetail, "previous">, again = false): void {
    const previous = this.currentStatus;
    if (previous === status && !again) return;
    this.currentStatus = status;
    const full: StatusDetail = { previous, ...detail };
    for (const listener of Array.from(this.statusListeners)) callSafely(listener, status, full);
  }
}

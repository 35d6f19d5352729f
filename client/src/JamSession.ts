/**
 * One musician in one jam. Wraps the colyseus.js Room and outlives it: colyseus.js 0.16 does not
 * reconnect, and `client.reconnect(token)` hands back a *new* Room. The session keeps every
 * listener in its own registry, re-attaches them to each new Room, and always reconnects with the
 * newest reconnection token.
 */
import { getStateCallbacks, type Client, type Room } from "colyseus.js";
import { ServerClock, callSafely, realTimers, type ClockOptions, type Timers } from "./clock";
import { ConnectionFailed } from "./errors";
import { type MessageListener, MessageListeners } from "./messageListeners";
import { DEFAULT_BACKOFF_MS, DEFAULT_RECONNECT_GRACE_MS, nextAttemptStartMs } from "./reconnectSchedule";
import { closeRoom, firstState } from "./roomLifecycle";
import * as sequencer from "./sequencer";
import {
  finalReason,
  roomIsGone,
  type ConnectionStatus,
  type DisconnectReason,
  type StatusDetail,
  type StatusListener,
} from "./sessionStatus";
import { StateWatchers, type StateCallbacks, type StateWatcher } from "./stateWatchers";
import { SessionSenders } from "./sessionSenders";
import type { JamState, MessageType, OutgoingMessage, ServerMessages, ServerMessageType } from "./types";

export interface SessionOptions {
  /**
   * Waits before reconnection attempts, ms; the last repeats. Default 2 s, 4 s, 8 s, 16 s.
   */
  backoffMs?: readonly number[];
  /**
   * How long the server keeps a dropped musician (its `RECONNECT_GRACE_S`), ms. Default 30 000.
   * No attempt starts after it; the last one is moved to just before its end.
   */
  reconnectGraceMs?: number;
  /** Clock sync options, or false to not sync the clock. */
  clock?: ClockOptions | false;
  /** Timers and wall clock for reconnection; injectable for tests. */
  timers?: Timers;
  now?: () => number;
  /** How long to wait for a Room's first full state, ms. Default 10 000. */
  syncTimeoutMs?: number;
}

export class JamSession extends SessionSenders {
  /** The colyseus.js Room of the current connection; a new one after every reconnection. */
  private current: Room<JamState>;
  /** The room whose full state has arrived: a reconnected room's state is an empty shell until then. */
  private synced: Room<JamState>;
  private currentStatus: ConnectionStatus = "connecting";
  private leaving = false;
  /** Bumped when a reconnection run starts or ends, so a stale run stops. */
  private run = 0;
  private retryHandle: unknown = undefined;
  private restartNotice: ServerMessages["server-restart"] | undefined;
  private readonly readyPromise: Promise<void>;

  private readonly messageListeners = new MessageListeners();
  private readonly stateListeners = new Set<(state: JamState) => void>();
  private readonly statusListeners = new Set<StatusListener>();
  private readonly watchers = new StateWatchers();

  private readonly backoffMs: readonly number[];
  private readonly graceMs: number;
  private readonly timers: Timers;
  private readonly wallNow: () => number;
  private readonly syncTimeoutMs: number;
  private readonly clockSync: boolean;

  /** The server's clock for this session (synced on join, every 30 s and after each reconnection). */
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
    this.backoffMs = options.backoffMs !== undefined && options.backoffMs.length > 0 ? options.backoffMs : DEFAULT_BACKOFF_MS;
    this.graceMs = options.reconnectGraceMs ?? DEFAULT_RECONNECT_GRACE_MS;
    this.timers = options.timers ?? realTimers;
    this.wallNow = options.now ?? Date.now;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
    if (onStatus !== undefined) this.statusListeners.add(onStatus);
    this.clockSync = options.clock !== false;
    this.clock = new ServerClock(
      { sendPing: (t) => this.send("ping", { t }), onPong: (listener) => this.on("pong", listener) },
      options.clock === false ? {} : options.clock,
    );
    this.on("server-restart", (notice) => (this.restartNotice = notice));
    this.current = room;
    this.synced = room;
    this.attach(room);
    this.readyPromise = firstState(room, this.syncTimeoutMs, this.timers).then(
      () => {
        if (this.currentStatus !== "connecting") return;
        this.setStatus("connected", {});
        if (this.clockSync) this.clock.start();
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

  /** This musician's id in the room: the same across reconnections. */
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

  /** The participant this session plays as, when the state has it. */
  get me() {
    return this.state?.participants?.get(this.sessionId);
  }

  /** True when this musician is the room's host. */
  get isHost(): boolean {
    return this.state?.host === this.sessionId;
  }

  /** The server's time now (ms since epoch), from the synced clock. */
  serverNow(): number {
    return this.clock.serverNow();
  }

  /** The sequencer step sounding at `serverTime` (default: now on the server's clock). */
  stepAt(serverTime: number = this.serverNow()): number {
    return sequencer.stepAt(this.state, serverTime);
  }

  /** Steps starting in `[from, until)` (server times): what to hand to Web Audio next. */
  upcomingSteps(fromServerTime: number, untilServerTime: number): sequencer.ScheduledStep[] {
    return sequencer.upcomingSteps(this.state, fromServerTime, untilServerTime);
  }

  // ─── listeners: kept here, re-attached to every Room ─────────────────────────────────────────

  /** Calls `listener` on each status change; returns a function that stops. */
  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Calls `listener` with every `type` message from the server; returns a function that stops. */
  on<K extends ServerMessageType>(type: K, listener: MessageListener<K>): () => void {
    return this.messageListeners.on(type, listener);
  }

  /** Calls `listener` after every state patch (and the full state after a reconnection). */
  onStateChange(listener: (state: JamState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * colyseus.js' `getStateCallbacks` for the *current* Room. Callbacks registered on it end with
   * that Room: use `watchState` for ones that should survive reconnections.
   */
  callbacks(): StateCallbacks {
    return getStateCallbacks(this.current);
  }

  /**
   * Runs `watcher` with the state callbacks of the current Room and of every Room after a
   * reconnection (calling the cleanup it returned for the Room that went away). Returns a function
   * that stops (and cleans up).
   */
  watchState(watcher: StateWatcher): () => void {
    return this.watchers.add(watcher, this.current.connection?.isOpen ? this.current : undefined);
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
      this.finish("server-restart", { closeCode, reconnectInMs: this.restartNotice.reconnectInMs });
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
    const droppedAt = this.wallNow();
    const schedule = { backoffMs: this.backoffMs, graceMs: this.graceMs };
    this.clock.stop();
    this.setStatus("reconnecting", { closeCode, attempt: 1 });
    const attempt = (n: number, previousStart: number) => {
      const elapsed = this.wallNow() - droppedAt;
      const startAt = nextAttemptStartMs(schedule, n, elapsed, previousStart);
      if (startAt === null) {
        const error = new ConnectionFailed(`could not reconnect within the grace period (${n - 1} attempts)`);
        this.finish("reconnect-failed", { closeCode, error });
        return;
      }
      this.retryHandle = this.timers.setTimeout(() => {
        this.retryHandle = undefined;
        void this.tryReconnect(run, n).then((outcome) => {
          if (run !== this.run || outcome === "done") return;
          if (outcome === "gone") {
            this.finish("reconnect-failed", { closeCode, error: new ConnectionFailed("the room no longer exists") });
            return;
          }
          attempt(n + 1, startAt);
        });
      }, startAt - elapsed);
    };
    attempt(1, -Infinity);
  }

  /** One reconnection attempt with the newest token. */
  private async tryReconnect(run: number, attempt: number): Promise<"done" | "retry" | "gone"> {
    const token = this.current.reconnectionToken;
    let room: Room<JamState>;
    try {
      room = await this.client.reconnect<JamState>(token);
    } catch (error) {
      // 4214 ("token invalid or expired") is retried: the server may not have seen the drop yet.
      return roomIsGone(error) ? "gone" : "retry";
    }
    if (run !== this.run || this.leaving) {
      await this.closeRoom(room, true);
      return "done";
    }
    // Listeners first (so nothing sent right after the join is missed), then wait for the state.
    this.current = room;
    this.attach(room);
    try {
      await firstState(room, this.syncTimeoutMs, this.timers);
    } catch {
      if (room === this.current && room.connection?.isOpen) await this.closeRoom(room, false);
      return "retry";
    }
    if (run !== this.run || room !== this.current) return "done";
    this.synced = room;
    this.run++;
    this.restartNotice = undefined;
    this.setStatus("connected", { attempt });
    if (this.clockSync) this.clock.start();
    return "done";
  }

  private finish(reason: DisconnectReason, detail: Omit<StatusDetail, "previous" | "reason">): void {
    this.run++;
    this.cancelRetry();
    this.clock.stop();
    if (this.currentStatus !== "disconnected") this.setStatus("disconnected", { ...detail, reason });
  }

  private cancelRetry(): void {
    if (this.retryHandle === undefined) return;
    this.timers.clearTimeout(this.retryHandle);
    this.retryHandle = undefined;
  }

  private closeRoom(room: Room<JamState>, consented: boolean): Promise<void> {
    return closeRoom(room, consented, this.timers);
  }

  private setStatus(status: ConnectionStatus, detail: Omit<StatusDetail, "previous">): void {
    const previous = this.currentStatus;
    if (previous === status) return;
    this.currentStatus = status;
    const full: StatusDetail = { previous, ...detail };
    for (const listener of Array.from(this.statusListeners)) callSafely(listener, status, full);
  }
}

/**
 * One musician in one jam. Wraps the colyseus.js Room and outlives it: colyseus.js 0.16 does not
 * reconnect, and `client.reconnect(token)` hands back a *new* Room. The session keeps every
 * listener in its own registry, re-attaches them to each new Room, and always reconnects with the
 * newest reconnection token.
 */
import { getStateCallbacks, type Client, type Room } from "colyseus.js";
import { ServerClock, callSafely, realTimers, type ClockOptions, type Timers } from "./clock";
import { ConnectionFailed, type JamError } from "./errors";
import { DEFAULT_BACKOFF_MS, DEFAULT_RECONNECT_GRACE_MS, nextAttemptStartMs } from "./reconnectSchedule";
import * as sequencer from "./sequencer";
import { CloseCode, JoinError } from "../../src/protocol/codes";
import { SERVER_MESSAGE_TYPES } from "../../src/protocol/serverMessages";
import type {
  JamState,
  JsonValue,
  MessageType,
  NotePayload,
  OutgoingMessage,
  ServerMessages,
  ServerMessageType,
  SetStepPayload,
  SignalKind,
} from "./types";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "disconnected";

/** Why a session ended. */
export type DisconnectReason =
  /** `leave()` was called. */
  | "left"
  /** The host removed this musician (close 4001); the seat is gone. */
  | "kicked"
  /** Removed for flooding far over the rate limits (close 4029). */
  | "flooding"
  /** The server closed the room for a deploy after `server-restart`: create or join again after `reconnectInMs`. */
  | "server-restart"
  /** The server closed the connection as a consented leave (4000) without notice. */
  | "closed"
  /** Reconnection did not succeed within the server's grace, or the room is gone. */
  | "reconnect-failed"
  /** create/join was refused or failed (see `error`). */
  | "join-failed";

export interface StatusDetail {
  previous: ConnectionStatus;
  /** The WebSocket close code that caused the change, when one did. */
  closeCode?: number;
  /** Set when the status is `disconnected`. */
  reason?: DisconnectReason;
  /** `join-failed`/`reconnect-failed`: what the last attempt ran into. */
  error?: JamError | Error;
  /** `reconnecting`: the attempt about to be made (1, 2, …); `connected` after a reconnection: how many it took. */
  attempt?: number;
  /** `reason: "server-restart"`: how long the server asked clients to wait before joining again. */
  reconnectInMs?: number;
}

export type StatusListener = (status: ConnectionStatus, detail: StatusDetail) => void;

/** The `getStateCallbacks` proxy of colyseus.js for a jam state. */
export type StateCallbacks = ReturnType<typeof getStateCallbacks<JamState>>;

/**
 * Registers state callbacks on a room (through `$`) and may return a function that undoes
 * whatever the app built from them. Run for the current Room, and again for every Room after a
 * reconnection (the new Room decodes the full state again, so `onAdd` fires for what exists).
 */
export type StateWatcher = ($: StateCallbacks, state: JamState) => void | (() => void);

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

/** A consented leave that the server does not confirm within this is closed by hand. */
const LEAVE_TIMEOUT_MS = 3000;

type MessageListener<K extends ServerMessageType> = (message: ServerMessages[K]) => void;
type MessageListeners = { [K in ServerMessageType]: Set<MessageListener<K>> };

/** Close codes after which reconnecting is pointless (the seat is gone or the room closed). */
function finalReason(closeCode: number): DisconnectReason | null {
  switch (closeCode) {
    case CloseCode.CONSENTED:
      return "closed";
    case CloseCode.KICKED:
      return "kicked";
    case CloseCode.FLOODING:
      return "flooding";
    default:
      return null;
  }
}

/** A reconnection refused because the room no longer exists: no later attempt can succeed. */
function roomIsGone(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === JoinError.NOT_FOUND;
}

/** Resolves once the Room has its first full state with this musician in it; rejects if it closes first. */
export function firstState(room: Room<JamState>, timeoutMs: number, timers: Timers = realTimers): Promise<void> {
  const has = () => room.state?.participants?.has(room.sessionId) === true;
  if (has()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      room.onStateChange.remove(check);
      if (error === undefined) resolve();
      else reject(error);
    };
    const check = () => {
      if (has()) settle();
    };
    const timer = timers.setTimeout(() => settle(new ConnectionFailed(`no room state within ${timeoutMs} ms`)), timeoutMs);
    room.onStateChange(check);
    // Not removed afterwards: colyseus.js clears a Room's listeners when it closes.
    room.onLeave((code) => settle(new ConnectionFailed(`the connection closed (${code}) before the room state arrived`, code)));
  });
}

export class JamSession {
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

  private readonly messageListeners: MessageListeners = Object.fromEntries(
    SERVER_MESSAGE_TYPES.map((type) => [type, new Set()]),
  ) as unknown as MessageListeners;
  private readonly stateListeners = new Set<(state: JamState) => void>();
  private readonly statusListeners = new Set<StatusListener>();
  private readonly watchers = new Map<StateWatcher, (() => void) | undefined>();

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
    const listeners: Set<MessageListener<K>> = this.messageListeners[type];
    listeners.add(listener);
    return () => listeners.delete(listener);
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
    this.watchers.set(watcher, undefined);
    if (this.current.connection?.isOpen) this.runWatcher(watcher);
    return () => {
      const cleanup = this.watchers.get(watcher);
      this.watchers.delete(watcher);
      if (cleanup !== undefined) callSafely(cleanup);
    };
  }

  // ─── typed senders: false when not connected (nothing is queued: music does not wait) ────────

  /** Sends any client → server message of the contract. */
  send<T extends MessageType>(type: T, payload: OutgoingMessage<T>): boolean {
    if (this.currentStatus !== "connected" || !this.current.connection?.isOpen) return false;
    try {
      this.current.send(type, payload);
      return true;
    } catch {
      return false;
    }
  }

  /** A note for the others (`at`: the server time it should sound; `step`: the sequencer step). */
  note(note: NotePayload): boolean {
    return this.send("note", note);
  }

  /** An app-defined event relayed to the others. */
  event(eventName: string, payload?: JsonValue): boolean {
    return this.send("event", payload === undefined ? { eventName } : { eventName, payload });
  }

  chat(text: string): boolean {
    return this.send("chat", { text });
  }

  tempo(tempo: number): boolean {
    return this.send("tempo", { tempo });
  }

  /** Starts the transport (from `step`, default where it is) after the server's lead-in. */
  play(step?: number): boolean {
    return this.send("play", step === undefined ? {} : { step });
  }

  pause(): boolean {
    return this.send("pause", {});
  }

  stop(): boolean {
    return this.send("stop", {});
  }

  seek(step: number): boolean {
    return this.send("seek", { step });
  }

  /** Sets this musician's instrument. */
  instrument(instrument: string): boolean {
    return this.send("instrument", { instrument });
  }

  mute(muted: boolean): boolean {
    return this.send("mute", { muted });
  }

  /** Host only: hands the host role to `to`. */
  transferHost(to: string): boolean {
    return this.send("transferHost", { to });
  }

  /** Host only: removes `sessionId` from the room. */
  kick(sessionId: string): boolean {
    return this.send("kick", { sessionId });
  }

  /** WebRTC signalling to one participant. */
  signal(to: string, kind: SignalKind, data?: JsonValue): boolean {
    return this.send("signal", { to, kind, data });
  }

  addTrack(instrument: string, id?: string): boolean {
    return this.send("addTrack", id === undefined ? { instrument } : { instrument, id });
  }

  setStep(step: SetStepPayload): boolean {
    return this.send("setStep", step);
  }

  clearTrack(track: string): boolean {
    return this.send("clearTrack", { track });
  }

  removeTrack(track: string): boolean {
    return this.send("removeTrack", { track });
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
    for (const type of SERVER_MESSAGE_TYPES) this.forward(room, type);
    // Types this client does not know (a newer server): ignored, without colyseus.js' warning.
    room.onMessage("*", () => undefined);
    room.onStateChange((state) => {
      for (const listener of Array.from(this.stateListeners)) callSafely(listener, state);
    });
    room.onLeave((code) => this.onClosed(room, code));
    for (const watcher of this.watchers.keys()) this.runWatcher(watcher);
  }

  private forward<K extends ServerMessageType>(room: Room<JamState>, type: K): void {
    room.onMessage(type, (message: ServerMessages[K]) => this.emit(type, message));
  }

  private emit<K extends ServerMessageType>(type: K, message: ServerMessages[K]): void {
    const listeners: Set<MessageListener<K>> = this.messageListeners[type];
    for (const listener of Array.from(listeners)) callSafely(listener, message);
  }

  private runWatcher(watcher: StateWatcher): void {
    let cleanup: (() => void) | undefined;
    try {
      cleanup = watcher(getStateCallbacks(this.current), this.current.state) ?? undefined;
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
    this.watchers.set(watcher, cleanup);
  }

  private cleanUpWatchers(): void {
    for (const [watcher, cleanup] of this.watchers) {
      if (cleanup !== undefined) callSafely(cleanup);
      this.watchers.set(watcher, undefined);
    }
  }

  private onClosed(room: Room<JamState>, closeCode: number): void {
    if (room !== this.current) return;
    this.cleanUpWatchers();
    if (this.leaving) return this.finish("left", { closeCode });
    // While connecting, ready() reports it; while reconnecting, the attempt in flight does.
    const reason = finalReason(closeCode);
    if (this.currentStatus === "connecting") return;
    if (this.currentStatus === "reconnecting") {
      if (reason === "kicked" || reason === "flooding") this.finish(reason, { closeCode });
      return;
    }
    if (reason === "closed" && this.restartNotice !== undefined) {
      return this.finish("server-restart", { closeCode, reconnectInMs: this.restartNotice.reconnectInMs });
    }
    if (reason !== null) return this.finish(reason, { closeCode });
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
        return this.finish("reconnect-failed", { closeCode, error });
      }
      this.retryHandle = this.timers.setTimeout(() => {
        this.retryHandle = undefined;
        void this.tryReconnect(run, n).then((outcome) => {
          if (run !== this.run || outcome === "done") return;
          if (outcome === "gone") {
            return this.finish("reconnect-failed", { closeCode, error: new ConnectionFailed("the room no longer exists") });
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

  /** Leaves a Room (consented or not), not waiting forever for the server to confirm. */
  private closeRoom(room: Room<JamState>, consented: boolean): Promise<void> {
    if (!room.connection?.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(() => {
        if (room.connection?.isOpen) room.connection.close();
        resolve();
      }, LEAVE_TIMEOUT_MS);
      room.leave(consented).then(
        () => {
          this.timers.clearTimeout(timer);
          resolve();
        },
        () => resolve(),
      );
    });
  }

  private setStatus(status: ConnectionStatus, detail: Omit<StatusDetail, "previous">): void {
    const previous = this.currentStatus;
    if (previous === status) return;
    this.currentStatus = status;
    const full: StatusDetail = { previous, ...detail };
    for (const listener of Array.from(this.statusListeners)) callSafely(listener, status, full);
  }
}

/**
 * One musician in one jam: what the app reads (state, its own participant, the server's clock and
 * the sequencer maths) and listens to, over a connection that survives drops, reconnections and
 * the loss of its room (sessionConnection.ts).
 */
import { getStateCallbacks } from "colyseus.js";
import type { MessageListener } from "./messageListeners";
import * as sequencer from "./sequencer";
import { SessionConnection } from "./sessionConnection";
import type { StatusListener } from "./sessionStatus";
import type { StateCallbacks, StateWatcher } from "./stateWatchers";
import type { JamState, ServerMessageType } from "./types";

export type { Reopener, SessionOptions } from "./sessionOptions";

export class JamSession extends SessionConnection {
  /** The participant this session plays as, when the state has it; undefined for a listener. */
  get me() {
    return this.state?.participants?.get(this.sessionId);
  }

  /**
   * True when this session joined as a listener: it receives everything and may `chat` (and the
   * clock's `ping`); the server answers any other message NOT_ALLOWED. It is in `state.listeners`.
   */
  get isListener(): boolean {
    return this.state?.listeners?.has(this.sessionId) === true;
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
}

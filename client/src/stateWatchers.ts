/**
 * State watchers: state callbacks that outlive a Room. Each one is run for the current Room and
 * again for every Room after a reconnection, with the cleanup it returned called in between.
 */
import { getStateCallbacks, type Room } from "colyseus.js";
import { callSafely } from "./clock";
import type { JamState } from "./types";

/** The `getStateCallbacks` proxy of colyseus.js for a jam state. */
export type StateCallbacks = ReturnType<typeof getStateCallbacks<JamState>>;

/**
 * Registers state callbacks on a room (through `$`) and may return a function that undoes
 * whatever the app built from them. Run for the current Room, and again for every Room after a
 * reconnection (the new Room decodes the full state again, so `onAdd` fires for what exists).
 * A watcher that returns nothing (no `return`) fits as well.
 */
export type StateWatcher =
  | (($: StateCallbacks, state: JamState) => (() => void) | undefined)
  | (($: StateCallbacks, state: JamState) => void);

/** The watchers of a session, each with the cleanup it returned for the current Room. */
export class StateWatchers {
  private readonly cleanups = new Map<StateWatcher, (() => void) | undefined>();

  /** Adds `watcher`, run at once on `room` when given; returns a function that stops (and cleans up). */
  add(watcher: StateWatcher, room: Room<JamState> | undefined): () => void {
    this.cleanups.set(watcher, undefined);
    if (room !== undefined) this.run(watcher, room);
    return () => {
      const cleanup = this.cleanups.get(watcher);
      this.cleanups.delete(watcher);
      if (cleanup !== undefined) callSafely(cleanup);
    };
  }

  /** Runs every watcher on `room` (a new Room of the session). */
  runAll(room: Room<JamState>): void {
    for (const watcher of this.cleanups.keys()) this.run(watcher, room);
  }

  /** Calls every cleanup: the Room they were built on has gone away. */
  cleanUp(): void {
    for (const [watcher, cleanup] of this.cleanups) {
      if (cleanup !== undefined) callSafely(cleanup);
      this.cleanups.set(watcher, undefined);
    }
  }

  private run(watcher: StateWatcher, room: Room<JamState>): void {
    let cleanup: (() => void) | undefined;
    try {
      cleanup = watcher(getStateCallbacks(room), room.state) ?? undefined;
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
    this.cleanups.set(watcher, cleanup);
  }
}

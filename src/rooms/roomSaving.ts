/**
 * One room's saving, as the room sees it: the jam's record (what is saved besides the state) and
 * its saver, made from the room's settings so the room holds one field and a few calls.
 */
import type { Settings } from "../config/settings";
import type { Logger } from "../logger";
import type { JamMetrics } from "../observability/metrics";
import type { RoomOptions } from "../protocol/options";
import type { JamState } from "../schema/JamState";
import type { JamStore } from "../storage/jamStore";
import { JamSaver } from "./jamSaver";
import { addMusician, snapshotOf, type JamRecord } from "./savedJams";

export interface RoomSavingDeps {
  store: JamStore;
  metrics: JamMetrics;
  settings: Pick<Settings, "saveDelayMs" | "now">;
  options: RoomOptions;
  record: JamRecord;
  state: () => JamState;
  log: () => Logger;
}

export class RoomSaving {
  private readonly saver: JamSaver;

  constructor(private readonly deps: RoomSavingDeps) {
    const { store, metrics, settings, options, record, state, log } = deps;
    this.saver = new JamSaver({
      store,
      metrics,
      delayMs: settings.saveDelayMs,
      log,
      now: settings.now,
      snapshot: () => snapshotOf(state(), options, record, settings.now()),
    });
  }

  /** Something saved changed (settings, tempo, transport, pattern). */
  markDirty(): void {
    this.saver.markDirty();
  }

  /** A musician joined: their name is saved with the jam the first time. */
  musicianJoined(name: string): void {
    if (addMusician(this.deps.record, name)) this.saver.markDirty();
  }

  /** Writes what changed so far now; resolves whether the store has the jam (never rejects). */
  settle(): Promise<boolean> {
    return this.saver.settle();
  }

  /** Writes what is pending and resolves once it is saved (never rejects). */
  flush(): Promise<void> {
    return this.saver.flush();
  }
}

/**
 * A room's versions: the settings, tempo and pattern kept now and then so the band can go back.
 * Kept every VERSION_EVERY_S while anything changed since the last one, when the band leaves, and
 * before each restore (so a restore can be undone). Store calls run one at a time, off every
 * handler: a version that cannot be written is logged and the jam plays on.
 */
import type { Settings } from "../config/settings";
import type { Logger } from "../logger";
import type { RoomOptions } from "../protocol/options";
import type { JamState } from "../schema/JamState";
import type { JamStore, JamVersion } from "../storage/jamStore";
import { versionOf } from "./savedJams";

export interface RoomVersionsDeps {
  store: JamStore;
  settings: Pick<Settings, "versionEveryS" | "maxVersions" | "now">;
  options: RoomOptions;
  state: () => JamState;
  /** Saves the jam now: its versions refer to it. Resolves whether it is saved. */
  saved: () => Promise<boolean>;
  log: () => Logger;
}

export type RestoreOutcome = "restored" | "not found" | "failed";

export class RoomVersions {
  /** The newest version this room kept, as JSON: what "changed since the last one" compares with. */
  private lastKept: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RoomVersionsDeps) {}

  /** Starts keeping a version every VERSION_EVERY_S while anything changed (on the room's clock). */
  keepEvery(setInterval: (callback: () => void, ms: number) => unknown): void {
    if (this.deps.settings.versionEveryS > 0) setInterval(() => void this.keepIfChanged(), this.deps.settings.versionEveryS * 1000);
  }

  /** Keeps a version unless nothing changed since the last one this room kept. */
  keepIfChanged(): Promise<void> {
    return this.enqueue(async () => {
      const json = this.currentJson();
      if (json !== this.lastKept) await this.keep(json);
    }, undefined);
  }

  /**
   * Brings back `version`: the jam as it is now is kept first, then `apply` writes the version into
   * the room. Resolves with what happened (never rejects).
   */
  restore(version: number, apply: (found: JamVersion) => void): Promise<RestoreOutcome> {
    return this.enqueue(async () => {
      const found = await this.deps.store.loadVersion(this.deps.state().roomCode, version);
      if (found === undefined) return "not found";
      if ((await this.keep(this.currentJson())) === undefined) return "failed";
      apply(found);
      return "restored";
    }, "failed");
  }

  /** Resolves once every version asked for so far is written (or failed): before the room's code goes. */
  async settled(): Promise<void> {
    await this.queue;
  }

  private currentJson(): string {
    return JSON.stringify(versionOf(this.deps.state(), this.deps.options));
  }

  /** Writes a version; resolves with its number, or undefined when it could not be written. */
  private async keep(json: string): Promise<number | undefined> {
    const { store, settings, state, saved, log } = this.deps;
    const code = state().roomCode;
    if (!(await saved())) {
      log().error({}, "version not kept: the jam is not saved");
      return undefined;
    }
    const number = await store.addVersion(code, Math.round(settings.now()), JSON.parse(json), settings.maxVersions);
    this.lastKept = json;
    log().info({ version: number }, "version kept");
    return number;
  }

  /** Runs `task` after every call before it; a failure is logged and answered with `onError`. */
  private enqueue<T>(task: () => Promise<T>, onError: T): Promise<T> {
    const run = this.queue.then(task).catch((error: unknown) => {
      this.deps.log().error({ err: error }, "version store call failed");
      return onError;
    });
    this.queue = run;
    return run;
  }
}

/**
 * What a room keeps of its jam: the saved jam (roomSaving.ts), its versions (roomVersions.ts) and
 * its recording (roomRecorder.ts), made together because the last two refer to the first: a
 * version or a recording is written only once the jam itself is saved.
 */
import type { Settings } from "../config/settings";
import type { RoomRecorderDeps } from "./roomRecorder";
import { RoomRecorder } from "./roomRecorder";
import { RoomSaving, type RoomSavingDeps } from "./roomSaving";
import { RoomVersions } from "./roomVersions";

export interface JamKeeperDeps extends Omit<RoomSavingDeps, "settings"> {
  settings: Settings;
  /** The process's writer of recording batches. */
  writer: RoomRecorderDeps["writer"];
  /** The room's clock: the version interval and the recording's time limit end with the room. */
  clock: RoomRecorderDeps["clock"] & { setInterval(callback: () => void, ms: number): { clear(): void } };
}

export class JamKeeper {
  readonly saving: RoomSaving;
  readonly versions: RoomVersions;
  readonly recorder: RoomRecorder;

  constructor(deps: JamKeeperDeps) {
    const { store, writer, settings, state, log, options, clock } = deps;
    this.saving = new RoomSaving(deps);
    const saved = (): Promise<boolean> => this.saving.settle();
    // Written out rather than spread from one object: spread copies got a hidden class of their own in every room.
    this.versions = new RoomVersions({ store, settings, state, log, saved, options });
    this.recorder = new RoomRecorder({ store, settings, state, log, saved, writer, clock });
    this.versions.keepEvery((callback, ms) => clock.setInterval(callback, ms));
  }

  /** No musician is left: the recording stops, and the jam as they left it is kept as a version. */
  bandLeft(): void {
    void this.recorder.stop("no musician left");
    void this.versions.keepIfChanged();
  }

  /** The room closes: everything is written before its code goes (another room may open the jam then). */
  async close(): Promise<void> {
    await this.recorder.stop("room closed");
    await this.versions.keepIfChanged();
    await this.saving.flush();
  }
}

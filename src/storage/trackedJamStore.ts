/**
 * The store as the rest of the server uses it: every call's outcome is remembered, so `/health` can
 * say whether the database works without waiting on it, and `/ready` asks it for real.
 */
import type { DependencyProbe, DependencyState } from "../observability/dependencyStatus";
import type {
  JamStore,
  JamVersion,
  JamVersionDocument,
  Recording,
  RecordingBatch,
  RecordingSummary,
  SavedJam,
  VersionSummary,
} from "./jamStore";

export class TrackedJamStore implements JamStore, DependencyProbe {
  private last: DependencyState = "ok";

  constructor(private readonly inner: JamStore) {}

  state(): DependencyState {
    return this.last;
  }

  async answers(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const answered = this.ping().then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  migrate(): Promise<void> {
    return this.track(this.inner.migrate());
  }
  load(code: string): Promise<SavedJam | undefined> {
    return this.track(this.inner.load(code));
  }
  save(jam: SavedJam): Promise<void> {
    return this.track(this.inner.save(jam));
  }
  exists(code: string): Promise<boolean> {
    return this.track(this.inner.exists(code));
  }
  deleteUnusedBefore(time: number, limit: number): Promise<number> {
    return this.track(this.inner.deleteUnusedBefore(time, limit));
  }
  count(): Promise<number> {
    return this.track(this.inner.count());
  }
  addVersion(code: string, savedAt: number, version: JamVersionDocument, keep: number): Promise<number> {
    return this.track(this.inner.addVersion(code, savedAt, version, keep));
  }
  listVersions(code: string): Promise<VersionSummary[]> {
    return this.track(this.inner.listVersions(code));
  }
  loadVersion(code: string, version: number): Promise<JamVersion | undefined> {
    return this.track(this.inner.loadVersion(code, version));
  }
  startRecording(code: string, startedAt: number, tempo: number, keep: number): Promise<number> {
    return this.track(this.inner.startRecording(code, startedAt, tempo, keep));
  }
  appendRecordings(batches: readonly RecordingBatch[]): Promise<void> {
    return this.track(this.inner.appendRecordings(batches));
  }
  listRecordings(code: string): Promise<RecordingSummary[]> {
    return this.track(this.inner.listRecordings(code));
  }
  loadRecording(code: string, id: number): Promise<Recording | undefined> {
    return this.track(this.inner.loadRecording(code, id));
  }
  ping(): Promise<void> {
    return this.track(this.inner.ping());
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  private track<T>(call: Promise<T>): Promise<T> {
    return call.then(
      (value) => {
        this.last = "ok";
        return value;
      },
      (error: unknown) => {
        this.last = "down";
        throw error;
      },
    );
  }
}

import { useEffect, useRef } from "react";
import type { JamSession, JamState, VersionInfo } from "@jam/client";
import { jamClient } from "../config";
import { useJamList } from "../useJamList";
import { timeAgo } from "../words";
import type { PanelProps } from "./RoomView";

/** The server keeps a version every few minutes while the jam changes: half a minute is fresh enough. */
const REFRESH_EVERY_MS = 30_000;

/** How long a restore may take to show in the state before the list is asked anyway. */
const RESTORE_SETTLES_MS = 2000;

const loadVersions = (code: string) => jamClient.versions(code);

/** What a restore brings back: the pattern and the tempo. */
const restorable = (state: JamState): string => JSON.stringify([state.tempo, state.tracks.toJSON()]);

/**
 * Calls `then` once the pattern or tempo differ from now (the server keeps the jam as it was as a
 * new version before a restore reaches the state), or after RESTORE_SETTLES_MS (a restore that
 * changed nothing, or a refusal). Returns a function that stops waiting.
 */
function whenRestored(session: JamSession, then: () => void): () => void {
  const before = restorable(session.state);
  const finish = () => {
    stop();
    then();
  };
  const timer = setTimeout(finish, RESTORE_SETTLES_MS);
  const stopWatching = session.onStateChange((state) => {
    if (restorable(state) !== before) finish();
  });
  const stop = () => {
    clearTimeout(timer);
    stopWatching();
  };
  return stop;
}

/** The jam's versions, newest first; the host can bring one back for everyone. */
export function Versions({ session }: PanelProps) {
  const { items, problem, refresh } = useJamList<VersionInfo>(loadVersions, session.code, REFRESH_EVERY_MS);
  const iAmHost = session.isHost;
  const waiting = useRef<() => void>(undefined);
  useEffect(() => () => waiting.current?.(), []);

  // A refusal comes back as an error, shown with the others.
  const restore = (version: number) => {
    if (!session.restoreVersion(version)) return;
    waiting.current?.();
    waiting.current = whenRestored(session, refresh);
  };

  return (
    <section className="panel versions">
      <div className="panel-title">
        <h2>Versions</h2>
        <button type="button" aria-label="Refresh the versions" title="Refresh" onClick={refresh}>
          ↻
        </button>
      </div>
      {problem !== undefined && <p className="error">{problem}</p>}
      {items?.length === 0 && (
        <p className="hint">No versions yet: one is kept every few minutes while the jam changes, and when everyone leaves.</p>
      )}
      <ol aria-label="Versions">
        {items?.map((v) => (
          <li key={v.version}>
            <strong>Version {v.version}</strong> · {timeAgo(v.savedAt)} · {v.tempo} BPM · {v.tracks} {v.tracks === 1 ? "track" : "tracks"}
            {iAmHost && (
              <button type="button" aria-label={`Restore version ${v.version}`} onClick={() => restore(v.version)}>
                Restore
              </button>
            )}
          </li>
        ))}
      </ol>
      {!iAmHost && items !== undefined && items.length > 0 && <p className="hint">The host can bring back a version.</p>}
    </section>
  );
}

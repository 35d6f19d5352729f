import { useEffect, useRef, useState } from "react";
import type { JamSession, RecordingInfo } from "@jam/client";
import { jamClient } from "../config";
import { mayDriveTransport } from "../roles";
import { useJamList } from "../useJamList";
import { useRecordingStarter } from "../useRecordingStarter";
import { minutesSeconds, timeAgo } from "../words";
import type { PanelProps } from "./RoomView";

/** The list changes when a recording stops (everyone sees that in the state), and now and then for a late look. */
const REFRESH_EVERY_MS = 60_000;
/** The server writes a recording's last batch just after the state says it stopped (batches go once a second). */
const LAST_BATCH_MS = 1200;

const loadRecordings = (code: string) => jamClient.recordings(code);

/** Record and stop, who is recording, the jam's recordings and its pattern as MIDI files to download. */
export function Recordings({ session, state }: PanelProps) {
  const { items, problem, refresh } = useJamList<RecordingInfo>(loadRecordings, session.code, REFRESH_EVERY_MS);
  const { startedBy, start } = useRecordingStarter(session, state);
  const allowed = mayDriveTransport(session, state);
  const { recording } = state;

  const wasRecording = useRef(recording);
  useEffect(() => {
    const stopped = wasRecording.current && !recording;
    wasRecording.current = recording;
    if (!stopped) return;
    refresh();
    const again = setTimeout(refresh, LAST_BATCH_MS);
    return () => clearTimeout(again);
  }, [recording, refresh]);

  return (
    <section className="panel recordings">
      <h2>Recordings</h2>
      {recording && <RecordingNow session={session} since={state.recordingStartedAt} startedBy={startedBy} />}
      <div className="row">
        {/* The Transport panel says who runs the transport: the same people record. */}
        <button type="button" onClick={recording ? () => session.record(false) : start} disabled={!allowed}>
          {recording ? "■ Stop recording" : "● Record"}
        </button>
        <a href={jamClient.patternUrl(session.code)} download>
          Download the pattern (MIDI)
        </a>
      </div>
      {problem !== undefined && <p className="error">{problem}</p>}
      <ol aria-label="Recordings">
        {items?.map((r) => (
          <li key={r.id}>
            <strong>Recording {r.id}</strong> · {timeAgo(r.startedAt)} · {minutesSeconds(r.durationMs)} · {r.notes}{" "}
            {r.notes === 1 ? "note" : "notes"}
            {r.musicians.length > 0 && ` · ${r.musicians.join(", ")}`}{" "}
            <a href={jamClient.recordingUrl(session.code, r.id)} download aria-label={`Download recording ${r.id} (MIDI)`}>
              download MIDI
            </a>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The red light everyone sees while a recording runs: for how long, and who started it when known. */
function RecordingNow({ session, since, startedBy }: { session: JamSession; since: number; startedBy: string | undefined }) {
  const [now, setNow] = useState(() => session.serverNow());
  useEffect(() => {
    const timer = setInterval(() => setNow(session.serverNow()), 1000);
    return () => clearInterval(timer);
  }, [session]);
  return (
    <p className="recording-now">
      <span role="img" className="rec-dot" aria-label="recording" /> Recording {minutesSeconds(now - since)}
      {startedBy === undefined ? "" : ` · started by ${startedBy}`}
    </p>
  );
}

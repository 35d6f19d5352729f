import type { FormEvent } from "react";
import { mayDriveTransport } from "../roles";
import type { PanelProps } from "./RoomView";

export function Transport({ session, state }: PanelProps) {
  const { tempo, isPlaying } = state;
  const allowed = mayDriveTransport(session, state);

  const setTempo = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = Number(new FormData(event.currentTarget).get("tempo"));
    if (Number.isFinite(value)) session.tempo(value);
  };

  return (
    <section className="panel transport">
      <h2>Transport</h2>
      <p className="tempo">
        <strong>{tempo} BPM</strong> · {isPlaying ? "playing" : "stopped"}
      </p>
      <div className="row">
        <button type="button" onClick={() => session.play()} disabled={!allowed || isPlaying}>
          ▶ Play
        </button>
        <button type="button" onClick={() => session.pause()} disabled={!allowed || !isPlaying}>
          ❚❚ Pause
        </button>
        <button type="button" onClick={() => session.stop()} disabled={!allowed}>
          ■ Stop
        </button>
        {/* `key`: a new tempo from anyone resets the field. */}
        <form key={tempo} onSubmit={setTempo} className="row">
          <input name="tempo" type="number" min={20} max={300} defaultValue={tempo} disabled={!allowed} aria-label="New tempo" />
          <button type="submit" disabled={!allowed}>
            Set tempo
          </button>
        </form>
      </div>
      {!allowed && (
        <p className="hint">
          {session.isListener ? "Listeners follow the transport." : "Only the host controls the transport in this room."}
        </p>
      )}
    </section>
  );
}
